#!/usr/bin/env bash
# A throwaway PostgreSQL server for the storage tests (test/store, test/recommend).
#
#   eval "$(bash scripts/pg-test-server.sh start)"   # prints: export HMP_TEST_PG_URL=postgres://...
#   npx vitest run test/store test/recommend
#   bash scripts/pg-test-server.sh stop
#
# Runs Debian's server binaries (apt-get install -y postgresql) from /usr/lib/postgresql/*/bin
# as the `postgres` user (initdb refuses root) on a fresh temporary data directory, listening
# on 127.0.0.1 only, with trust authentication (loopback only, throwaway data). Port:
# HMP_TEST_PG_PORT (default 54329). State (data dir, port) is kept in
# ${TMPDIR:-/tmp}/hmp-pg-test.state so `stop` finds the cluster; `stop` deletes the data.
set -euo pipefail

state="${TMPDIR:-/tmp}/hmp-pg-test.state"
port="${HMP_TEST_PG_PORT:-54329}"

bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -z "$d" || ! -x "$d/initdb" ]]; then
    echo "pg-test-server: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin; run: apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "$d"
}

# Runs a command as the postgres user when we are root, else as ourselves.
as_pg() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local bin data
  bin="$(bindir)"
  if [[ -f "$state" ]]; then
    local old_data old_port
    read -r old_data old_port <"$state"
    if [[ -d "$old_data" ]] && as_pg "$bin/pg_ctl" -D "$old_data" status >/dev/null 2>&1; then
      echo "pg-test-server: already running ($old_data, port $old_port); run stop first" >&2
      exit 1
    fi
    # Left over from a run that never stopped its server (machine restarted): forget it.
    rm -rf "$old_data" "$old_data.initdb.log" "$state"
  fi
  data="$(mktemp -d "${TMPDIR:-/tmp}/hmp-pg-test.XXXXXX")"
  if [[ "$(id -u)" -eq 0 ]]; then chown postgres: "$data"; fi
  chmod 700 "$data"
  as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$data.initdb.log" 2>&1 || {
    cat "$data.initdb.log" >&2
    exit 1
  }
  # fsync off: the data is thrown away, and it makes the suite several times faster on slow disks.
  as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    start >&2 || {
    cat "$data/server.log" >&2
    exit 1
  }
  echo "$data $port" >"$state"
  echo "export HMP_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local bin data p
  bin="$(bindir)"
  if [[ ! -f "$state" ]]; then
    echo "pg-test-server: not started" >&2
    return 0
  fi
  read -r data p <"$state"
  as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
  rm -rf "$data" "$data.initdb.log" "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
