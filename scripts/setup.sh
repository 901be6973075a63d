#!/usr/bin/env bash
# Shared, idempotent set-up for the demo and the test commands.
#
# Makes a Debian/Ubuntu machine ready to run the addon:
#   1. Odoo 18 importable as `odoo` by python3 (an existing install, or the source
#      tree named by $ODOO_SRC, which is then linked into site-packages);
#   2. Odoo's and this project's Python dependencies;
#   3. PostgreSQL reachable on $PGHOST:$PGPORT (started when installed but down);
#   4. Chromium for the browser tours.
# Prints `export` lines nothing; callers source scripts/env.sh afterwards.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
stamp_dir="${XDG_CACHE_HOME:-$HOME/.cache}/quickbooks_online"
mkdir -p "$stamp_dir"
# --- 0. The project's own virtual environment ----------------------------------
# Everything is installed there, never into the system Python (Odoo's pins would downgrade
# packages other programs use). PYTHON=/path/to/python uses that interpreter instead: an
# existing Odoo server's (its environment then gets the addon's dependencies).
if [ -z "${PYTHON:-}" ]; then
  VENV="$stamp_dir/venv"
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the project's virtual environment $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed: install the python3-venv package."
  fi
  PY="$VENV/bin/python"
else
  PY="$PYTHON"
fi

# --- 1. Odoo 18 ------------------------------------------------------------
# Locate the package without importing it: its dependencies may not be installed yet.
odoo_pkg() { "$PY" -c 'import importlib.util as u; s = u.find_spec("odoo"); print(s.submodule_search_locations[0])' 2>/dev/null || true; }
odoo_version() { local p; p="$(odoo_pkg)"; [ -n "$p" ] && sed -n 's/^version_info = (\([0-9]*\),.*/\1/p' "$p/release.py" || true; }
# Without ODOO_SRC, a plain copy of Odoo 18.0 is looked for: /opt/odoo18, else a local git
# mirror of it (ODOO_MIRROR, commit ODOO_COMMIT), exported once into the cache.
ODOO_MIRROR="${ODOO_MIRROR:-/work/.mirror/Disassembling-Odoo+core/repo}"
ODOO_COMMIT="${ODOO_COMMIT:-504b0670}"
if [ "$(odoo_version)" != "18" ] && [ -z "${ODOO_SRC:-}" ]; then
  if [ -f /opt/odoo18/odoo/release.py ]; then
    ODOO_SRC=/opt/odoo18
  elif git --git-dir="$ODOO_MIRROR" cat-file -e "$ODOO_COMMIT^{commit}" 2>/dev/null; then
    ODOO_SRC="$stamp_dir/odoo-18.0-$ODOO_COMMIT"
    if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
      say "exporting Odoo 18.0 ($ODOO_COMMIT) from $ODOO_MIRROR"
      rm -rf "$ODOO_SRC.part" && mkdir -p "$ODOO_SRC.part"
      git --git-dir="$ODOO_MIRROR" archive "$ODOO_COMMIT" | tar -x -C "$ODOO_SRC.part" \
        || die "could not export Odoo from $ODOO_MIRROR."
      rm -rf "$ODOO_SRC" && mv "$ODOO_SRC.part" "$ODOO_SRC"
    fi
  fi
fi
if [ "$(odoo_version)" != "18" ]; then
  if [ -n "${ODOO_SRC:-}" ]; then
    [ -f "$ODOO_SRC/odoo/release.py" ] || die "ODOO_SRC=$ODOO_SRC is not an Odoo source tree (no odoo/release.py)."
    grep -q "version_info = (18," "$ODOO_SRC/odoo/release.py" || die "ODOO_SRC=$ODOO_SRC is not Odoo 18.0."
    site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$(cd "$ODOO_SRC" && pwd)" > "$site/odoo18-src.pth"
    say "linked Odoo source $ODOO_SRC into $site"
  else
    die "Odoo 18 is not importable by $PY.
  Either install Odoo 18.0 Community for this Python, or get its source
  (git clone --depth 1 -b 18.0 https://github.com/odoo/odoo /opt/odoo18)
  and run again with ODOO_SRC=/opt/odoo18."
  fi
fi
[ "$(odoo_version)" = "18" ] || die "Odoo found at $(odoo_pkg) is not version 18."
odoo_root="$(dirname "$(odoo_pkg)")"

# --- 2. Python dependencies ------------------------------------------------
reqs=("$here/requirements.txt")
[ -f "$odoo_root/requirements.txt" ] && reqs+=("$odoo_root/requirements.txt")
digest="$( (cat "${reqs[@]}"; echo "$PY") | sha1sum | cut -c1-16)"
if [ ! -f "$stamp_dir/pip-$digest" ]; then
  say "installing Python dependencies (Odoo's and the addon's)"
  constraints="$stamp_dir/constraints.txt"
  # cbor2 5.4.2 builds from source and needs pkg_resources (gone in setuptools 81).
  echo 'setuptools<81' > "$constraints"
  args=(-r "$here/requirements.txt")
  if [ -f "$odoo_root/requirements.txt" ]; then
    # python-ldap needs system headers and serves only auth_ldap: leave it out.
    grep -v -i '^python-ldap' "$odoo_root/requirements.txt" > "$stamp_dir/odoo-requirements.txt"
    args+=(-r "$stamp_dir/odoo-requirements.txt")
  fi
  PIP_CONSTRAINT="$constraints" "$PY" -m pip install --quiet --disable-pip-version-check "${args[@]}" \
    || die "pip install failed (see above)."
  touch "$stamp_dir/pip-$digest"
fi

# --- 3. PostgreSQL ---------------------------------------------------------
PGHOST="${PGHOST:-127.0.0.1}"; PGPORT="${PGPORT:-5432}"
if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
  if ls /etc/postgresql/*/main >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null; then
    say "starting PostgreSQL"
    ver="$(ls /etc/postgresql | sort -n | tail -1)"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || service postgresql start || true
    for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
  fi
  command -v pg_isready >/dev/null || die "PostgreSQL is not installed: apt-get install postgresql (version 12 or later)."
  pg_isready -q -h "$PGHOST" -p "$PGPORT" \
    || die "PostgreSQL is not reachable on $PGHOST:$PGPORT. Start it, or set PGHOST/PGPORT/PGUSER."
fi

# --- 4. Chromium for tours ---------------------------------------------------
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null && ! command -v google-chrome >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Chromium (browser tours)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
      || die "could not install Chromium with apt-get."
  else
    die "Chromium is needed for the browser tours: install the 'chromium' package."
  fi
fi
"$PY" -c 'import odoo' || die "Odoo 18 does not import with $PY (see above)."
say "ready: Odoo 18 at $odoo_root, PostgreSQL on $PGHOST:$PGPORT"
