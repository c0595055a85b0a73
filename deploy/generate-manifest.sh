#!/usr/bin/env bash
# Writes deploy/aspire-manifest.json from the AppHost in publish mode (Postgres and Redis as
# containers, secrets as parameters). Rerun it after changing Synaxis.AppHost.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project Synaxis.AppHost --launch-profile http -- \
  --publisher manifest --output-path "$(pwd)/deploy/aspire-manifest.json"
