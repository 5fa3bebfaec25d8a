#!/usr/bin/env bash
# The Debian packages Qt's platform plugin needs on this desktop (xcb: libxcb-cursor0, -icccm4, …;
# wayland: libwayland-*), for `./dev run`. Which plugins: QT_QPA_PLATFORM's, else wayland/xcb as
# WAYLAND_DISPLAY/DISPLAY say; the missing libraries are read with `ldd` on the plugin
# (inspector/ui/qt_startup.py). Silent and quick when nothing is missing or there is no display.
#
#   tools/qt_platform_setup.sh [PYTHON]
#
# Exit status: 0 ready (or nothing to check); 77 something is missing and cannot be installed here.
set -euo pipefail
PY="${1:-.venv/bin/python}"

platforms="$("$PY" -m inspector.ui.qt_startup platforms)"
[ -n "$platforms" ] || exit 0
# shellcheck disable=SC2086  # one word per platform
packages="$("$PY" -m inspector.ui.qt_startup packages $platforms)"
[ -n "$packages" ] || exit 0

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1 || { [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; }; then
  echo "qt_platform_setup: Qt ($platforms) needs: $packages — install them (as root, with apt-get)" >&2
  exit 77
fi
echo "== installing the system libraries Qt's $platforms platform needs: $packages"
$sudo apt-get update -qq
# shellcheck disable=SC2086  # one word per package
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages >/dev/null
