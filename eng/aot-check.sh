#!/usr/bin/env bash
# Publishes the sample with NativeAOT (library + Testing package compiled in), counts trim/AOT warnings, runs the binary
# against the embedded emulator and reports the cold start. Needs clang (Debian: clang-14) and zlib1g-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
cc=$(command -v clang || command -v clang-14 || true)
[ -n "$cc" ] || { echo "clang is required for NativeAOT (apt-get install clang zlib1g-dev)" >&2; exit 2; }
out=$(mktemp -d)
log="$out/publish.log"
dotnet publish samples/LexV2.ResourcePolicy.Sample -c Release -r linux-x64 -p:PublishAot=true \
  -p:CppCompilerAndLinker="$(basename "$cc")" -o "$out/bin" >"$log" 2>&1 || { cat "$log"; exit 1; }
warnings=$(grep -cE 'warning (IL[0-9]+|AOT|SYSLIB)' "$log" || true)
echo "NativeAOT publish warnings: $warnings"
"$out/bin/LexV2.ResourcePolicy.Sample" --report-first-call | grep -E 'first call|Done'
[ "$warnings" -eq 0 ]
