#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine (system packages, a virtual environment
# with the Python packages, a local PostgreSQL server), then run every test with coverage, the type
# check and the linter. Safe to run again: it skips what is there. No global pip: Debian's own Python
# refuses it (PEP 668), so everything goes into .venv/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v soffice >/dev/null || need_apt+=(libreoffice-calc)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
python3 -c "import ensurepip, venv" 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need_apt[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements-dev.txt

# A throwaway PostgreSQL database on localhost for the store's tests.
PG_VERSION="$(ls /usr/lib/postgresql | sort -n | tail -1)"
if ! pg_lsclusters -h | grep -q online; then
  pg_lsclusters -h | grep -q "^$PG_VERSION main" || $SUDO pg_createcluster "$PG_VERSION" main
  $SUDO pg_ctlcluster "$PG_VERSION" main start
fi
as_postgres() { if [ "$(id -u)" = "0" ]; then su postgres -s /bin/sh -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
as_postgres "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'toc_test') THEN
    CREATE ROLE toc_test LOGIN PASSWORD 'toc_test' CREATEDB;
  END IF;
END$$;
SQL
export TOC_TEST_DATABASE_URL="postgresql+psycopg://toc_test:toc_test@localhost:5432/postgres"
# Every test that needs chromium, LibreOffice or PostgreSQL must run here, not skip.
export TOC_REQUIRE_ALL=1

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -q --cov=logic --cov-report=term:skip-covered
