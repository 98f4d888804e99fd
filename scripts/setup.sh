#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: Python virtual environment and packages,
# plus (with --test) the Debian packages the integration tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

PY=${PYTHON:-python3}
# The compiled gram kernel (setup.py) needs a C compiler and the Python headers; without
# them the install goes on and the models score with numpy, to the same bits, slower.
if ! command -v cc >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null
  else
    echo "warning: no C compiler; the gram kernel is not built (numpy scores instead)" >&2
  fi
fi
if [ ! -f "$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-dev >/dev/null || true
  fi
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip
fi
extras="service,stream,ml"
[ "$want_test" = 1 ] && extras="$extras,train,tracking,test,dev"
# The kernel's source is in the stamp: a changed kernel is rebuilt by the install.
stamp=".venv/.installed-$(cat pyproject.toml setup.py src/trustwatch/ml/_grams.c scripts/setup.sh | sha256sum | cut -c1-16)-$extras"
if [ ! -f "$stamp" ]; then
  .venv/bin/pip install -q -e ".[${extras}]"
  touch "$stamp"
fi

if [ "$want_test" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: chromium is missing and we are not root; browser tests will fail" >&2
  fi
fi
