"""Shared set-up of the sync tests: a connected company on the local QuickBooks server, runs
called as the crons call them, request-log helpers, and what every scenario checks at its end:
no duplicate on either side and no lost change, counted on the real QuickBooks side (the fake's
API, over HTTP)."""

import time
from collections import Counter
from datetime import timedelta

from odoo import fields
from odoo.addons.quickbooks_online.utils.mappers.common import first_email, undisambiguated
from odoo.addons.quickbooks_online.utils.qbo_client import PARAM_API_TIMEOUT
from odoo.tools import mute_logger

from .common import QBOFakeServerMixin


class SyncCaseMixin(QBOFakeServerMixin):
    """A connected company, runs as the crons run them, and the convergence checks."""

    def setUp(self):
        super().setUp()
        self._connect()
        self.Partner = self.env["res.partner"]
        self.Binding = self.env["qbo.binding"].sudo()
        self.push_cron = self.env.ref("quickbooks_online.ir_cron_qbo_push")
        self.pull_cron = self.env.ref("quickbooks_online.ir_cron_qbo_pull")

    # -- runs ----------------------------------------------------------------------------------
    def push(self):
        """One upload run, as the cron calls it (a cron never raises: nothing is caught here)."""
        self.env["qbo.connection"]._cron_qbo_push()

    def pull(self):
        self.env["qbo.connection"]._cron_qbo_pull()

    def make_retries_due(self):
        """Time passes: the backoff of temporarily failed records is over."""
        self.Binding.search([("next_retry_at", "!=", False)]).write(
            {"next_retry_at": fields.Datetime.now() - timedelta(seconds=1)})

    def last_run(self, direction="push"):
        return self.env["qbo.sync.run"].search([("direction", "=", direction)], limit=1)

    def binding(self, partners, connection=None):
        """The bindings of ``partners`` (one partner or many) on ``connection`` (default: the class's)."""
        return self.Binding.search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids),
                                    ("connection_id", "=", (connection or self.connection).id)])

    def make_partners(self, *names):
        """One company per name, each with its own e-mail made of its whole name
        ("Alpha Traders" -> alpha.traders@example.com): two names never share an address."""
        return self.Partner.create([{"name": name, "email": "%s@example.com" % name.replace(" ", ".").lower(),
                                     "is_company": True} for name in names])

    def lose_the_batch_reply(self, names):
        """Upload ``names``; QuickBooks creates them but its reply is lost (a timeout). Returns the
        partners, whose creates are in flight (requestid kept, no id), once QuickBooks holds them."""
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, "1")
        partners = self.make_partners(*names)
        mark = self.log_mark()
        self.control.fault("slow", match="/batch", delay=2)
        with mute_logger("odoo.addons.quickbooks_online.models.qbo_sync_push",
                         "odoo.addons.quickbooks_online.utils.qbo_client"):
            self.push()
        self.assertTrue(all(b.state == "to_push" and b.next_retry_at and b.request_id and not b.qbo_id
                            for b in self.binding(partners)), "in flight")
        deadline = time.monotonic() + 10
        while any(r["status"] is None for r in self.api_log(mark, "/batch")) and time.monotonic() < deadline:
            time.sleep(0.1)  # QuickBooks finishes the slow request: the customers exist there
        self.assertEqual(len(self.qbo_customers()), len(names))
        return partners

    # -- the QuickBooks side -------------------------------------------------------------------
    def qbo_customers(self, connection=None):
        """Every Customer of the connection's QuickBooks company (default: the class's), active or
        not, read through the API."""
        client = (connection or self.connection)._qbo_api_client()
        return list(client.query_all("Customer", "Active IN (true, false)"))

    def api_log(self, since=0, path=""):
        """The fake's request log of API calls (not OAuth) whose path contains ``path``."""
        return [r for r in self.control.requests(since) if r["path"].startswith("/v3/") and path in r["path"]]

    def log_mark(self):
        """The last request-log sequence number: later calls are this test's."""
        rows = self.control.requests(0)
        return rows[-1]["seq"] if rows else 0

    # -- convergence ---------------------------------------------------------------------------
    def assert_converged(self, partners, customers=None):
        """Each of ``partners`` is synced, once in QuickBooks (by name and by e-mail) and once in
        Odoo, and carries the same name and e-mail on both sides.

        :return: {partner: its QuickBooks Customer}
        """
        customers = customers if customers is not None else self.qbo_customers()
        by_id = {c["Id"]: c for c in customers}
        names = Counter(undisambiguated(c["DisplayName"]).casefold() for c in customers)
        emails = Counter((first_email((c.get("PrimaryEmailAddr") or {}).get("Address")) or "").casefold()
                         for c in customers)
        found = {}
        for partner in partners:
            binding = self.binding(partner)
            self.assertEqual(binding.state, "synced", f"{partner.name}: {binding.last_error}")
            customer = by_id.get(binding.qbo_id)
            self.assertTrue(customer, f"{partner.name}: QuickBooks has no Customer {binding.qbo_id}")
            self.assertEqual(undisambiguated(customer["DisplayName"]), partner.name)
            self.assertEqual(names[partner.name.casefold()], 1, f"{partner.name} twice in QuickBooks")
            if partner.email:
                self.assertEqual(customer["PrimaryEmailAddr"]["Address"], partner.email)
                self.assertEqual(emails[partner.email.casefold()], 1, f"{partner.email} twice in QuickBooks")
                self.assertEqual(self.Partner.with_context(active_test=False).search_count(
                    [("email", "=ilike", partner.email)]), 1, f"{partner.email} twice in Odoo")
            self.assertEqual(self.Partner.with_context(active_test=False).search_count(
                [("name", "=", partner.name)]), 1, f"{partner.name} twice in Odoo")
            found[partner] = customer
        return found
