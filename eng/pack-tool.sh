#!/usr/bin/env bash
# Packs the lexpolicy tool the way a release ships it (.NET 10 platform-specific tool packages), into OUTPUT_DIR:
#   LexV2.ResourcePolicy.Tool            the pointer package `dotnet tool install` finds; names the three below
#   LexV2.ResourcePolicy.Tool.linux-x64  NativeAOT program (no .NET runtime needed to run it)
#   LexV2.ResourcePolicy.Tool.linux-musl-x64  framework-dependent program for Alpine (musl), which the CLI would otherwise
#                                        count as linux-x64 and give the glibc native program
#   LexV2.ResourcePolicy.Tool.any        framework-dependent program, for every other platform (.NET 10 runtime or newer)
# Push all four. Runs on linux-x64 with clang (Debian: clang-14 or clang) and zlib1g-dev; NativeAOT compiles only for the
# OS it runs on. Plain `dotnet pack -c Release` (no clang) still makes the single framework-dependent tool package.
# Usage: eng/pack-tool.sh OUTPUT_DIR [more dotnet pack arguments, e.g. -p:Version=1.2.0]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUTPUT_DIR [dotnet pack arguments]" >&2; exit 2; }
mkdir -p "$1"
dest=$(cd "$1" && pwd)
shift
cd "$(dirname "$0")/.."
project=src/LexV2.ResourcePolicy.Tool/LexV2.ResourcePolicy.Tool.csproj
cc=$(command -v clang || command -v clang-14 || true)
[ -n "$cc" ] || { echo "clang is required for the NativeAOT package (apt-get install clang zlib1g-dev)" >&2; exit 2; }
[ "$(uname -sm)" = "Linux x86_64" ] || { echo "the linux-x64 NativeAOT package is built on linux-x64 only" >&2; exit 2; }
# Each RID publishes into a fresh folder: the SDK packs everything in the publish folder, stale files included.
publish=$(mktemp -d)
trap 'rm -rf "$publish"' EXIT

pack() { # [RID [more arguments]] -- the pointer without a RID; a RID package restores that project alone for its RID (the
  # libraries it references are RID-agnostic and restored with the pointer; restoring them for a RID would ask for runtime
  # packs of their net8.0 build that they do not use)
  local rid=${1:-}
  local args=(-c Release -p:NativeToolPackages=true -p:IncludeSymbols=false -o "$dest")
  if [ -n "$rid" ]; then
    shift
    dotnet restore "$project" --no-dependencies -p:NativeToolPackages=true -p:RuntimeIdentifier="$rid" "${extra[@]}"
    args+=(--no-restore -r "$rid" -p:PublishDir="$publish/$rid/")
  fi
  echo "$ dotnet pack $project ${args[*]} $* ${extra[*]}" >&2
  dotnet pack "$project" "${args[@]}" "$@" "${extra[@]}"
}
extra=("$@")
pack
pack any
pack linux-musl-x64
pack linux-x64 -p:CppCompilerAndLinker="$(basename "$cc")"
