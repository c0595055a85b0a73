#!/usr/bin/env bash
# README command 2: installs what is missing, builds with warnings as errors, runs every test.
# Tests start their own PostgreSQL and Redis (through the AppHost's local mode or the service test
# fixtures) on random ports with throwaway data, so they also pass beside a running instance.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/prerequisites.sh

dotnet build Synaxis.sln -warnaserror -nologo -clp:ErrorsOnly
dotnet test Synaxis.sln --no-build -nologo "$@"
