#!/usr/bin/env bash
# The test command: starts (installing if needed) a local PostgreSQL, then runs every test and writes TRX
# results to TestResults/. Extra arguments go to `dotnet test` (e.g. --filter).
set -euo pipefail
cd "$(dirname "$0")/.."

base=$(bash scripts/postgres.sh | tail -n 1)
export PD_TEST_PG="$base"

rm -rf TestResults
dotnet test Actors.sln -c Release \
  --logger "trx;LogFileName=results.trx" \
  --logger "console;verbosity=normal" \
  --results-directory TestResults "$@"
