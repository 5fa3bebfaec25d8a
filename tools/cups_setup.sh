#!/usr/bin/env bash
# Test printers for the CUPS printing tests (tests/services/documents/test_cups_print.py, tests/ui/...).
#
#   tools/cups_setup.sh      install CUPS + cups-pdf if missing, start cupsd if it is not running,
#                            and (re)create two queues; safe to run again and again.
#
#   InspectorPDF     cups-pdf: every job becomes a PDF in $OUT_ROOT/<user>/job_<id>-<title>.pdf
#   InspectorBroken  a backend that takes the job's data and then fails like a jammed printer;
#                    error policy abort-job, so CUPS marks the job aborted (nothing printed).
#
# Exit status: 0 ready; 77 cannot set CUPS up here (not root and no password-less sudo, or no
# apt-get) — the tests skip with this script's message; anything else is a real failure.
# No systemd is needed: cupsd is started directly and keeps running after this script.
set -euo pipefail

OUT_ROOT=/var/spool/cups-pdf-inspector
PPD=/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd
FAIL_BACKEND=/usr/lib/cups/backend/inspector-fail
export LC_ALL=C LANG=C
# Talk to the local scheduler this script starts, whatever the caller's client.conf says.
export CUPS_SERVER=/run/cups/cups.sock

if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "cups_setup: needs root or password-less sudo to install and configure CUPS" >&2
  exit 77
fi
as_root() { "${SUDO[@]}" "$@"; }

# -- packages ---------------------------------------------------------------------------------
missing=0
for f in /usr/sbin/cupsd /usr/bin/lp /usr/bin/lpstat /usr/sbin/lpadmin /usr/bin/cancel \
  /usr/sbin/cupsenable /usr/bin/ipptool /usr/bin/pdftocairo /usr/lib/cups/backend/cups-pdf "$PPD"; do
  [ -e "$f" ] || missing=1
done
if [ "$missing" = 1 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "cups_setup: CUPS is not installed and there is no apt-get to install it" >&2
    exit 77
  fi
  pkgs=(cups cups-client cups-ipp-utils printer-driver-cups-pdf poppler-utils)
  log=$(mktemp)
  apt_install() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
      install -y -qq --no-install-recommends "${pkgs[@]}" >"$log" 2>&1
  }
  # a fresh container has no package lists yet: update once and try again
  if ! apt_install; then
    as_root apt-get -o DPkg::Lock::Timeout=300 update -qq >"$log" 2>&1 || true
    if ! apt_install; then
      echo "cups_setup: apt-get install ${pkgs[*]} failed:" >&2
      tail -n 20 "$log" >&2
      rm -f "$log"
      exit 1
    fi
  fi
  rm -f "$log"
fi

# -- configuration (written only when it differs, so a running cupsd is not disturbed) ---------
put() {  # put PATH MODE < content
  local tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if ! as_root cmp -s "$tmp" "$1" 2>/dev/null; then
    as_root install -m "$2" -o root -g root "$tmp" "$1"
  fi
  rm -f "$tmp"
}

# cups-pdf reads /etc/cups/cups-pdf-<name>.conf for the device URI cups-pdf:/<name>; the
# system-wide cups-pdf.conf (other users' ~/PDF) stays untouched.
put /etc/cups/cups-pdf-inspector.conf 0644 <<EOF
# Written by tools/cups_setup.sh for the InspectorPDF test queue.
Out ${OUT_ROOT}/\${USER}
Label 1
TitlePref 1
EOF
as_root mkdir -p "$OUT_ROOT"
as_root chmod 0755 "$OUT_ROOT"

put "$FAIL_BACKEND" 0755 <<'EOF'
#!/bin/sh
# CUPS backend for tests (tools/cups_setup.sh): takes the job's data, then fails like a printer
# that jams after the first page. With printer-error-policy=abort-job the job ends "aborted".
if [ $# -eq 0 ]; then
  echo 'direct inspector-fail "Unknown" "Inspector failing printer (tests only)"'
  exit 0
fi
echo "INFO: Printing page 1" >&2
cat "${6:--}" >/dev/null
echo "ERROR: Paper jam after page 1 (simulated failure)" >&2
exit 1
EOF

# -- the scheduler ------------------------------------------------------------------------------
running() { lpstat -r 2>/dev/null | grep -q "scheduler is running"; }
if ! running; then
  as_root /usr/sbin/cupsd  # forks into the background once it is listening
  for _ in $(seq 1 100); do
    running && break
    sleep 0.1
  done
  if ! running; then
    echo "cups_setup: cupsd did not start; see /var/log/cups/error_log" >&2
    exit 1
  fi
fi

# -- the queues ---------------------------------------------------------------------------------
admin() {  # lpadmin without its "printer drivers are deprecated" notice, unless it fails
  local err
  if ! err=$(as_root lpadmin "$@" 2>&1); then
    echo "cups_setup: lpadmin $* failed: $err" >&2
    exit 1
  fi
}
# pdftocairo keeps the text (ToUnicode) through CUPS's PDF -> PostScript step; Ghostscript and
# poppler's pdftops turn CJK text into unmapped glyphs.
admin -p InspectorPDF -v cups-pdf:/inspector -E -P "$PPD" \
  -o pdftops-renderer-default=pdftocairo -o printer-error-policy=abort-job
admin -p InspectorBroken -v inspector-fail:/ -E -P "$PPD" \
  -o pdftops-renderer-default=pdftocairo -o printer-error-policy=abort-job
# leftovers of an interrupted run must not hold up the next one
as_root cancel -a InspectorPDF InspectorBroken >/dev/null 2>&1 || true
as_root cupsenable InspectorPDF InspectorBroken
as_root cupsaccept InspectorPDF InspectorBroken

for q in InspectorPDF InspectorBroken; do
  if ! lpstat -p "$q" >/dev/null 2>&1; then
    echo "cups_setup: queue $q is missing after set-up" >&2
    exit 1
  fi
done
echo "cups_setup: CUPS ready (InspectorPDF -> ${OUT_ROOT}/<user>/, InspectorBroken fails mid-job)"
