#!/usr/bin/env bash
# A throwaway PostgreSQL for the reference server's tests (tests/sync/server/).
#
#   tools/postgres_setup.sh            install Debian's postgresql if initdb is missing; prints the
#                                      directory of its binaries. Safe to run again and again.
#   tools/postgres_setup.sh start DIR  (installs if needed) creates a cluster in DIR (a new or empty
#                                      directory), starts it on a free loopback port with fsync off
#                                      (on with INSPECTOR_PG_DURABLE=1, for benchmarks)
#                                      and prints its URL (as root, DIR's parents must be searchable
#                                      by the postgres user): postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
#   tools/postgres_setup.sh stop DIR   stops that cluster (the caller removes DIR).
#
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user (created by
# the Debian package). No systemd and no Debian cluster (pg_createcluster) are involved.
# Exit status: 0 ready; 77 PostgreSQL cannot be installed here (no root, no password-less sudo, or
# no apt-get) — the tests then fail with this script's message unless INSPECTOR_SKIP_PG=1.
set -euo pipefail
export LC_ALL=C.UTF-8 LANG=C.UTF-8

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

install_pg() {
  if find_bindir >/dev/null; then
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      echo "postgres_setup: PostgreSQL is not installed and installing it needs root or password-less sudo" >&2
      exit 77
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "postgres_setup: PostgreSQL is not installed and there is no apt-get to install it" >&2
    exit 77
  fi
  echo "postgres_setup: installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y -qq postgresql >/dev/null 2>&1; then
    "${sudo[@]}" apt-get update -qq >&2
    "${sudo[@]}" apt-get install -y -qq postgresql >&2
  fi
  find_bindir >/dev/null || {
    echo "postgres_setup: postgresql installed but no initdb found under /usr/lib/postgresql" >&2
    exit 1
  }
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd="${1:-install}"
case "$cmd" in
  install)
    install_pg
    find_bindir
    ;;
  start)
    dir="${2:?usage: postgres_setup.sh start DIR}"
    install_pg
    bin="$(find_bindir)"
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then
      chown postgres: "$dir"
      chmod 700 "$dir"
      if ! runuser -u postgres -- test -x "$dir"; then
        echo "postgres_setup: the user postgres cannot reach $dir (make its parent directories searchable)" >&2
        exit 1
      fi
    fi
    as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 || {
      cat "$dir.initdb.log" >&2
      exit 1
    }
    # tests run without durability; a benchmark asks for a production-like cluster
    speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    if [ "${INSPECTOR_PG_DURABLE:-0}" = 1 ]; then
      speed=""
    fi
    for _ in 1 2 3 4 5; do
      port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
      if as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 $speed -c max_connections=200" \
        start >/dev/null; then
        echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
        exit 0
      fi
    done
    cat "$dir/server.log" >&2 || true
    exit 1
    ;;
  stop)
    dir="${2:?usage: postgres_setup.sh stop DIR}"
    bin="$(find_bindir)"
    as_owner "$bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: tools/postgres_setup.sh [install | start DIR | stop DIR]" >&2
    exit 2
    ;;
esac
