"""Hostile data both ways: every record ends in a payload QuickBooks accepts or in a clear error
of its own, and the run always ends normally."""

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .sync_common import SyncCaseMixin

QUIET = ("odoo.addons.quickbooks_online.models.qbo_sync_engine",
         "odoo.addons.quickbooks_online.models.qbo_sync_push",
         "odoo.addons.quickbooks_online.models.qbo_sync_pull")
# QuickBooks' limits on the Customer's name fields (docs/QBO_API.md §10).
NAME_LIMITS = {"DisplayName": 500, "CompanyName": 100, "Title": 16, "GivenName": 100, "MiddleName": 100,
               "FamilyName": 100}
LONG_NAME = "Long " + "x" * 595


@tagged("post_install", "-at_install")
class TestSyncHostile(SyncCaseMixin, TransactionCase):

    def assert_valid_customer(self, customer):
        """The rules QuickBooks applies to names and e-mails (that its check of the fake mirrors)."""
        for field, limit in NAME_LIMITS.items():
            value = customer.get(field)
            if value is not None:
                self.assertTrue(0 < len(value) <= limit and not set(value) & set(":\t\n"), (field, value))
        address = (customer.get("PrimaryEmailAddr") or {}).get("Address")
        if address:
            self.assertLessEqual(len(address), 100)
            self.assertTrue(all("@" in a and "." in a for a in address.split(", ")), address)

    def test_hostile_partners_upload_or_fail_alone(self):
        self.control.user_write("Vendor", {"DisplayName": "Twin Peaks Ltd"})
        good = self.Partner.create([
            {"name": "Acme: Holdings", "is_company": True, "email": "acme@example.com"},
            {"name": LONG_NAME, "is_company": True, "email": "long@example.com"},
            {"name": "Zoë Ñandú 東京 Café 🚀", "email": "zoe@example.com"},
            {"name": "Listy Person", "email": "ana@example.com, Bob <bob@example.com>"},
            {"name": "Twin Peaks Ltd", "is_company": True, "email": "twin@example.com"},
            {"name": "Tab\tand\nnewline Co", "is_company": True},
        ])
        bad = self.Partner.create([
            {"name": " \t ", "email": "blank@example.com"},
            {"name": "Bad Mail", "email": "not-an-email"},
            {"name": "Long Phone", "phone": "+1 555 0100 ext. 1234567890 1234567890"},
        ])
        with mute_logger(*QUIET):
            self.push()
        run = self.last_run()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual((run.count_done, run.count_error), (len(good), len(bad)))
        customers = {c["Id"]: c for c in self.qbo_customers()}
        for partner in good:
            binding = self.binding(partner)
            self.assertEqual(binding.state, "synced", f"{partner.name!r}: {binding.last_error}")
            self.assert_valid_customer(customers[binding.qbo_id])
        by_name = {p.name: customers[self.binding(p).qbo_id] for p in good}
        self.assertEqual(by_name["Acme: Holdings"]["DisplayName"], "Acme\uff1a Holdings")
        self.assertEqual(by_name[LONG_NAME]["DisplayName"], LONG_NAME[:500])
        self.assertEqual(by_name["Zoë Ñandú 東京 Café 🚀"]["DisplayName"], "Zoë Ñandú 東京 Café 🚀")
        self.assertEqual(by_name["Listy Person"]["PrimaryEmailAddr"]["Address"], "ana@example.com, bob@example.com")
        self.assertEqual(by_name["Twin Peaks Ltd"]["DisplayName"], "Twin Peaks Ltd (2)")
        self.assertEqual(by_name["Tab\tand\nnewline Co"]["DisplayName"], "Tab and newline Co")
        expected = {" \t ": "name is empty", "Bad Mail": "not-an-email", "Long Phone": "at most 30"}
        for partner in bad:
            binding = self.binding(partner)
            self.assertEqual(binding.state, "error")
            self.assertFalse(binding.qbo_id)
            self.assertIn(expected[partner.name], binding.last_error)
            self.assertNotIn("Traceback", binding.last_error)
        self.assertEqual(len(customers), len(good))
        # Odoo keeps its own values: the next download changes nothing, the next upload sends nothing.
        self.pull()
        self.assertEqual(good.mapped("name"), ["Acme: Holdings", LONG_NAME, "Zoë Ñandú 東京 Café 🚀", "Listy Person",
                                               "Twin Peaks Ltd", "Tab\tand\nnewline Co"])
        self.assertEqual(good[3].email, "ana@example.com, Bob <bob@example.com>")
        mark = self.log_mark()
        self.push()
        self.assertEqual(self.api_log(mark), [], "nothing echoed back up")
        # A person fixes one of the bad records: it goes up, alone.
        bad[1].email = "bad.mail@example.com"
        self.push()
        self.assert_converged(bad[1])

    def test_hostile_customers_download(self):
        made = [self.control.user_write("Customer", payload) for payload in (
            {"DisplayName": "Ελένη Παπαδοπούλου", "PrimaryEmailAddr": {"Address": "eleni@example.com"}},
            {"DisplayName": "Two Mails Inc", "CompanyName": "Two Mails Inc",
             "PrimaryEmailAddr": {"Address": "first@example.com, second@example.com"}},
            {"DisplayName": "D" * 500},
            {"GivenName": "Only", "FamilyName": "Person"},
            {"DisplayName": "محمد & 李小龍 🙂", "Notes": "Line one\nLine <two> & three"},
        )]
        self.control.user_write("Vendor", {"DisplayName": "Vendor Only"})
        with mute_logger(*QUIET):
            self.pull()
        run = self.last_run("pull")
        self.assertEqual(run.state, "done", run.message)
        bindings = self.Binding.search([("qbo_id", "in", [c["Id"] for c in made])])
        partners = self.Partner.browse(bindings.mapped("res_id"))
        self.assertEqual(len(partners), len(made))
        by_name = {p.name: p for p in partners}
        self.assertEqual(by_name["Two Mails Inc"].email, "first@example.com", "the first address only")
        self.assertTrue(by_name["Two Mails Inc"].is_company)
        self.assertIn("D" * 500, by_name)
        self.assertIn("Only Person", by_name)
        self.assertIn("Ελένη Παπαδοπούλου", by_name)
        self.assertIn("Line one<br>Line &lt;two&gt; &amp; three", str(by_name["محمد & 李小龍 🙂"].comment))
        self.assertFalse(self.Partner.search([("name", "=", "Vendor Only")]), "vendors are not customers")
        mark = self.log_mark()
        self.push()
        self.assertEqual(self.api_log(mark), [], "a download is never uploaded back")

    def test_seeded_hostile_company_round_trip(self):
        """The fake's seed spreads hostile names (quotes, accents, CJK, commas, 90+ characters)
        among 50 customers: all come down, nothing goes back up, nothing is duplicated."""
        self.control.seed(customers=50, vendors=0, items=0, categories=0, estimates=0, invoices=0,
                          credit_memos=0, payments=0, sales_receipts=0)
        with mute_logger(*QUIET):
            self.pull()
        self.assertEqual(self.last_run("pull").state, "done")
        customers = self.qbo_customers()
        bindings = self.Binding.search([("connection_id", "=", self.connection.id)])
        self.assertEqual(len(bindings), len(customers))
        self.assertEqual(set(bindings.mapped("state")), {"synced"}, bindings.mapped("last_error"))
        mark = self.log_mark()
        self.push()
        self.pull()
        writes = [r for r in self.api_log(mark) if r["method"] == "POST" and "/query" not in r["path"]]
        self.assertEqual(writes, [], "a round trip changes nothing")
