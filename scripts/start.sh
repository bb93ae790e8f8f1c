#!/usr/bin/env bash
# Sets up, loads the demo council into the SQLite database and starts the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/csplan init
.venv/bin/csplan demo --if-empty
exec .venv/bin/csplan serve "$@"
