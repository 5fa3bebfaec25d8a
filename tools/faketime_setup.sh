#!/usr/bin/env bash
# libfaketime (Debian's faketime) for the wrong-clock tests (tests/e2e/test_faketime_clock.py):
# a client process runs with LD_PRELOAD of the library and FAKETIME="-2d" or "+8h".
#
#   tools/faketime_setup.sh    install faketime if missing; print the library's path.
#
# Exit status: 0 ready (the path on stdout); 77 cannot install it here (not root and no
# password-less sudo, or no apt-get) — the tests skip with this script's message.
set -euo pipefail

find_lib() {
  dpkg -L libfaketime 2>/dev/null | grep -E '/libfaketime\.so\.1$' | head -n 1
}

lib="$(find_lib || true)"
if [ -z "$lib" ]; then
  if [ "$(id -u)" = 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "faketime_setup: needs root or password-less sudo to install faketime" >&2
    exit 77
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "faketime_setup: no apt-get on this machine to install faketime" >&2
    exit 77
  fi
  "${SUDO[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq faketime >&2
  lib="$(find_lib || true)"
fi
if [ -z "$lib" ] || [ ! -f "$lib" ]; then
  echo "faketime_setup: faketime installed but libfaketime.so.1 not found" >&2
  exit 1
fi
echo "$lib"
