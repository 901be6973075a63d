"""Benchmark of the customer sync against the local QuickBooks server (a script, not a test).

Run by scripts/bench.sh:  python3 scripts/bench_sync.py -c ODOO_CONF -d DB --fake-url URL -n N

Seeds the local server with N customers, connects through the real OAuth flow, then measures
(a) the first download, (b) the upload of N new Odoo partners, (c) a sync with no change and
(d) a sync after 10 changes (5 in Odoo, 5 in QuickBooks). For each: wall time, requests sent to
QuickBooks (the server's request log), SQL queries, peak RSS of this process; for the download
also a raw ORM create of the same partners (the floor) and the ratio to it. Prints a table.
The engine commits as it does in production (this is not a test transaction).

With ``--pull-only``, only (a) and the floor run (the upload of 100,000 partners takes long).
The benchmark's own bookkeeping holds ids, never every record's values: peak RSS is the
process's, so a step's figure is the engine's.
"""

import argparse
import cProfile
import io
import os
import pstats
import resource
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

# The fake server's default app credentials (fake_qbo/DESIGN.md).
FAKE_APP = {
    "quickbooks_online.client_id": "fake-client-id",
    "quickbooks_online.client_secret": "fake-client-secret",
}
# Every count but customers at 0: the benchmark measures customers alone.
SEED_ZERO = ("vendors", "categories", "items", "estimates", "invoices", "credit_memos", "payments",
             "sales_receipts")
# Seconds between two syncs: the default download interval.
CRON_INTERVAL = 15 * 60
# Partners read, created (the floor) or flagged per batch by the benchmark itself: its own memory
# stays bounded, whatever N.
BATCH = 1000
PARTNER_COPY_FIELDS = ("name", "is_company", "email", "phone", "mobile", "street", "street2", "city", "zip",
                       "country_id", "state_id", "website", "comment", "active", "lang")


class Control:
    """The few calls of the fake's control API (fake_qbo/control.py) the benchmark needs."""

    def __init__(self, url):
        self.url, self.session = url.rstrip("/"), requests.Session()

    def call(self, method, path, body=None):
        reply = self.session.request(method, f"{self.url}/_fake/{path}", json=body, timeout=600)
        reply.raise_for_status()
        return reply.json()


class Step:
    """Measures one step: wall time, CPU time of this process (the machine is shared: wall time
    varies with the load, CPU time less), API requests, SQL queries, peak RSS (reset before it
    when the kernel allows, else the process peak so far)."""

    def __init__(self, name, control, profile_dir=None):
        self.name, self.control, self.profile_dir = name, control, profile_dir
        self.extra = ""

    def __enter__(self):
        import odoo.sql_db  # noqa: PLC0415 -- Odoo is imported once the config is parsed

        self.sql_db = odoo.sql_db
        self.control.call("DELETE", "requests")
        self.rss_reset = _reset_peak_rss()
        self.sql0 = odoo.sql_db.sql_counter
        self.cpu0 = _cpu_seconds()
        self.profiler = cProfile.Profile() if self.profile_dir else None
        if self.profiler:
            self.profiler.enable()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.cpu = _cpu_seconds() - self.cpu0
        if self.profiler:
            self.profiler.disable()
            path = Path(self.profile_dir) / f"{self.name.split()[0].strip('()')}.prof"
            self.profiler.dump_stats(path)
            out = io.StringIO()
            pstats.Stats(self.profiler, stream=out).sort_stats("cumulative").print_stats(30)
            print(f"\n--- profile of {self.name} ({path}) ---\n{out.getvalue()}", file=sys.stderr)
        self.queries = self.sql_db.sql_counter - self.sql0
        self.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        log = self.control.call("GET", "requests?since=0")["requests"]
        api = [r for r in log if r["path"].startswith("/v3/")]
        self.requests = len(api)
        kinds = {}
        for r in api:
            kind = r["operation"] or r["path"].rsplit("/", 1)[-1]
            kinds[kind] = kinds.get(kind, 0) + 1
        self.kinds = kinds
        self.tokens = len(log) - len(api)
        # At once, not only in the final table: a long run (10,000 invoices take well over an
        # hour) that is stopped still leaves the steps it finished.
        print(f"[bench] {self.name}: {self.seconds:.2f} s wall, {self.cpu:.2f} s cpu, {self.requests} requests, "
              f"{self.queries} SQL, {self.peak_mb:.0f} MB peak", file=sys.stderr, flush=True)
        return False


def _cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _reset_peak_rss():
    """Reset the kernel's peak RSS of this process (Linux clear_refs 5); False when refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def connect(env, fake_url):
    """Connect the company to the local server through the real OAuth exchange."""
    params = env["ir.config_parameter"].sudo()
    for key, value in FAKE_APP.items():
        params.set_param(key, value)
    connection = env["qbo.connection"]._qbo_for_company(env.company, create=True)
    connection.write({"environment": "custom", "custom_base_url": fake_url})
    reply = requests.get(connection._qbo_authorization_url(), allow_redirects=False, timeout=30)
    query = {k: v[0] for k, v in parse_qs(urlsplit(reply.headers["Location"]).query).items()}
    connection._qbo_verify_state(query["state"])._qbo_oauth_complete(query["code"], query["realmId"])
    env.cr.commit()
    return connection


def pending_uploads(connection):
    return connection.env["qbo.binding"].search_count([
        ("connection_id", "=", connection.id), ("state", "=", "to_push")])


def push_all(connection, max_runs=1000):
    """Run the upload until nothing waits (a run takes a bounded chunk, as the cron does)."""
    runs = 0
    while True:
        connection._qbo_push()
        runs += 1
        connection.env.cr.commit()
        if not pending_uploads(connection) or runs >= max_runs:
            return runs


def upload_then_idle(connection, control, profile):
    """The steps every entity's benchmark ends with: (b) the upload of what was flagged, until
    nothing waits, (c) a sync with no change (after a download has read QuickBooks' copy of our
    own writes)."""
    cr = connection.env.cr
    with Step("(b) bulk push", control, profile) as push:
        runs = push_all(connection)
    push.extra = f"{runs} runs, {pending_uploads(connection)} left"
    control.call("POST", "clock", {"advance": 900})
    connection._qbo_pull()  # reads QuickBooks' copy of our own writes: skipped
    cr.commit()
    control.call("POST", "clock", {"advance": 900})
    with Step("(c) no change", control, profile) as idle:
        connection._qbo_push()
        connection._qbo_pull()
        cr.commit()
    return [push, idle]


def begin(description, what, seed, pull_only=False):
    """Parse the command line, seed the local server (``seed(n)``: the counts) and open Odoo.

    :return: (arguments, the control API, Odoo's registry, Odoo's ``api`` module)
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--fake-url", required=True)
    parser.add_argument("-n", type=int, default=1000, help=f"{what} seeded, and as many uploaded")
    parser.add_argument("--profile", metavar="DIR", help="cProfile each step; .prof files and top 30 lines")
    if pull_only:
        parser.add_argument("--pull-only", action="store_true", help="only the first download and its floor")
    args = parser.parse_args()
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)

    import odoo  # noqa: PLC0415
    from odoo import api  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    control = Control(args.fake_url)
    control.call("POST", "reset")
    control.call("POST", "seed", seed(args.n))
    return args, control, odoo.modules.registry.Registry(args.database), api


def first_pull(connection, control, profile, model):
    """(the measured first download, the ids of the ``model`` records it linked)."""
    cr = connection.env.cr
    with Step("(a) first pull", control, profile) as step:
        connection._qbo_pull()
        cr.commit()
    connection.env.invalidate_all()
    cr.execute("SELECT res_id FROM qbo_binding WHERE connection_id = %s AND res_model = %s "
               "AND res_id IS NOT NULL ORDER BY res_id", [connection.id, model])
    return step, [row[0] for row in cr.fetchall()]


def main():
    args, control, registry, api = begin(__doc__.splitlines()[0], "customers",
                                         lambda n: dict(dict.fromkeys(SEED_ZERO, 0), customers=n), pull_only=True)
    from odoo import SUPERUSER_ID  # noqa: PLC0415

    steps = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = connect(env, args.fake_url)
        connection.product_direction = "off"  # customers alone (scripts/bench_items.py: products)
        cr.commit()
        Partner = env["res.partner"]

        # (a) First download: a full import of the N customers.
        step, pulled_ids = first_pull(connection, control, args.profile, "res.partner")
        step.extra = f"{len(pulled_ids)} partners"
        steps.append(step)

        # The floor: the same partners created by the ORM alone, then rolled back; in one batch
        # up to BATCH partners, else in batches of BATCH (read and created, the cache emptied
        # after each), so that the floor's memory is bounded like the download's.
        def copies(ids):
            return [{k: v for k, v in vals.items() if k != "id"} for vals in Partner.with_context(
                active_test=False).browse(ids).read(PARTNER_COPY_FIELDS, load=None)]

        batches = [pulled_ids[i:i + BATCH] for i in range(0, len(pulled_ids), BATCH)]
        ready = copies(pulled_ids) if len(batches) <= 10 else None  # the README's figures: one create
        with Step("floor: ORM create", control) as floor:
            Floor = Partner.with_context(qbo_no_push=True, tracking_disable=True)
            if ready is not None:
                Floor.create(ready)
                cr.flush()
            else:
                for batch in batches:
                    Floor.create(copies(batch))
                    env.flush_all()
                    env.invalidate_all()
        cr.rollback()
        ready = None
        floor.extra = f"{len(pulled_ids)} partners" + ("" if len(batches) <= 10 else
                                                       f", read and created by {BATCH}")
        steps.append(floor)
        if args.pull_only:
            print_table(args.n, steps)
            return

        # (b) Upload of N new Odoo partners (created, flagged, then uploaded by repeated runs).
        for start in range(0, args.n, BATCH):
            Partner.create([{"name": f"Bench Partner {i:05d}", "email": f"bench{i:05d}@example.com",
                             "city": "Springfield", "is_company": True}
                            for i in range(start, min(start + BATCH, args.n))])
            cr.commit()
            env.invalidate_all()
        with Step("(b) bulk push", control, args.profile) as step:
            runs = push_all(connection)
        step.extra = f"{runs} runs, {pending_uploads(connection)} left"
        steps.append(step)

        # The first download after the upload reads QuickBooks' copy of our own writes (and
        # skips them): measured apart, so that (c) is a sync with truly nothing new. Each
        # download comes one cron interval after the previous step: a download looks a minute
        # behind its watermark, and would read again what changed within that minute.
        control.call("POST", "clock", {"advance": CRON_INTERVAL})
        with Step("(b2) pull after push", control, args.profile) as step:
            connection._qbo_pull()
            cr.commit()
        steps.append(step)

        # (c) A sync with nothing changed on either side.
        control.call("POST", "clock", {"advance": CRON_INTERVAL})
        with Step("(c) no change", control, args.profile) as step:
            connection._qbo_push()
            connection._qbo_pull()
            cr.commit()
        steps.append(step)

        # (d) 10 changes: 5 partners edited in Odoo, 5 customers edited in QuickBooks.
        for partner in Partner.search([("name", "like", "Bench Partner")], limit=5):
            partner.phone = "+1 555 0100"
        cr.commit()
        customers = env["qbo.binding"].search([
            ("connection_id", "=", connection.id), ("res_id", "in", pulled_ids[:5])])
        for binding in customers:
            control.call("POST", "entity/Customer", {"Id": binding.qbo_id, "Notes": "edited in QuickBooks"})
        control.call("POST", "clock", {"advance": CRON_INTERVAL})
        with Step("(d) 10 changes", control, args.profile) as step:
            connection._qbo_push()
            connection._qbo_pull()
            cr.commit()
        steps.append(step)

    print_table(args.n, steps)


def print_table(n, steps):
    floor = next(s for s in steps if s.name.startswith("floor"))
    pull = steps[0]
    print(f"\nQuickBooks Online sync benchmark, N = {n:,}")
    header = f"{'step':<20} {'wall s':>8} {'cpu s':>8} {'API req':>8} {'SQL':>9} {'peak MB':>8}  detail"
    print(header)
    print("-" * len(header))
    for s in steps:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(s.kinds.items()))
        detail = "; ".join(p for p in (s.extra, kinds) if p)
        print(f"{s.name:<20} {s.seconds:>8.2f} {s.cpu:>8.2f} {s.requests:>8} {s.queries:>9} {s.peak_mb:>8.0f}"
              f"  {detail}")
    print(f"\nfirst pull / ORM floor: {pull.seconds / floor.seconds:.1f}x")


if __name__ == "__main__":
    main()
