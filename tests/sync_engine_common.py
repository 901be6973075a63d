"""Shared set-up of the engine tests: a connected company on the local QuickBooks server."""

from .common import QBOFakeServerMixin


class SyncEngineCase(QBOFakeServerMixin):
    """A connected company; runs called as the crons call them; request-log helpers."""

    def setUp(self):
        super().setUp()
        self._connect()
        self.Partner = self.env["res.partner"]
        self.Binding = self.env["qbo.binding"].sudo()
        self.push_cron = self.env.ref("quickbooks_online.ir_cron_qbo_push")
        self.pull_cron = self.env.ref("quickbooks_online.ir_cron_qbo_pull")

    def push(self):
        self.env["qbo.connection"]._cron_qbo_push()

    def pull(self):
        self.env["qbo.connection"]._cron_qbo_pull()

    def binding(self, partner, connection=None):
        return self.Binding.search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id),
                                    ("connection_id", "=", (connection or self.connection).id)])

    def make_partners(self, *names):
        return self.Partner.create([{"name": name, "email": "%s@example.com" % name.replace(" ", ".").lower(),
                                     "is_company": True} for name in names])

    def qbo_customers(self, connection=None):
        """Every Customer of the connection's QuickBooks company, read through the API."""
        client = (connection or self.connection)._qbo_api_client()
        return list(client.query_all("Customer", "Active IN (true, false)"))

    def api_log(self, since=0):
        return [r for r in self.control.requests(since) if r["path"].startswith("/v3/")]

    def log_mark(self):
        rows = self.control.requests(0)
        return rows[-1]["seq"] if rows else 0

    def assert_converged(self, partners):
        customers = {c["Id"]: c for c in self.qbo_customers()}
        names = [c["DisplayName"] for c in customers.values()]
        for partner in partners:
            binding = self.binding(partner)
            self.assertEqual(binding.state, "synced", "%s: %s" % (partner.name, binding.last_error))
            self.assertEqual(customers[binding.qbo_id]["DisplayName"], partner.name)
            self.assertEqual(names.count(partner.name), 1, "%s twice in QuickBooks" % partner.name)
