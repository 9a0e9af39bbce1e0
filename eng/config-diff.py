#!/usr/bin/env python3
"""Replays the shared-config table (tests/LexV2.ResourcePolicy.Tests/Configuration/shared-config-cases.json) through
botocore: for each row, writes its files under a fresh directory that is HOME, runs python3 in a clean environment holding
only HOME, PATH and the row's variables, builds a lexv2-models client (boto3.Session(profile_name=...) for a row that names
a profile in code) and compares its region and endpoint with the row. A row with a 'botocore' entry expects that instead
(a documented difference, with its reason in 'why'). Prints one line per row; exits 1 when any row disagrees.
"""
import json
import os
import subprocess
import sys
import tempfile

PROBE = r"""
import json, sys
import boto3
profile = sys.argv[1] or None
try:
    client = boto3.Session(profile_name=profile).client('lexv2-models')
    print(json.dumps({'region': client.meta.region_name, 'endpoint': client.meta.endpoint_url}))
except Exception as e:
    print(json.dumps({'error': type(e).__name__ + ': ' + str(e)}))
"""


def run(row):
    with tempfile.TemporaryDirectory(prefix="config-diff-") as home:
        for rel, text in (row.get("files") or {}).items():
            path = os.path.join(home, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        env.update({k: v.replace("{dir}", home) for k, v in (row.get("env") or {}).items()})
        out = subprocess.run([sys.executable, "-c", PROBE, row.get("profile") or ""], env=env, capture_output=True, text=True, timeout=60)
        lines = out.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines else {"error": out.stderr.strip()[-300:]}


def agrees(expected, actual):
    if "error" in expected:
        return "error" in actual
    return ("error" not in actual and actual["region"] == expected["region"]
            and (actual["endpoint"] or "").rstrip("/") == expected["endpoint"].rstrip("/"))


def main():
    import botocore
    table = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "LexV2.ResourcePolicy.Tests", "Configuration", "shared-config-cases.json")
    with open(table, encoding="utf-8") as f:
        rows = json.load(f)["rows"]
    print(f"botocore {botocore.__version__}: {len(rows)} rows")
    bad = 0
    for row in rows:
        expected = row.get("botocore") or row["expect"]
        if "botocore" in row and not row.get("why"):
            print(f"  NO WHY  {row['name']}: a 'botocore' entry needs its reason")
            bad += 1
        actual = run(row)
        ok = agrees(expected, actual)
        bad += not ok
        shown = actual.get("error") or f"{actual['region']} {actual['endpoint']}"
        want = "refused" if "error" in expected else f"{expected['region']} {expected['endpoint']}"
        note = " (documented difference)" if "botocore" in row else ""
        print(f"  {'ok  ' if ok else 'DIFF'}  {row['name']}: botocore {shown}{'' if ok else f'; expected {want}'}{note}")
    print(f"{len(rows) - bad} of {len(rows)} rows agree with botocore")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
