#!/usr/bin/env bash
# The test command: set-up, a fresh database with the addon installed, every test
# (pure, HTTP against the local QuickBooks server, browser tours), lint and the packaging check.
# Exits non-zero on any failure; the last line is `total: N passed, N failed[, N skipped]`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The set-up installs into the project's own environment: the system Python's packages are
# compared before and after it (unless PYTHON names the interpreter to install into).
system_packages() { python3 -m pip freeze --all 2>/dev/null | sha1sum; }
[ -z "${PYTHON:-}" ] && before="$(system_packages)"
bash "$here/scripts/setup.sh"
system_rc=0
if [ -z "${PYTHON:-}" ] && [ "$before" != "$(system_packages)" ]; then
  echo "[test] FAILED: the set-up changed the system Python's packages"; system_rc=1
fi
source "$here/scripts/lib.sh"

DB="qbo_test_$$"
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$DATA/filestore/$DB" "$WORK/run.$$"; }
trap cleanup EXIT
echo "[test] fresh database $DB with quickbooks_online installed"
new_db "$DB"
odoo -d "$DB" -i quickbooks_online --stop-after-init --log-level=warn

# PYTEST_ARGS is split as the shell would split it, quotes included: -k "oauth or security".
eval "pytest_args=(${PYTEST_ARGS:-})"
set +e
echo "[test] pytest: fake_qbo (pure Python, no Odoo)"
(cd "$ADDON_COPY" && "$PY" -m pytest -p no:odoo -p no:cacheprovider -q -rfEs \
  --junitxml="$WORK/run.$$/junit-fake_qbo.xml" "${pytest_args[@]}" fake_qbo/tests)
fake_rc=$?
echo "[test] pytest: addon (pytest-odoo: ORM, HTTP, tours)"
(cd "$ADDON_COPY" && "$PY" -m pytest \
  --odoo-config="$ODOO_CONF" --odoo-database="$DB" --odoo-http --odoo-log-level=warn \
  -p no:cacheprovider -q -rfEs --junitxml="$WORK/run.$$/junit-addon.xml" "${pytest_args[@]}" tests)
addon_rc=$?
echo "[test] lint (ruff, pylint-odoo)"
(cd "$HERE" && "$PY" -m ruff check --quiet .); ruff_rc=$?
(cd "$ADDONS" && "$PY" -m pylint --rcfile="$HERE/.pylintrc" --disable=manifest-required-author,missing-readme --ignore=fake_qbo,scripts quickbooks_online); pylint_rc=$?
echo "[test] packaging: the wheel installs and Odoo finds the addon in it"
bash "$HERE/scripts/check_wheel.sh"; wheel_rc=$?
set -e
"$PY" "$HERE/scripts/summarize.py" "$WORK/run.$$/junit-fake_qbo.xml=$fake_rc" "$WORK/run.$$/junit-addon.xml=$addon_rc" \
  "ruff=$ruff_rc" "pylint-odoo=$pylint_rc" "wheel=$wheel_rc" "system-python-untouched=$system_rc"
