#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite: a temporary folder, a free port
# on 127.0.0.1, trust authentication (nothing but loopback can reach it) and fsync
# off, since the data is dropped at the end anyway.
#
# Sourced, it defines two functions:
#   herald_pg_start   starts the cluster and exports HERALD_TEST_DATABASE_URL
#   herald_pg_stop    stops it and removes its folder
# Run directly, `postgres-for-tests.sh start` prints the export line and leaves the
# cluster running; `postgres-for-tests.sh stop FOLDER` stops it again.
#
# When the PostgreSQL binaries are missing and we run as root (CI), they are
# installed from the distribution's packages. initdb refuses to run as root, so the
# cluster then belongs to the `postgres` OS user the package creates.

HERALD_PG_DIR=""

herald_pg_bindir() {
  local dir
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  # Debian keeps the server binaries out of PATH, one folder per major version.
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then
    echo "$dir"
    return 0
  fi
  return 1
}

herald_pg_install() {
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "postgres-for-tests: PostgreSQL is not installed, and installing it needs" \
      "root and apt-get (install the postgresql package yourself)" >&2
    return 1
  fi
  echo "postgres-for-tests: installing PostgreSQL from the Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >&2 ||
    { apt-get update -q >&2 && apt-get install -y -q postgresql >&2; }
}

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
herald_pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

herald_pg_free_port() {
  node -e "const s = require('node:net').createServer();
    s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"
}

herald_pg_start() {
  local bindir port base
  bindir="$(herald_pg_bindir)" || { herald_pg_install && bindir="$(herald_pg_bindir)"; } ||
    return 1

  # As root the folder must be one the postgres user can reach: /tmp, not TMPDIR.
  base="${TMPDIR:-/tmp}"
  if [ "$(id -u)" -eq 0 ]; then base=/tmp; fi
  HERALD_PG_DIR="$(mktemp -d "$base/herald-pg.XXXXXX")"
  chmod 755 "$HERALD_PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$HERALD_PG_DIR"; fi

  if ! herald_pg_as_owner "$bindir/initdb" -D "$HERALD_PG_DIR/data" -U postgres \
    --auth=trust --encoding=UTF8 --locale=C --no-sync >"$HERALD_PG_DIR/initdb.log" 2>&1; then
    cat "$HERALD_PG_DIR/initdb.log" >&2
    herald_pg_stop
    return 1
  fi

  # Test files run in parallel, each with its own Herald and pool: allow plenty.
  port="$(herald_pg_free_port)"
  if ! herald_pg_as_owner "$bindir/pg_ctl" -D "$HERALD_PG_DIR/data" -l "$HERALD_PG_DIR/log" \
    -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $port -k $HERALD_PG_DIR \
      -c max_connections=400 -c fsync=off -c synchronous_commit=off \
      -c full_page_writes=off" start >/dev/null; then
    cat "$HERALD_PG_DIR/log" >&2
    herald_pg_stop
    return 1
  fi

  export HERALD_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export HERALD_PG_DIR
  echo "postgres-for-tests: PostgreSQL running at $HERALD_TEST_DATABASE_URL" >&2
}

herald_pg_stop() {
  local dir="${1:-$HERALD_PG_DIR}" bindir
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ] && bindir="$(herald_pg_bindir)"; then
    herald_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 ||
      echo "postgres-for-tests: could not stop the cluster in $dir" >&2
  fi
  rm -rf "$dir"
  if [ "$dir" = "$HERALD_PG_DIR" ]; then HERALD_PG_DIR=""; fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      herald_pg_start
      echo "export HERALD_TEST_DATABASE_URL=$HERALD_TEST_DATABASE_URL"
      echo "# stop with: $0 stop $HERALD_PG_DIR"
      ;;
    stop) herald_pg_stop "${2:?usage: $0 stop FOLDER}" ;;
    *)
      echo "usage: $0 start | stop FOLDER" >&2
      exit 2
      ;;
  esac
fi
