"""The three failures of issue 8, through real HTTP against the local QuickBooks server: whatever
runs first (upload, retry, webhook, download), nothing is lost or duplicated, a conflict follows
the policy, and an update never touches a QuickBooks field that the Odoo edit did not change."""

from datetime import timedelta
from urllib.parse import parse_qs

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .sync_common import SyncCaseMixin

QUIET = ("odoo.addons.quickbooks_online.models.qbo_sync_engine",
         "odoo.addons.quickbooks_online.models.qbo_sync_push",
         "odoo.addons.quickbooks_online.models.qbo_sync_pull",
         "odoo.addons.quickbooks_online.utils.qbo_client")
TEN = tuple("Lost Reply %02d" % n for n in range(10))


@tagged("post_install", "-at_install")
class TestSyncOrderings(SyncCaseMixin, TransactionCase):

    # -- 1. a lost create reply, then the webhook wakes the download first -----------------------
    def test_lost_reply_then_download_first_never_duplicates(self):
        partners = self.lose_the_batch_reply(TEN)
        # The webhook (QuickBooks saw ten creates) wakes the download before the upload retries.
        self.pull()
        for name in TEN:
            self.assertEqual(self.Partner.with_context(active_test=False).search_count([("name", "=", name)]), 1,
                             f"{name} twice in Odoo")
        self.assertEqual(self.binding(partners).mapped("state"), ["synced"] * 10)
        self.assertEqual(len(self.qbo_customers()), 10, "nothing twice in QuickBooks")
        # ... and the upload goes on: nothing stuck in "To Upload", new partners go up.
        self.make_retries_due()
        later = self.make_partners("After The Loss")
        self.push()
        self.assertEqual(self.last_run().state, "done", self.last_run().message)
        self.assert_converged(partners | later)

    def test_lost_reply_download_waits_while_quickbooks_is_unreachable(self):
        partners = self.lose_the_batch_reply(TEN[:3])
        watermark = self.connection.qbo_pull_watermark
        self.control.fault("503", match="/batch", count=5)
        with mute_logger(*QUIET):
            self.pull()
        run = self.last_run("pull")
        self.assertEqual(run.state, "stopped")
        self.assertIn("created twice", run.message)
        self.assertEqual(self.connection.qbo_pull_watermark, watermark, "the watermark waits too")
        self.assertEqual(self.Partner.search_count([("name", "in", TEN[:3])]), 3)
        self.control.clear_faults()
        self.pull()
        self.make_retries_due()
        self.push()
        self.assert_converged(partners)

    def test_object_answered_for_a_linked_record_is_an_error_not_a_crash(self):
        """Defence in depth: should QuickBooks answer a create with an object Odoo already links to
        another record, that record alone is in error and later uploads still run."""
        partners = self.lose_the_batch_reply(TEN[:2])
        first = self.binding(partners[0])
        customer = next(c for c in self.qbo_customers() if c["DisplayName"] == partners[0].name)
        stray = self.Partner.create({"name": "Stray Link"})
        self.Binding.search([("res_id", "=", stray.id)]).write({"qbo_id": customer["Id"], "state": "synced"})
        self.make_retries_due()
        with mute_logger(*QUIET, "odoo.sql_db"):  # the unique key's refusal, caught
            self.push()
        self.assertEqual(self.last_run().state, "done", self.last_run().message)
        self.assertEqual(first.state, "error")
        self.assertIn("linked to Stray Link", first.last_error)
        self.assertEqual(self.binding(partners[1]).state, "synced")

    # -- 2. both sides changed, the upload meets it first (5010) -------------------------------
    def _conflict(self, policy, odoo_later, upload_first):
        self.connection.conflict_policy = policy
        partner = self.Partner.create({"name": "Order Matters", "email": "order@example.com", "phone": "100"})
        self.push()
        self.pull()
        self.control.user_write("Customer", {"Id": partner.qbo_id, "PrimaryPhone": {"FreeFormNumber": "200"},
                                             "Notes": "QuickBooks only"})
        partner.write({"phone": "300", "website": "https://odoo-only.example.com"})
        self.binding(partner).odoo_changed_at = fields.Datetime.now() + timedelta(hours=1 if odoo_later else -1)
        for run in ((self.push, self.pull, self.push) if upload_first else (self.pull, self.push, self.pull)):
            run()
        line = self.env["qbo.sync.log"].search([("res_id", "=", partner.id), ("outcome", "=", "conflict")])
        customer = self.control.user_read("Customer", partner.qbo_id)
        return partner, line, customer

    def test_upload_first_conflict_follows_the_policy_as_download_first_does(self):
        for policy, odoo_later, phone, losing in (("last_updated", False, "200", ("odoo", "300")),
                                                  ("last_updated", True, "300", ("qbo", "200")),
                                                  ("qbo", True, "200", ("odoo", "300")),
                                                  ("odoo", False, "300", ("qbo", "200"))):
            outcomes = []
            for upload_first in (True, False):
                with self.subTest(policy=policy, odoo_later=odoo_later, upload_first=upload_first), \
                        self.env.cr.savepoint(flush=False) as savepoint:
                    self.control.reset()
                    self._connect()
                    partner, line, customer = self._conflict(policy, odoo_later, upload_first)
                    self.assertEqual(len(line), 1, "one conflict, logged once")
                    self.assertEqual((line.losing_side, line.losing_values), (losing[0], {"phone": losing[1]}))
                    self.assertEqual(partner.phone, phone)
                    self.assertEqual(customer["PrimaryPhone"]["FreeFormNumber"], phone)
                    # Disjoint changes both survive, whoever won the phone.
                    self.assertEqual(customer["Notes"], "QuickBooks only")
                    self.assertIn("QuickBooks only", partner.comment)
                    self.assertEqual(customer["WebAddr"]["URI"], "https://odoo-only.example.com")
                    self.assertEqual(self.binding(partner).state, "synced")
                    outcomes.append((partner.phone, customer["PrimaryPhone"]["FreeFormNumber"],
                                     line.losing_side))
                    savepoint.rollback()
                    self.env.invalidate_all()
            self.assertEqual(outcomes[0], outcomes[1], "the same whichever direction ran first")

    def test_upload_first_manual_conflict_waits_for_a_person(self):
        partner, line, customer = self._conflict("manual", odoo_later=True, upload_first=True)
        self.assertEqual(self.binding(partner).state, "conflict")
        self.assertEqual(line.losing_values, {"phone": "200"})
        self.assertEqual(partner.phone, "300")
        self.assertEqual(customer["PrimaryPhone"]["FreeFormNumber"], "200")
        self.assertIn("QuickBooks only", partner.comment, "what only QuickBooks changed came down")
        line.action_apply_losing_version()
        self.push()
        self.assertEqual(partner.phone, "200")
        self.assertEqual(self.binding(partner).state, "synced")
        customer = self.control.user_read("Customer", partner.qbo_id)
        self.assertEqual(customer["WebAddr"]["URI"], "https://odoo-only.example.com")

    # -- 3. an update sends only what the Odoo edit changed ------------------------------------
    def test_phone_edit_keeps_the_second_email_address(self):
        made = self.control.user_write("Customer", {
            "DisplayName": "Two Mails", "PrimaryEmailAddr": {"Address": "first@example.com, second@example.com"}})
        self.pull()
        partner = self.Partner.search([("name", "=", "Two Mails")])
        self.assertEqual(partner.email, "first@example.com")
        mark = self.log_mark()
        partner.phone = "+1 555 0199"
        self.push()
        sent = [r for r in self.api_log(mark, "/customer") if r["method"] == "POST"]
        self.assertEqual(len(sent), 1)
        customer = self.control.user_read("Customer", made["Id"])
        self.assertEqual(customer["PrimaryEmailAddr"]["Address"], "first@example.com, second@example.com")
        self.assertEqual(customer["PrimaryPhone"]["FreeFormNumber"], "+1 555 0199")
        # Changed in Odoo, the address is the user's choice and goes up.
        partner.email = "only@example.com"
        self.push()
        customer = self.control.user_read("Customer", made["Id"])
        self.assertEqual(customer["PrimaryEmailAddr"]["Address"], "only@example.com")

    def test_update_changes_nothing_but_the_edited_field(self):
        # QuickBooks keeps a cut copy as CompanyName, and "：" for ":".
        long_name = "Acme: " + " ".join(["Widgets"] * 12)
        partner = self.Partner.create({"name": long_name, "email": "long@example.com", "is_company": True,
                                       "street": "1 Main St", "city": "Springfield"})
        self.push()
        # A QuickBooks user adds what Odoo does not map, and a second e-mail address.
        self.control.user_write("Customer", {"Id": partner.qbo_id, "PrimaryEmailAddr": {
            "Address": "long@example.com, ap@example.com"}})
        self.pull()
        before = self.control.user_read("Customer", partner.qbo_id)
        partner.phone = "42"
        self.push()
        after = self.control.user_read("Customer", partner.qbo_id)
        changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
        self.assertEqual(changed - {"SyncToken", "MetaData"}, {"PrimaryPhone"})
        self.assertEqual(self.binding(partner).state, "synced")
        self.assertEqual(partner.name, long_name, "Odoo keeps the whole name")

    def test_reply_log_has_the_requestid_of_each_batch(self):
        """The in-flight replay reuses the batch requestid (the request log says so)."""
        mark = self.log_mark()
        self.lose_the_batch_reply(TEN[:2])
        self.pull()
        ids = [parse_qs(r["query"]).get("requestid", [None])[0] for r in self.api_log(mark, "/batch")]
        self.assertEqual(len(ids), 2)
        self.assertEqual(ids[0], ids[1])
