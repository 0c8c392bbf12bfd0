#!/usr/bin/env bash
# Start a private PostgreSQL for the tests and print its URL on stdout (nothing else goes there).
# The cluster lives in its own folder on its own port, listens on 127.0.0.1 only and trusts local
# connections: it touches no other cluster on the machine. Debian's server refuses to run as root,
# so as root it runs as the postgres user.
set -euo pipefail
log() { echo "postgres.sh: $*" >&2; }

PORT=${COMPANION_PG_PORT:-54329}
DIR=${COMPANION_PG_DIR:-/tmp/companion-test-pg-$PORT}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] && command -v pg_ctl >/dev/null 2>&1; then bin=$(dirname "$(command -v pg_ctl)"); fi
if [ -z "$bin" ]; then
  log "PostgreSQL is not installed (make system-deps installs it as root)."
  exit 1
fi
run() {  # run a command as the cluster's owner
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
if [ ! -s "$DIR/PG_VERSION" ]; then
  log "creating a private cluster in $DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres "$DIR"
  run "$bin/initdb -D '$DIR' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null"
fi
if ! run "$bin/pg_ctl -D '$DIR' status" >/dev/null 2>&1; then
  log "starting it on 127.0.0.1:$PORT"
  run "$bin/pg_ctl -D '$DIR' -l '$DIR/server.log' -w -o \"-p $PORT -k '$DIR' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >&2
fi
psql() { run "$bin/psql -h 127.0.0.1 -p $PORT -U postgres -qAt -c \"$1\""; }
psql "select 1 from pg_database where datname='companion_test'" | grep -q 1 \
  || psql "create database companion_test" >&2
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/companion_test"
