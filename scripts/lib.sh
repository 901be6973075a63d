# Sourced by scripts/test.sh and scripts/demo.sh after scripts/setup.sh has run.
# Defines: HERE, PY, WORK, ODOO_BIN, ODOO_CONF, PGHOST, PGPORT, PGUSER, and helpers.
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The interpreter scripts/setup.sh installed into: the project's virtual environment unless
# PYTHON names another (an existing Odoo server's).
PY="${PYTHON:-${XDG_CACHE_HOME:-$HOME/.cache}/quickbooks_online/venv/bin/python}"
PGHOST="${PGHOST:-127.0.0.1}"; PGPORT="${PGPORT:-5432}"; PGUSER="${PGUSER:-$(id -un)}"
export PGHOST PGPORT PGUSER
# One work folder per clone, outside it: Odoo finds the addon by its folder name, so the
# clone is copied there as `quickbooks_online` whatever the clone's own folder is called
# (a copy, not a link: pytest resolves links and would name the modules after the clone).
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/quickbooks_online"
WORK="${QBO_WORKDIR:-$CACHE/$(printf '%s' "$HERE" | sha1sum | cut -c1-10)}"
# Databases (and so the template databases) are shared by every clone on the machine:
# so is the filestore that goes with them.
DATA="$CACHE/data"
# Each run gets its own copy, so two runs (a developer's and CI's) never pull files from
# under each other; it is removed when the run ends.
ADDONS="$WORK/run.$$/addons"
mkdir -p "$ADDONS/quickbooks_online" "$DATA"
(cd "$HERE" && tar --exclude=.git --exclude=__pycache__ -cf - .) | tar -xf - -C "$ADDONS/quickbooks_online"
ADDON_COPY="$ADDONS/quickbooks_online"
ODOO_ROOT="$("$PY" -c 'import importlib.util as u; import os; print(os.path.dirname(u.find_spec("odoo").submodule_search_locations[0]))')"
ODOO_BIN="$ODOO_ROOT/odoo-bin"
[ -f "$ODOO_BIN" ] || ODOO_BIN="$(command -v odoo || true)"
addons="$ODOO_ROOT/odoo/addons"
[ -d "$ODOO_ROOT/addons" ] && addons="$addons,$ODOO_ROOT/addons"
ODOO_CONF="$WORK/run.$$/odoo.conf"
cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $addons,$ADDONS
data_dir = $DATA
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
http_interface = 127.0.0.1
list_db = True
CONF
# The real QuickBooks payloads the tests compare against live beside the clone (CI has them);
# tests read them where they are, through this variable, and skip with a reason without them.
if [ -z "${QBO_FIXTURES:-}" ] && [ -d "$HERE/../shared/qbo_fixtures" ]; then
  QBO_FIXTURES="$(cd "$HERE/../shared/qbo_fixtures" && pwd)"; export QBO_FIXTURES
fi
# sale_crm is no dependency of the addon: installed beside it so that the sales-stage tests and
# the demo's opportunities run (without it, nothing of the stages shows).
ADDON_DEPS="account,sale_management,contacts,sale_crm"

odoo() { "$PY" "$ODOO_BIN" -c "$ODOO_CONF" "$@"; }

# Copy (or first build) a template database with Odoo's own modules the addon depends on:
# ~6 s instead of ~60 s for every fresh test or demo database.
new_db() {  # new_db NAME [demo]  -> NAME has the dependencies installed, not the addon
  local name="$1" demo="${2:-}" key tmpl
  key="$(cat "$ODOO_ROOT/odoo/release.py" <(echo "$ADDON_DEPS $demo") | sha1sum | cut -c1-8)"
  tmpl="qbo_tmpl_${demo:+demo_}$key"
  (
    flock 9  # two runs at once build it once
    if ! psql -d postgres -Atqc "select 1 from pg_database where datname='$tmpl'" | grep -q 1; then
      echo "[db] building template $tmpl (first run only, about a minute)"
      local flags=(--without-demo=all); [ -n "$demo" ] && flags=()
      dropdb --if-exists "$tmpl.tmp"
      odoo -d "$tmpl.tmp" -i "$ADDON_DEPS" "${flags[@]}" --stop-after-init --log-level=warn \
        || { echo "[db] ERROR: Odoo could not install $ADDON_DEPS" >&2; exit 1; }
      psql -d postgres -qc "ALTER DATABASE \"$tmpl.tmp\" RENAME TO \"$tmpl\""
      rm -rf "$DATA/filestore/$tmpl"
      if [ -d "$DATA/filestore/$tmpl.tmp" ]; then mv "$DATA/filestore/$tmpl.tmp" "$DATA/filestore/$tmpl"; fi
    fi
  ) 9>"$CACHE/template.lock" || return 1
  dropdb --if-exists "$name"
  # A template being copied by another run is busy for a moment: retry.
  local try
  for try in 1 2 3 4 5 6 7 8 9 10; do createdb -T "$tmpl" "$name" 2>/dev/null && break; sleep 2; done
  [ "$try" -lt 10 ] || createdb -T "$tmpl" "$name"
  rm -rf "$DATA/filestore/$name"
  [ -d "$DATA/filestore/$tmpl" ] && cp -r "$DATA/filestore/$tmpl" "$DATA/filestore/$name"
  return 0
}
