#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the tests: data in a temp folder, 127.0.0.1 only, a free port, trust
# auth on loopback, database koan_test. Installs Debian's postgresql-15 first if its binaries are
# missing (needs root). Everything but the result goes to stderr, so:
#
#   eval "$(scripts/pg-test-server.sh)"            # sets KOAN_TEST_PG_URL and KOAN_TEST_PG_DIR
#   npx vitest run test/adapters/postgres.test.ts
#   scripts/pg-test-server.sh stop "$KOAN_TEST_PG_DIR"
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
DB=koan_test

log() { echo "[pg-test-server] $*" >&2; }

# as root, the server runs as the postgres user (PostgreSQL refuses to run as root)
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  local dir=${1:-${KOAN_TEST_PG_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    log "nothing to stop (give the folder printed as KOAN_TEST_PG_DIR)"
    return 0
  fi
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" stop -D "$dir/data" -m fast -w >&2 || log "pg_ctl stop failed; see $dir/server.log"
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
}

install() {
  if [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && id postgres >/dev/null 2>&1; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL 15 is not installed under $PG_BIN; as root, run: apt-get install postgresql-15"
    exit 1
  fi
  log "installing PostgreSQL 15 (Debian postgresql-15)…"
  # no default cluster: this script makes its own
  mkdir -p /etc/postgresql-common
  [ -f /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold postgresql-15 >&2
}

free_port() {
  node -e "const s = require('node:net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close() })"
}

start() {
  install
  local dir port
  dir=$(mktemp -d "${TMPDIR:-/tmp}/koan-pg-XXXXXX")
  chmod 755 "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  # anything that fails from here on leaves nothing behind
  trap 'log "failed; server log:"; cat "$dir/server.log" >&2 2>/dev/null || true; stop "$dir"' ERR
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; false; }
  # trust on loopback only: no other host lines, and the server listens on 127.0.0.1 alone
  printf '%s\n' 'local all all trust' 'host all all 127.0.0.1/32 trust' >"$dir/data/pg_hba.conf"
  local tries=0
  while :; do
    port=$(free_port)
    if as_pg "$PG_BIN/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 3 ]; then log "could not start the server"; false; fi
    log "port $port was taken, trying another"
  done
  for _ in $(seq 1 60); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then break; fi
    sleep 0.5
  done
  "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$port" -U postgres >&2
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB"
  trap - ERR
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
  echo "export KOAN_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/$DB"
  echo "export KOAN_TEST_PG_DIR=$dir"
}

case "${1:-start}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) log "usage: $0 [start|stop [dir]]"; exit 2 ;;
esac
