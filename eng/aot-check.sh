#!/usr/bin/env bash
# Publishes the sample and the lexpolicy tool with NativeAOT (library + Testing package compiled in), counts trim/AOT
# warnings, runs both binaries (the sample against its embedded emulator, the tool's commands against its own `serve`) and
# reports cold starts and the tool's size. Needs clang (Debian: clang-14) and zlib1g-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
cc=$(command -v clang || command -v clang-14 || true)
[ -n "$cc" ] || { echo "clang is required for NativeAOT (apt-get install clang zlib1g-dev)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total=0

publish() { # project name
  local log="$out/$2.log"
  dotnet publish "$1" -c Release -r linux-x64 -p:PublishAot=true \
    -p:CppCompilerAndLinker="$(basename "$cc")" -o "$out/$2" >"$log" 2>&1 || { cat "$log"; exit 1; }
  local warnings
  warnings=$(grep -E 'warning (IL[0-9]+|AOT|SYSLIB)' "$log" | sort -u | wc -l || true)
  echo "$2: NativeAOT publish warnings: $warnings"
  total=$((total + warnings))
}

publish samples/LexV2.ResourcePolicy.Sample sample
"$out/sample/LexV2.ResourcePolicy.Sample" --report-first-call | grep -E 'first call|Done'

publish src/LexV2.ResourcePolicy.Tool tool
tool="$out/tool/lexpolicy"
echo "tool: $(du -m "$tool" | cut -f1) MB native binary"
start=$(date +%s%N); "$tool" --help >/dev/null; echo "tool: --help in $(( ($(date +%s%N) - start) / 1000000 )) ms"

# The native tool against its own native serve: plan, apply, a clean plan, prune to nothing.
"$tool" serve --port 0 --parent-pid $$ >"$out/serve.out" &
serve=$!
trap 'kill $serve 2>/dev/null || true; rm -rf "$out"' EXIT
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
"$tool" plan --file "$out/lex.json" --endpoint-url "$endpoint" --detailed-exitcode >/dev/null && { echo "tool: expected pending changes" >&2; exit 1; } || [ $? -eq 2 ]
start=$(date +%s%N)
"$tool" apply --file "$out/lex.json" --auto-approve --endpoint-url "$endpoint" | tail -1
echo "tool: apply (process start to exit, over HTTP) in $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$tool" plan --file "$out/lex.json" --endpoint-url "$endpoint" --detailed-exitcode >/dev/null
"$tool" revoke "$arn" AllowConnect --endpoint-url "$endpoint"
[ "$total" -eq 0 ]
