#!/usr/bin/env bash
# Replays the shared-config table of SharedConfigTableTests through the machine's botocore (python3 with boto3; a current
# botocore: 1.43 was used, older ones lack service-specific endpoints) and reports any row where botocore resolves another
# region or endpoint than the table says. CI does not run it (it needs python3 and boto3); run it after changing the table.
#   bash eng/config-diff.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 eng/config-diff.py tests/LexV2.ResourcePolicy.Tests/Configuration/shared-config-cases.json
