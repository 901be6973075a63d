#!/usr/bin/env bash
# The test command: set-up, a fresh database with the addon installed, every test
# (pure, HTTP against the local QuickBooks server, browser tours) and lint.
# Exits non-zero on any failure; the last line is `total: N passed, N failed[, N skipped]`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/scripts/setup.sh"
source "$here/scripts/lib.sh"

DB="qbo_test_$$"
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$WORK/data/filestore/$DB"; }
trap cleanup EXIT
echo "[test] fresh database $DB with quickbooks_online installed"
new_db "$DB"
odoo -d "$DB" -i quickbooks_online --stop-after-init --log-level=warn

junit="$WORK/junit.xml"; rm -f "$junit"
echo "[test] pytest (addon tests, fake_qbo tests, tours)"
set +e
(cd "$WORK/addons/quickbooks_online" && OAUTHLIB_INSECURE_TRANSPORT=1 "$PY" -m pytest \
  --odoo-config="$ODOO_CONF" --odoo-database="$DB" --odoo-http --odoo-log-level=warn \
  -p no:cacheprovider -q -rfEs --junitxml="$junit" ${PYTEST_ARGS:-} tests fake_qbo/tests)
pytest_rc=$?
echo "[test] lint (ruff, pylint-odoo)"
(cd "$HERE" && "$PY" -m ruff check --quiet .); ruff_rc=$?
(cd "$WORK/addons" && "$PY" -m pylint --rcfile="$HERE/.pylintrc" --disable=manifest-required-author,missing-readme quickbooks_online); pylint_rc=$?
set -e
"$PY" "$HERE/scripts/summarize.py" "$junit" "$pytest_rc" "ruff=$ruff_rc" "pylint-odoo=$pylint_rc"
