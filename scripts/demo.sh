#!/usr/bin/env bash
# The demo: a local QuickBooks Online server with a seeded company, and Odoo with the addon on
# a fresh database (with Odoo's demo data), already connected to it through the real OAuth flow
# and synced both ways once (the 50 QuickBooks customers down, Odoo's demo partners up).
#
#   bash scripts/demo.sh           # then open the printed URL; Ctrl-C stops Odoo and the server
#   bash scripts/demo.sh --check   # the same, checks the first sync's counts and that Odoo answers, then stops (exit 0 = ok)
#
# Environment: ODOO_PORT (8069), QBO_FAKE_PORT (8765), QBO_DEMO_DB (qbo_demo).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
check=""
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

bash "$here/scripts/setup.sh"
source "$here/scripts/lib.sh"
say() { printf '[demo] %s\n' "$*"; }
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

if [ -n "$check" ]; then
  # A check must not collide with a demo (or anything else) already running.
  ODOO_PORT="${ODOO_PORT:-$(free_port)}"; QBO_FAKE_PORT="${QBO_FAKE_PORT:-$(free_port)}"
  DB="${QBO_DEMO_DB:-qbo_demo_check_$$}"
else
  ODOO_PORT="${ODOO_PORT:-8069}"; QBO_FAKE_PORT="${QBO_FAKE_PORT:-8765}"
  DB="${QBO_DEMO_DB:-qbo_demo}"
fi
FAKE_URL="http://127.0.0.1:$QBO_FAKE_PORT"
ODOO_URL="http://127.0.0.1:$ODOO_PORT"

fake_pid=""; odoo_pid=""
stop() {  # stop PID: the process itself (started with exec, never through a shell function)
  if [ -n "$1" ] && kill "$1" 2>/dev/null; then wait "$1" 2>/dev/null || true; fi
}
cleanup() {
  set +e
  stop "$odoo_pid"; stop "$fake_pid"
  if [ -n "$check" ]; then dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "${DATA:-$WORK/data}/filestore/$DB"; fi
  rm -rf "$WORK/run.$$"
}
# Odoo itself, so that $! is Odoo's pid (the `odoo` helper of lib.sh is a shell function).
odoo_serve() { exec "$PY" "$ODOO_BIN" -c "$ODOO_CONF" -d "$DB" --http-port "$ODOO_PORT" "$@"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() {  # wait_http URL SECONDS: until URL answers (Python, not curl: minimal machines lack it)
  local url="$1" n="$2"
  for _ in $(seq 1 "$n"); do
    "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$url" 2>/dev/null && return 0
    sleep 1
  done
  return 1
}

say "local QuickBooks server on $FAKE_URL (50 customers, consent auto-approved)"
(cd "$here" && exec "$PY" -m fake_qbo --host 127.0.0.1 --port "$QBO_FAKE_PORT" --seed 50 --auto-approve) &
fake_pid=$!
wait_http "$FAKE_URL/.well-known/openid_configuration" 30 \
  || { echo "[demo] ERROR: the local QuickBooks server did not start on port $QBO_FAKE_PORT" >&2; exit 1; }

say "fresh database $DB with demo data, installing quickbooks_online"
new_db "$DB" demo
odoo -d "$DB" -i quickbooks_online --stop-after-init --log-level=warn

say "connecting to QuickBooks through OAuth"
result="$("$PY" "$here/scripts/demo_connect.py" -c "$ODOO_CONF" -d "$DB" --fake-url "$FAKE_URL" --odoo-url "$ODOO_URL")"
say "$result"
# Check what was stored, from the database itself.
row="$(psql -d "$DB" -Atc "SELECT state || ' ' || realm_id FROM qbo_connection")"
realm="${result#connected realm=}"; realm="${realm%% *}"
[ "$row" = "connected $realm" ] \
  || { echo "[demo] ERROR: expected 'connected $realm' in qbo_connection, found '$row'" >&2; exit 1; }

say "first sync both ways: QuickBooks customers, items, categories, estimates, invoices, credit memos, payments and sales receipts down; Odoo's partners, products, quotations, posted invoices and payments up"
sync="$("$PY" "$here/scripts/demo_sync.py" -c "$ODOO_CONF" -d "$DB")"
say "$sync"
# Check from the database: as many links as counted, all synced, each with its QuickBooks id.
count() { local v="${sync##*"$1"=}"; echo "${v%%[[:space:]]*}"; }
synced="$(psql -d "$DB" -Atc "SELECT count(*) FROM qbo_binding WHERE state = 'synced' AND qbo_id IS NOT NULL")"
[ "$synced" = "$(count bindings)" ] && [ "$synced" = "$(count qbo_objects)" ] && [ "$(count downloaded)" -ge 50 ] \
  && [ "$(count qbo_item)" -gt 0 ] && [ "$(count qbo_category)" -gt 0 ] \
  && [ "$(count uploaded)" -gt 0 ] && [ "$(count errors)" = 0 ] \
  && [ "$(count payments_up)" -gt 0 ] && [ "$(count differ)" = 0 ] && [ "$(count qbo_estimate)" -gt 0 ] \
  || { echo "[demo] ERROR: expected every QuickBooks customer, item and category linked and synced, found $synced synced links after: $sync" >&2; exit 1; }

if [ -n "$check" ]; then
  (odoo_serve --log-level=warn --max-cron-threads=0) &
else
  (odoo_serve) &
fi
odoo_pid=$!
wait_http "$ODOO_URL/web/login" 120 || { echo "[demo] ERROR: Odoo did not answer on $ODOO_URL" >&2; exit 1; }
if [ -n "$check" ]; then
  say "check passed: Odoo answers on $ODOO_URL, connected to realm $realm, $synced customers, products, categories and documents synced both ways"
  exit 0
fi

cat <<EOF

  ==> QuickBooks Online demo is running
  Odoo:       $ODOO_URL/odoo/settings#quickbooks_online
  Login:      admin / admin
  QuickBooks: $FAKE_URL (local server; realm $realm)
  Ctrl-C stops Odoo and the QuickBooks server.

EOF
wait "$odoo_pid"
