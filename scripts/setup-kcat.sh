#!/usr/bin/env bash
# Installs kcat (librdkafka's CLI) from Debian when it is missing; the e2e tests drive it.
set -euo pipefail
if command -v kcat >/dev/null 2>&1; then
  exit 0
fi
if [[ "$(id -u)" != "0" ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-kcat: kcat is required (apt-get install kcat)" >&2
  exit 1
fi
echo "setup-kcat: installing kcat from Debian" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null
