#!/usr/bin/env bash
# The addon as OCA publishes Odoo addons: build the wheel from the committed tree (whool, from
# pyproject.toml), install it into a fresh virtual environment that sees Odoo, and let
# `odoo-bin -i quickbooks_online` find the addon there, with no addons path naming this clone.
# Run by scripts/test.sh after the set-up (it uses PY, ODOO_BIN and new_db from lib.sh).
# Usage: bash scripts/check_wheel.sh   (exit 0 when Odoo installed the addon from the wheel)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$here/scripts/lib.sh"
tmp="$WORK/run.$$/wheel"
DB="qbo_wheel_$$"
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$DATA/filestore/$DB" "$WORK/run.$$"; }
trap cleanup EXIT
say() { printf '[wheel] %s\n' "$*"; }

# whool packages what git tracks, from a folder named after the addon: a clone of HEAD.
git clone --quiet "$here" "$tmp/quickbooks_online"
say "building the wheel"
"$PY" -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$tmp/dist" "$tmp/quickbooks_online"
wheel="$(ls "$tmp"/dist/odoo_addon_quickbooks_online-*.whl)"

# A fresh environment "with Odoo": the project environment's packages (Odoo's source is linked
# there, and its dependencies installed) seen through a .pth file, nothing of this clone.
python3 -m venv "$tmp/venv"
site="$("$tmp/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
"$PY" -c 'import sysconfig; print("import site; site.addsitedir(%r)" % sysconfig.get_paths()["purelib"])' \
  > "$site/project-env.pth"  # addsitedir: the .pth linking Odoo's source there is read too
# Odoo from source is no pip distribution, so the wheel's "odoo==18.0.*" cannot be resolved:
# --no-deps, then its Python dependencies are checked to be there.
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$wheel"
"$tmp/venv/bin/python" - "$wheel" <<'PY'
import sys, zipfile, importlib.metadata as md
with zipfile.ZipFile(sys.argv[1]) as z:
    meta = z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode()
wanted = [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Requires-Dist:")]
missing = [r for r in wanted if not r.startswith("odoo") and not any(
    d.metadata["Name"].lower().replace("_", "-") == r.split("=")[0].split("<")[0].split(">")[0].strip().lower()
    for d in md.distributions())]
if missing:
    sys.exit("[wheel] missing dependencies: %s" % missing)
import odoo.addons.quickbooks_online as addon
print("[wheel] the addon imports from", addon.__path__[0])
PY

conf="$tmp/odoo.conf"
sed "s|^addons_path = .*|addons_path = $ODOO_ROOT/odoo/addons,$ODOO_ROOT/addons|" "$ODOO_CONF" > "$conf"
new_db "$DB"
say "odoo-bin -i quickbooks_online, addons path without this clone"
"$tmp/venv/bin/python" "$ODOO_BIN" -c "$conf" -d "$DB" -i quickbooks_online --stop-after-init --log-level=warn
state="$(psql -d "$DB" -Atc "SELECT state FROM ir_module_module WHERE name = 'quickbooks_online'")"
[ "$state" = installed ] || { say "ERROR: quickbooks_online is '$state' after the install"; exit 1; }
say "installed from $(basename "$wheel")"
