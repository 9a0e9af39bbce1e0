#!/usr/bin/env bash
# The consumer check (CI runs it from .ci/run): packs the library packages listed in packages.txt into a temporary folder,
# then restores, builds and runs a small application (Consumer.csproj, Program.cs) from that folder alone, as a new user
# would: net8.0 with Microsoft.Extensions.* pinned to 8.0.x, run on the .NET 8 runtime (self-contained, from the runtime
# pack), and net10.0 on the .NET 10 runtime; TreatWarningsAsErrors, Nullable, AnalysisLevel latest-recommended.
# Then it publishes the net10.0 application trimmed and runs it. It fails when a package forces a consumer's net8.0 build
# onto Microsoft.Extensions 9 or later, costs it a warning (trim warnings included), lacks its README, icon or release notes,
# or when the application does not run on either runtime or trimmed.
#
# Usage: eng/consumer-check/run.sh [--no-build]   (--no-build: pack what the last Debug build of the solution produced)
# Adding a package to the check is one line in packages.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

pack_args=(-c Debug)
[ "${1:-}" = "--no-build" ] && pack_args+=(--no-build)
started=$SECONDS

# A version of its own per run, so the global packages folder never serves a stale copy of an earlier run's packages.
version="0.0.0-consumercheck.$(date +%Y%m%d%H%M%S).$$"
work=$(mktemp -d)
global_packages=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
mapfile -t ids < <(grep -v '^\s*\(#\|$\)' eng/consumer-check/packages.txt)
cleanup() {
  rm -rf "$work"
  for id in "${ids[@]}"; do rm -rf "${global_packages%/}/${id,,}/$version"; done
}
trap cleanup EXIT

feed="$work/feed"
consumer="$work/consumer"
mkdir -p "$feed" "$consumer"
for id in "${ids[@]}"; do
  dotnet pack "src/$id/$id.csproj" "${pack_args[@]}" -o "$feed" -p:PackageVersion="$version" -v quiet -nologo >"$work/pack.log" 2>&1 \
    || { cat "$work/pack.log"; echo "consumer check: packing $id failed." >&2; exit 1; }
  nuspec=$(unzip -p "$feed/$id.$version.nupkg" "$id.nuspec" | tr -d '\r\n')
  for element in readme icon releaseNotes; do
    grep -q "<$element>..*</$element>" <<<"$nuspec" || { echo "consumer check: $id has no <$element> in its nuspec." >&2; exit 1; }
  done
done

cp eng/consumer-check/Consumer.csproj eng/consumer-check/Program.cs "$consumer/"
{
  echo '<Project><ItemGroup>'
  for id in "${ids[@]}"; do echo "  <PackageReference Include=\"$id\" Version=\"$version\" />"; done
  echo '</ItemGroup></Project>'
} >"$consumer/LexPackages.props"
# The local folder serves the packages under test and nothing else; everything else comes from the usual source.
cat >"$consumer/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="consumer-check" value="$feed" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="consumer-check"><package pattern="LexV2.ResourcePolicy*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
EOF

status=0
# -warnaserror as well as TreatWarningsAsErrors: a package's build-time <Warning> (a TFM-support warning of a transitive
# package, for example) is an MSBuild warning, which only the switch turns into an error.
dotnet build "$consumer/Consumer.csproj" -c Release -nologo -warnaserror >"$work/build.log" 2>&1 || status=$?
warnings=$(grep -Eo '[0-9]+ Warning\(s\)' "$work/build.log" | tail -1 | grep -Eo '^[0-9]+' || echo "?")
errors=$(grep -Eo '[0-9]+ Error\(s\)' "$work/build.log" | tail -1 | grep -Eo '^[0-9]+' || echo "?")
echo "Consumer check: packages ${ids[*]} ($version)"
echo "  build (net8.0 with Microsoft.Extensions 8.0.x pinned, net10.0; -warnaserror): warnings: $warnings, errors: $errors"
if [ "$status" -ne 0 ] || [ "$warnings" != 0 ]; then
  grep -E ': (error|warning) ' "$work/build.log" | sort -u | sed 's/^/    /' >&2
  echo "consumer check: the consumer does not build." >&2
  exit 1
fi

# Dependency versions per framework, as restore resolved them for the consumer.
dotnet list "$consumer/Consumer.csproj" package --include-transitive >"$work/list.log"
awk '
  /\[net[0-9.]+\]/ { match($0, /net[0-9.]+/); tfm = substr($0, RSTART, RLENGTH); print "  dependencies " tfm ":"; next }
  $1 == ">" { v = $NF; line = line (line == "" ? "" : ", ") $2 " " v; if (length(line) > 100) { print "    " line; line = "" } }
  /^$/ && line != "" { print "    " line; line = "" }
  END { if (line != "") print "    " line }
' "$work/list.log"
too_new=$(awk '/\[net[0-9.]+\]/ { tfm = $0 } tfm ~ /\[net8\.0\]/ && $1 == ">" && $2 ~ /^Microsoft\.Extensions\./ && $NF !~ /^8\./ { print $2 " " $NF }' "$work/list.log")
if [ -n "$too_new" ]; then
  echo "consumer check: the net8.0 consumer was moved off Microsoft.Extensions 8.0.x: $too_new" >&2
  exit 1
fi

# Run each build on its own runtime: net8.0 self-contained (its apphost, the .NET 8 runtime pack), net10.0 on the machine's.
rid_dir=$(find "$consumer/bin/Release/net8.0" -mindepth 1 -maxdepth 1 -type d | head -1)
run8=$("$rid_dir/Consumer") || { echo "$run8"; echo "consumer check: the net8.0 consumer failed." >&2; exit 1; }
run10=$(dotnet "$consumer/bin/Release/net10.0/Consumer.dll") || { echo "$run10"; echo "consumer check: the net10.0 consumer failed." >&2; exit 1; }
# The application's last line is its summary; anything before it (a warning logged) is shown too.
echo "$run8" | sed '$d' | sed 's/^/    /'
echo "$run10" | sed '$d' | sed 's/^/    /'
run8=$(tail -1 <<<"$run8") run10=$(tail -1 <<<"$run10")
echo "  net8.0:  $run8"
echo "  net10.0: $run10"
[[ "$run8" == "consumer on .NET 8."* ]] || { echo "consumer check: the net8.0 build did not run on .NET 8." >&2; exit 1; }
[[ "$run10" == "consumer on .NET 10."* ]] || { echo "consumer check: the net10.0 build did not run on .NET 10." >&2; exit 1; }

# Trimmed (net10.0): the trimmer analyses every assembly, so the packages' configuration reading and DI wiring must hold no
# trim warning (each reported on its own, warnings as errors); the trimmed application then runs, so nothing it needs was
# trimmed away.
rid=$(basename "$rid_dir")
if ! dotnet publish "$consumer/Consumer.csproj" -c Release -f net10.0 -r "$rid" --self-contained -p:PublishTrimmed=true \
    -p:TrimmerSingleWarn=false -warnaserror -o "$work/trimmed" -nologo >"$work/publish.log" 2>&1; then
  grep -E ': (error|warning) ' "$work/publish.log" | sort -u | sed 's/^/    /' >&2
  echo "consumer check: the trimmed net10.0 publish failed." >&2
  exit 1
fi
runT=$("$work/trimmed/Consumer") || { echo "$runT"; echo "consumer check: the trimmed consumer failed." >&2; exit 1; }
echo "  trimmed net10.0 ($rid, PublishTrimmed, 0 trim warnings): $(tail -1 <<<"$runT")"
echo "  consumer check passed in $((SECONDS - started)) s"
