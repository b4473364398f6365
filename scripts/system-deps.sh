#!/usr/bin/env bash
# System packages the tests need (Debian): Chromium for the browser tests.
# Idempotent; does nothing when everything is there.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Pango for WeasyPrint (lien report --pdf)
if command -v dpkg >/dev/null 2>&1; then
  dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1 || need+=(libpangoft2-1.0-0)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "warning: missing ${need[*]} (install with apt-get as root); browser tests will be skipped" >&2
  fi
fi
