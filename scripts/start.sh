#!/usr/bin/env bash
# README command 1: installs what is missing, then starts the whole system (AppHost, every service,
# PostgreSQL, Redis, the mock provider and the Aspire dashboard). Ctrl+C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/prerequisites.sh

gateway_port=${SYNAXIS_GATEWAY_PORT:-5080}
cat <<MSG

  Synaxis gateway:    http://localhost:${gateway_port}   (health: http://localhost:${gateway_port}/health)
  Aspire dashboard:   http://localhost:15080   (open the login link printed below)

MSG

# The http launch profile serves the dashboard without a developer certificate, which a new machine lacks.
exec dotnet run --project Synaxis.AppHost --launch-profile http -- "Synaxis:GatewayPort=${gateway_port}" "$@"
