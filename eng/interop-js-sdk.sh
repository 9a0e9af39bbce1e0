#!/usr/bin/env bash
# Interop check by hand (not part of CI, needs the npm registry): the official AWS SDK for JavaScript v3 against serve mode.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd eng/interop && npm install --no-audit --no-fund --silent)
out=$(mktemp)
dotnet run --project samples/LexV2.ResourcePolicy.Sample -- serve --port 0 >"$out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 120); do grep -q '^Listening on ' "$out" && break; sleep 1; done
endpoint=$(sed -n 's/^Listening on //p' "$out")
node eng/interop/js-sdk.mjs "$endpoint"
