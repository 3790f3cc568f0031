#!/usr/bin/env bash
# Checks the monitoring pack with Prometheus's own tool: the alert rules load (`promtool check rules`),
# each alert fires on the series it is meant for (`promtool test rules`) and the example scrape
# configuration parses. `--install-only` just makes sure promtool is there (.ci/run calls it before the
# tests, whose scrape test runs promtool on series taken from running relay processes). promtool comes
# with Debian's `prometheus` package; it is installed with apt-get when missing (as CI does).
set -euo pipefail
cd "$(dirname "$0")/../deploy/prometheus"
if ! command -v promtool >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "check-monitoring: promtool is missing and apt-get is not available: install Prometheus's promtool" >&2
    exit 1
  fi
  echo "check-monitoring: installing promtool (Debian package prometheus)" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2 ||
    { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2; }
fi
if [ "${1:-}" = "--install-only" ]; then exit 0; fi
promtool check rules lrs-relay.rules.yml
promtool test rules lrs-relay.rules.test.yml
promtool check config --syntax-only prometheus.yml
