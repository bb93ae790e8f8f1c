#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite: a new cluster in a temporary folder,
# listening on loopback only, owned by the 'postgres' system user. Source this file, then
#   start_test_postgres   # exports DATABASE_URL
#   stop_test_postgres
set -euo pipefail

_pg_bin() {
  local version
  version=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] || return 1
  echo "/usr/lib/postgresql/$version/bin"
}

install_postgres() {
  _pg_bin >/dev/null && return
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "[postgres] installing the PostgreSQL server from Debian"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_test_postgres() {
  install_postgres
  local bin; bin=$(_pg_bin)
  CSPLAN_PG_DIR=$(mktemp -d /tmp/csplan-pg.XXXXXX)
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$CSPLAN_PG_DIR"
  CSPLAN_PG_PORT=$(_free_port)
  _as_postgres "$bin/initdb" -D "$CSPLAN_PG_DIR/data" -U csplan --auth=trust -E UTF8 >/dev/null
  _as_postgres "$bin/pg_ctl" -D "$CSPLAN_PG_DIR/data" -l "$CSPLAN_PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $CSPLAN_PG_PORT -k $CSPLAN_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
  export CSPLAN_PG_DIR CSPLAN_PG_PORT
  export DATABASE_URL="postgres://csplan@127.0.0.1:$CSPLAN_PG_PORT/postgres"
  echo "[postgres] test server on 127.0.0.1:$CSPLAN_PG_PORT"
}

stop_test_postgres() {
  [ -n "${CSPLAN_PG_DIR:-}" ] || return 0
  local bin; bin=$(_pg_bin)
  _as_postgres "$bin/pg_ctl" -D "$CSPLAN_PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$CSPLAN_PG_DIR"
  unset CSPLAN_PG_DIR DATABASE_URL
}
