#!/usr/bin/env bash
# The test command: starts (installing if needed) a local PostgreSQL, then runs every test and writes TRX
# results to TestResults/. Extra arguments go to `dotnet test` (e.g. --filter).
set -euo pipefail
cd "$(dirname "$0")/.."

base=$(bash scripts/postgres.sh | tail -n 1)
export PD_TEST_PG="$base"

# The Privacy Center's browser tests drive Debian's chromium (Playwright's own browser downloads are not needed).
if ! command -v chromium >/dev/null 2>&1; then
  echo "test.sh: installing chromium from Debian packages" >&2
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >&2
fi
export PD_CHROMIUM="${PD_CHROMIUM:-$(command -v chromium)}"

rm -rf TestResults
# Build once, then each test project with its own TRX file (one shared file name would be overwritten by the second
# project). The fast tier (PrimeDirective.Grains.Tests: no PostgreSQL, no HTTP) runs first and answers in under a minute.
dotnet build Actors.sln -c Release
status=0
# The alert rules of deploy/k8s/monitoring: promtool check rules and promtool test rules.
bash scripts/monitoring.sh || status=$?
for project in tests/PrimeDirective.Grains.Tests tests/PrimeDirective.Tests; do
  name=$(basename "$project")
  dotnet test "$project" -c Release --no-build \
    --logger "trx;LogFileName=$name.trx" \
    --logger "console;verbosity=normal" \
    --results-directory TestResults "$@" || status=$?
done
exit $status
