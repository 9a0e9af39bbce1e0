#!/usr/bin/env bash
# Publishes the sample with NativeAOT and packs the lexpolicy tool as a release does (eng/pack-tool.sh: the pointer package,
# NativeAOT linux-x64, framework-dependent linux-musl-x64 and `any`), counts trim/AOT warnings, installs the tool from the
# local package folder (the NativeAOT package on this linux-x64 machine; `any` where the pointer names no package for the
# platform), runs the installed tool's commands against its own `serve`, and measures start-up: process start to the first
# completed call, median of 5 runs, NativeAOT vs framework-dependent vs ReadyToRun. Needs clang (Debian: clang-14) and
# zlib1g-dev; uses hyperfine when installed (Debian: hyperfine), else a date loop. Not run by CI (it needs clang).
set -euo pipefail
cd "$(dirname "$0")/.."
cc=$(command -v clang || command -v clang-14 || true)
[ -n "$cc" ] || { echo "clang is required for NativeAOT (apt-get install clang zlib1g-dev)" >&2; exit 2; }
out=$(mktemp -d)
serve=
trap '[ -z "$serve" ] || kill "$serve" 2>/dev/null || true; rm -rf "$out"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
DOTNET_ROOT=$(dirname "$(readlink -f "$(command -v dotnet)")")
export DOTNET_ROOT
total=0

count_warnings() { # log name
  local warnings
  warnings=$(grep -E 'warning (IL[0-9]+|AOT|SYSLIB)' "$1" | sort -u | wc -l || true)
  echo "$2: NativeAOT warnings: $warnings"
  total=$((total + warnings))
}

# --- The sample, published NativeAOT, against its embedded emulator.
dotnet publish samples/LexV2.ResourcePolicy.Sample -c Release -r linux-x64 -p:PublishAot=true \
  -p:CppCompilerAndLinker="$(basename "$cc")" -o "$out/sample" >"$out/sample.log" 2>&1 || { cat "$out/sample.log"; exit 1; }
count_warnings "$out/sample.log" sample
"$out/sample/LexV2.ResourcePolicy.Sample" --report-first-call | grep -E 'first call|Done'

# --- The tool, packed as a release packs it.
version="0.0.0-aot.$(date +%s)"
eng/pack-tool.sh "$out/pkgs" -p:PackageVersion="$version" >"$out/tool.log" 2>&1 || { cat "$out/tool.log"; exit 1; }
count_warnings "$out/tool.log" tool
id=LexV2.ResourcePolicy.Tool
for p in "$id" "$id.linux-x64" "$id.linux-musl-x64" "$id.any"; do
  echo "tool: $p.$version.nupkg $(( $(stat -c %s "$out/pkgs/$p.$version.nupkg") / 1024 )) KB"
done
# The fallback is the framework-dependent tool plain `dotnet pack` makes: the same files (built from another folder, so a
# few bytes of build paths differ) and the same deps.json and runtimeconfig.json.
dotnet pack src/LexV2.ResourcePolicy.Tool -c Release -o "$out/plain" -p:PackageVersion="$version" -p:IncludeSymbols=false \
  >"$out/plain.log" 2>&1 || { cat "$out/plain.log"; exit 1; }
listing() { unzip -Z1 "$1" | grep '^tools/' | sort; }
diff <(listing "$out/plain/$id.$version.nupkg") <(listing "$out/pkgs/$id.any.$version.nupkg") \
  || { echo "tool: the any package's files differ from the framework-dependent package's" >&2; exit 1; }
for f in lexpolicy.deps.json lexpolicy.runtimeconfig.json; do
  diff <(unzip -p "$out/plain/$id.$version.nupkg" "tools/net10.0/any/$f") <(unzip -p "$out/pkgs/$id.any.$version.nupkg" "tools/net10.0/any/$f") \
    || { echo "tool: the any package's $f differs from the framework-dependent package's" >&2; exit 1; }
done
echo "tool: the any package holds the framework-dependent tool, file for file"
# The musl package is the same framework-dependent program (run with `dotnet`), only under its RID's folder.
diff <(listing "$out/pkgs/$id.any.$version.nupkg" | sed 's#/any/#/RID/#') \
  <(listing "$out/pkgs/$id.linux-musl-x64.$version.nupkg" | sed 's#/linux-musl-x64/#/RID/#') \
  || { echo "tool: the linux-musl-x64 package's files differ from the any package's" >&2; exit 1; }
unzip -p "$out/pkgs/$id.linux-musl-x64.$version.nupkg" tools/net10.0/linux-musl-x64/DotnetToolSettings.xml \
  | grep -q 'EntryPoint="lexpolicy.dll" Runner="dotnet"' || { echo "tool: the linux-musl-x64 package is not run by dotnet" >&2; exit 1; }
mkdir -p "$out/musl" && unzip -q "$out/pkgs/$id.linux-musl-x64.$version.nupkg" -d "$out/musl"
dotnet "$out/musl/tools/net10.0/linux-musl-x64/lexpolicy.dll" --help >/dev/null
echo "tool: the linux-musl-x64 package holds the framework-dependent tool, and it runs"

install_tool() { # feed tool-path -> installs from that folder only, into a private NuGet cache
  cat >"$out/$2.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources><clear /><add key="local" value="$1" /></packageSources>
  <packageSourceMapping><packageSource key="local"><package pattern="$id*" /></packageSource></packageSourceMapping>
</configuration>
XML
  NUGET_PACKAGES="$out/$2-nuget" dotnet tool install "$id" --version "$version" --tool-path "$out/$2" \
    --configfile "$out/$2.config" >"$out/$2.log" 2>&1
}

# On linux-x64 the CLI takes the NativeAOT package the pointer names: the command is the native program itself.
install_tool "$out/pkgs" native || { cat "$out/native.log"; exit 1; }
native="$out/native/lexpolicy"
case "$(readlink -f "$native")" in
  */"${id,,}.linux-x64"/*/tools/any/linux-x64/lexpolicy) ;;
  *) echo "tool: expected the linux-x64 package's program, got $(readlink -f "$native")" >&2; exit 1 ;;
esac
[ "$(head -c 4 "$native" | od -An -c | tr -d ' ')" = '177ELF' ] || { echo "tool: not a native program" >&2; exit 1; }
echo "tool: installed from the folder -> ${id}.linux-x64 (NativeAOT), $(( $(stat -L -c %s "$native") / 1048576 )) MB"

# Where the pointer names no package for the platform, the CLI takes `any`: a pointer naming only osx-arm64 shows it here.
mkdir -p "$out/fallback-pkgs"
cp "$out/pkgs/$id.any.$version.nupkg" "$out/fallback-pkgs/"
dotnet pack src/LexV2.ResourcePolicy.Tool -c Release --no-build -p:NativeToolPackages=true -p:NativeToolRids=osx-arm64 \
  -p:PackageVersion="$version" -p:IncludeSymbols=false -o "$out/fallback-pkgs" >"$out/fallback-pack.log" 2>&1 \
  || { cat "$out/fallback-pack.log"; exit 1; }
install_tool "$out/fallback-pkgs" fallback || { cat "$out/fallback.log"; exit 1; }
fallback="$out/fallback/lexpolicy"
ls "$out"/fallback/.store/"${id,,}"/"$version"/"${id,,}.any"/"$version"/tools/net10.0/any/lexpolicy.dll >/dev/null \
  || { echo "tool: the fallback install did not take the any package" >&2; exit 1; }
echo "tool: a platform the pointer does not name -> ${id}.any (framework-dependent)"

# A platform the pointer names whose package is missing does not fall back: the install fails. So a release publishes
# every package the pointer names.
mkdir -p "$out/missing-pkgs"
cp "$out/pkgs/$id.$version.nupkg" "$out/pkgs/$id.any.$version.nupkg" "$out/missing-pkgs/"
if install_tool "$out/missing-pkgs" missing; then echo "tool: expected the install to fail without the linux-x64 package" >&2; exit 1; fi
grep -qi "${id}.linux-x64.*not found\|not found.*${id}.linux-x64" "$out/missing.log" \
  || { cat "$out/missing.log"; exit 1; }
echo "tool: pointer naming linux-x64 without that package -> install fails: $(grep -i 'not found' "$out/missing.log" | head -1)"

# ReadyToRun, framework-dependent, for the start-up comparison (the alternative where NativeAOT is not available).
# (Restored for the RID alone, as eng/pack-tool.sh does: the RID-agnostic libraries keep their restore.)
{ dotnet restore src/LexV2.ResourcePolicy.Tool --no-dependencies -p:RuntimeIdentifier=linux-x64 -p:PublishReadyToRun=true &&
  dotnet publish src/LexV2.ResourcePolicy.Tool --no-restore -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$out/r2r"; } >"$out/r2r.log" 2>&1 || { cat "$out/r2r.log"; exit 1; }
r2r="$out/r2r/lexpolicy"

# --- The installed native tool against its own native serve: plan, apply, a clean plan, prune to nothing.
"$native" serve --port 0 --parent-pid $$ >"$out/serve.out" &
serve=$!
for _ in $(seq 50); do grep -q Listening "$out/serve.out" && break; sleep 0.1; done
endpoint=$(sed -n 's/^Listening on //p' "$out/serve.out")
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_REGION=us-east-1
arn=arn:aws:lex:us-east-1:123456789012:bot-alias/ABCDEFGHIJ/TSTALIASID
cat >"$out/lex.json" <<JSON
{ "resources": [ { "resourceArn": "$arn", "prune": true, "statements": [
  { "statementId": "AllowConnect", "effect": "Allow", "principal": [ { "service": "connect.amazonaws.com" } ],
    "action": [ "lex:RecognizeText", "lex:StartConversation" ],
    "condition": { "StringEquals": { "aws:SourceAccount": "123456789012" },
                   "ArnEquals": { "aws:SourceArn": "arn:aws:connect:us-east-1:123456789012:instance/abc" } } } ] } ] }
JSON
"$native" plan --file "$out/lex.json" --endpoint-url "$endpoint" --detailed-exitcode >/dev/null && { echo "tool: expected pending changes" >&2; exit 1; } || [ $? -eq 2 ]
"$native" apply --file "$out/lex.json" --auto-approve --endpoint-url "$endpoint" | tail -1
"$native" plan --file "$out/lex.json" --endpoint-url "$endpoint" --detailed-exitcode >/dev/null

# --- Start-up: process start to the first completed call (`show` = one DescribeResourcePolicy of the policy just applied,
# answered and printed), median of 5 runs after one warm-up run, each build against the same serve.
median_ms() { # program args...
  if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 1 --runs 5 --export-json "$out/hyperfine.json" "$*" >/dev/null 2>&1
    # The median wall time; then the mean CPU time (user + system), which a busy machine disturbs less.
    sed -n 's/.*"\(median\|user\|system\)": *\([0-9.e+-]*\).*/\1 \2/p' "$out/hyperfine.json" \
      | awk '{v[$1] = $2 * 1000} END {printf "%4.0f ms  (CPU %.0f ms)", v["median"], v["user"] + v["system"]}'
  else
    "$@" >/dev/null
    for _ in 1 2 3 4 5; do
      local start; start=$(date +%s%N); "$@" >/dev/null; echo $(( ($(date +%s%N) - start) / 1000000 ))
    done | sort -n | sed -n 3p | awk '{printf "%4d ms", $1}'
  fi
}
for tool in "$native" "$fallback" "$r2r"; do
  "$tool" show "$arn" --endpoint-url "$endpoint" | grep -q AllowConnect || { echo "tool: $tool show failed" >&2; exit 1; }
done
timer=$(command -v hyperfine >/dev/null && echo "hyperfine -N --warmup 1 --runs 5" || echo "date loop, 1 warm-up + 5 runs")
echo "tool: start-up to the first completed call (lexpolicy show ARN --endpoint-url, median of 5; $timer):"
echo "  NativeAOT (linux-x64 package)          $(median_ms "$native" show "$arn" --endpoint-url "$endpoint")   target <= 50 ms"
echo "  framework-dependent (any package)      $(median_ms "$fallback" show "$arn" --endpoint-url "$endpoint")"
echo "  ReadyToRun, framework-dependent        $(median_ms "$r2r" show "$arn" --endpoint-url "$endpoint")"

"$native" revoke "$arn" AllowConnect --endpoint-url "$endpoint"
[ "$total" -eq 0 ]
