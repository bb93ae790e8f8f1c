#!/usr/bin/env bash
# Installs everything csplan needs on a fresh Debian machine, and is quick when it is all there:
# Debian packages (Chromium for browser tests, Pango for PDF), the Python virtual environment,
# govuk-frontend from npm, and the separate environment for the DfE SSDA903 validator.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

DEBIAN_PACKAGES=(chromium fonts-dejavu-core fonts-liberation libpango-1.0-0 libpangoft2-1.0-0 poppler-utils)

install_debian_packages() {
  local missing=()
  for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  if ! command -v apt-get >/dev/null; then
    say "cannot install ${missing[*]}: no apt-get; install them by hand"; return
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Re-installs only when the file that lists the packages changes.
stamp_matches() { [ -f "$2" ] && [ "$(cat "$2")" = "$(sha256sum "$1" | cut -d' ' -f1)" ]; }
write_stamp() { sha256sum "$1" | cut -d' ' -f1 >"$2"; }

install_python() {
  [ -x .venv/bin/python ] || python3 -m venv .venv
  if ! stamp_matches pyproject.toml .venv/.csplan-stamp; then
    say "installing Python packages into .venv"
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e ".[test,postgres]"
    write_stamp pyproject.toml .venv/.csplan-stamp
  fi
}

install_frontend() {
  if ! stamp_matches package-lock.json node_modules/.csplan-stamp; then
    say "installing govuk-frontend from npm"
    npm ci --no-audit --no-fund --loglevel=error
    write_stamp package-lock.json node_modules/.csplan-stamp
  fi
}

install_validator() {
  # csc-validator-be-903 pins pandas<2 and numpy<1.25, so it lives in its own environment.
  [ -x .venv-903/bin/python ] || python3 -m venv .venv-903
  if ! stamp_matches requirements-903.txt .venv-903/.csplan-stamp; then
    say "installing the DfE SSDA903 validator into .venv-903"
    .venv-903/bin/pip install -q --upgrade pip
    .venv-903/bin/pip install -q -r requirements-903.txt
    write_stamp requirements-903.txt .venv-903/.csplan-stamp
  fi
}

install_debian_packages
install_python
install_frontend
install_validator
say "ready"
