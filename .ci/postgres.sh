#!/usr/bin/env bash
# Start a local PostgreSQL for the tests and print its URL on stdout (nothing else goes to stdout).
# Debian's server refuses to run as root, so the cluster is driven as the postgres user.
set -euo pipefail
log() { echo "postgres.sh: $*" >&2; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  log "PostgreSQL is not installed (make system-deps installs it as root)."
  exit 1
fi
read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1) || true
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  log "creating cluster $version/main"
  pg_createcluster "$version" main >&2
  read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
fi
if [ "$status" != "online" ]; then
  log "starting cluster $version/$cluster on port $port"
  if [ "$(id -u)" = 0 ]; then pg_ctlcluster "$version" "$cluster" start >&2
  else pg_ctlcluster "$version" "$cluster" start >&2 || { log "cannot start it as $(id -un)"; exit 1; }
  fi
fi
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sh -c "$1"; fi; }
for _ in $(seq 1 30); do
  as_postgres "psql -p $port -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 0.5
done
as_postgres "psql -p $port -qAtc \"select 1 from pg_roles where rolname='companion'\"" | grep -q 1 \
  || as_postgres "psql -p $port -qc \"create role companion login superuser password 'companion'\"" >&2
as_postgres "psql -p $port -qAtc \"select 1 from pg_database where datname='companion_test'\"" | grep -q 1 \
  || as_postgres "createdb -p $port -O companion companion_test" >&2
echo "postgresql+psycopg://companion:companion@127.0.0.1:$port/companion_test"
