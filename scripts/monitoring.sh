#!/usr/bin/env bash
# Checks the Prometheus alert rules of deploy/k8s/monitoring with promtool: `promtool check rules` on the rules, then
# `promtool test rules` on their unit tests. promtool comes from Debian's `prometheus` package, downloaded and extracted
# into a cache directory (PD_TOOLS_CACHE, default ~/.cache/prime-directive): the package's service is never installed.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${PD_TOOLS_CACHE:-${HOME:-/tmp}/.cache/prime-directive}/prometheus"
promtool="$cache/usr/bin/promtool"
if [ ! -x "$promtool" ]; then
  download=$(mktemp -d)
  if ! (cd "$download" && apt-get download prometheus >&2); then
    echo "monitoring.sh: apt-get download prometheus failed; refreshing the package lists once" >&2
    as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq >&2
    (cd "$download" && apt-get download prometheus >&2)
  fi
  mkdir -p "$cache"
  dpkg-deb -x "$download"/prometheus_*.deb "$cache"
  rm -rf "$download"
fi

cd deploy/k8s/monitoring
"$promtool" check rules prime-directive-alerts.yaml
"$promtool" test rules alerts.test.yaml
