#!/usr/bin/env bash
# Sets up, then runs the linter and the whole test suite twice: on SQLite, then on a
# throwaway PostgreSQL server on loopback (skipped when CSPLAN_TEST_POSTGRES=0; when
# DATABASE_URL is already set, that server is used instead of a throwaway one).
# Extra arguments go to pytest, e.g. `scripts/test.sh -k hampshire`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
export CSPLAN_DATA_DIR="${CSPLAN_DATA_DIR:-$(mktemp -d)}"

run_suite() {
  local label=$1; shift
  echo "== test suite on $label =="
  set +e
  .venv/bin/python -m pytest -p no:cacheprovider "$@"
  local status=$?
  set -e
  return $status
}

if [ -n "${DATABASE_URL:-}" ]; then
  run_suite "$DATABASE_URL" "$@"
  exit $?
fi

sqlite_status=0
run_suite "SQLite" "$@" || sqlite_status=$?

postgres_status=0
if [ "${CSPLAN_TEST_POSTGRES:-1}" != "0" ]; then
  # shellcheck source=scripts/postgres.sh
  source scripts/postgres.sh
  trap stop_test_postgres EXIT
  start_test_postgres
  run_suite "PostgreSQL" -m "not reference" "$@" || postgres_status=$?
fi

echo "== SQLite: exit $sqlite_status; PostgreSQL: exit $postgres_status (0 = passed) =="
[ "$sqlite_status" -eq 0 ] && [ "$postgres_status" -eq 0 ]
