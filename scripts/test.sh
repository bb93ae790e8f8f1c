#!/usr/bin/env bash
# Sets up, then runs the linter and the whole test suite (unit, web, browser, validator).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
export CSPLAN_DATA_DIR="${CSPLAN_DATA_DIR:-$(mktemp -d)}"
exec .venv/bin/python -m pytest "$@"
