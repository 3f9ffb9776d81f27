#!/usr/bin/env bash
# Installs what the browser tests need from Debian's packages, when missing and when
# this shell may install (root with apt-get, as in CI). Elsewhere it says what to
# install and the console's browser tests skip themselves.
set -uo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing: the console's browser tests will be skipped" \
    "(install Debian's chromium package to run them)" >&2
  exit 0
fi
echo "== installing Debian's chromium for the console's browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null ||
  echo "could not install chromium: the console's browser tests will be skipped" >&2
exit 0
