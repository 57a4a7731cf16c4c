#!/usr/bin/env bash
# The test suite on PostgreSQL: starts a throw-away server, runs vitest against it, removes it.
#
#   bash scripts/pg-test.sh                          # the whole suite (npm run test:pg)
#   bash scripts/pg-test.sh -- test/some.test.ts     # vitest arguments after --
#
# Each test app then gets its own database fabrik_t_<random> on that server (test/helpers/db.ts reads
# FABRIK_TEST_PG_URL). The e2e tests are skipped unless FABRIK_E2E is set otherwise: they run the server
# on its embedded SQLite and do not depend on the database.
#
# Environment: FABRIK_PG_PORT (first port tried, default 54329), PG_BIN (folder of initdb and pg_ctl,
# default the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

cd "$(dirname "$0")/.."
[[ "${1:-}" == "--" ]] && shift

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [[ -z "$PG_BIN" || ! -x "$PG_BIN/initdb" ]]; then
  echo "pg-test: PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin)." >&2
  echo "pg-test: install them with: apt-get install -y postgresql   (or set PG_BIN)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: as root, run its programs as the postgres user.
if [[ $(id -u) -eq 0 ]]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "pg-test: running as root, but there is no 'postgres' user to run the server as." >&2
    exit 1
  fi
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

# The first free port from FABRIK_PG_PORT on (a developer may already run a server on 54329).
port="${FABRIK_PG_PORT:-54329}"
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 50); do
  port_in_use "$port" || break
  port=$((port + 1))
done
if port_in_use "$port"; then
  echo "pg-test: no free port from ${FABRIK_PG_PORT:-54329} on" >&2
  exit 1
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/fabrik-pg.XXXXXX")"
[[ $(id -u) -eq 0 ]] && chown postgres: "$dir"

started=0
cleanup() {
  if [[ $started -eq 1 ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "pg-test: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)"
# C.UTF-8: byte order for ORDER BY, as SQLite's default; Unicode upper/lower, as a real server.
as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
# Durability off: the cluster dies with the run. Socket in our folder: /var/run/postgresql may not be writable.
options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200"
options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB"
started=1
if ! as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$options" -w -t 60 start >/dev/null; then
  echo "pg-test: the server did not start:" >&2
  cat "$dir/server.log" >&2
  exit 1
fi
for _ in $(seq 1 60); do
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres && break
  sleep 0.5
done
"$PG_BIN/pg_isready" -h 127.0.0.1 -p "$port" -U postgres >/dev/null

export FABRIK_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
export FABRIK_E2E="${FABRIK_E2E:-skip}"
echo "pg-test: FABRIK_TEST_PG_URL=$FABRIK_TEST_PG_URL"
status=0
npx vitest run "$@" || status=$?
if [[ $status -ne 0 ]]; then
  # The server's own complaints (deadlocks, constraint names) help more than a stack trace.
  grep -E "ERROR|FATAL|PANIC" "$dir/server.log" | grep -v "does not exist" | tail -n 20 >&2 || true
fi
exit $status
