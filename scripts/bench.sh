#!/usr/bin/env bash
# The sync benchmark: a fresh database with the addon, the local QuickBooks server, then
# scripts/bench_sync.py (first pull, bulk push, no-change sync, 10 changes) on N customers.
#
#   bash scripts/bench.sh [N] [--profile DIR] [--pull-only]     # N defaults to 1000
#   (--pull-only: the first download and its floor alone, e.g. for N = 100000)
#   bash scripts/bench.sh [N] --items [--profile DIR]            # products: scripts/bench_items.py
#   bash scripts/bench.sh [N] --invoices [--profile DIR]         # invoices of 5 lines: scripts/bench_invoices.py
#   bash scripts/bench.sh [N] --payments [--profile DIR]         # payments, a third split: scripts/bench_payments.py
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-1000}"; shift || true

bash "$here/scripts/setup.sh"
source "$here/scripts/lib.sh"
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

DB="qbo_bench_$$"
port="$(free_port)"
FAKE_URL="http://127.0.0.1:$port"
fake_pid=""
cleanup() {
  set +e
  if [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; then wait "$fake_pid" 2>/dev/null; fi
  dropdb --if-exists "$DB" >/dev/null 2>&1; rm -rf "$DATA/filestore/$DB" "$WORK/run.$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "[bench] fresh database $DB with quickbooks_online installed"
new_db "$DB"
odoo -d "$DB" -i quickbooks_online --stop-after-init --log-level=warn

echo "[bench] local QuickBooks server on $FAKE_URL"
# Its own process, so that its CPU and memory are not counted as Odoo's.
(cd "$here" && exec "$PY" -m fake_qbo --host 127.0.0.1 --port "$port" --auto-approve) &
fake_pid=$!
for _ in $(seq 1 30); do
  "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$FAKE_URL/.well-known/openid_configuration" 2>/dev/null && break
  sleep 1
done

echo "[bench] N = $n"
script="$here/scripts/bench_sync.py"
if [ "${1:-}" = "--items" ]; then script="$here/scripts/bench_items.py"; shift; fi
if [ "${1:-}" = "--invoices" ]; then script="$here/scripts/bench_invoices.py"; shift; fi
if [ "${1:-}" = "--payments" ]; then script="$here/scripts/bench_payments.py"; shift; fi
"$PY" "$script" -c "$ODOO_CONF" -d "$DB" --fake-url "$FAKE_URL" -n "$n" "$@"
