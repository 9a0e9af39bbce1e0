#!/usr/bin/env bash
# Records new public API in each shipped project's PublicAPI.Unshipped.txt (the PublicApiAnalyzers code fix, run in batch).
# Run after a deliberate change to the public surface; review the diff before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in src/*/*.csproj; do
  dotnet format analyzers "$p" --diagnostics RS0016 RS0017 --severity warn
done
