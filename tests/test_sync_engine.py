"""The sync engine against the local QuickBooks server: upload, first link, batches, echo."""

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .sync_common import SyncCaseMixin


@tagged("post_install", "-at_install")
class TestSyncPush(SyncCaseMixin, TransactionCase):

    def test_create_only_flags_and_wakes_the_push_cron(self):
        mark = self.log_mark()
        partner = self.Partner.create({"name": "Flag Only", "email": "flag@example.com"})
        binding = self.binding(partner)
        self.assertEqual(binding.state, "to_push")
        self.assertFalse(binding.qbo_id)
        self.assertFalse(self.api_log(mark), "create() must not talk to QuickBooks")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.push_cron.id)]))

    def test_push_creates_customer_and_stores_id(self):
        partner = self.Partner.create({"name": "Acme Corp", "is_company": True, "email": "acme@example.com"})
        self.push()
        binding = self.binding(partner)
        self.assertEqual(binding.state, "synced", binding.last_error)
        customer = self.control.user_read("Customer", binding.qbo_id)
        self.assertEqual(customer["DisplayName"], "Acme Corp")
        self.assertEqual(partner.qbo_id, binding.qbo_id)
        self.assertEqual(partner.qbo_sync_state, "synced")
        self.assertIn("customerdetail?nameId=%s" % binding.qbo_id, partner.qbo_url)
        self.assertEqual(binding.qbo_sync_token, customer["SyncToken"])
        self.assertFalse(binding.request_id)

    def test_bulk_push_uses_batches(self):
        partners = self.make_partners(*("Batch %02d" % i for i in range(35)))
        mark = self.log_mark()
        self.push()
        rows = self.api_log(mark)
        batches = [r for r in rows if r["path"].endswith("/batch")]
        self.assertEqual(len(batches), 2, [r["path"] for r in rows])
        self.assertFalse([r for r in rows if r["path"].endswith("/customer")], "no single creates")
        self.assert_converged(partners)

    def test_update_is_sparse_with_sync_token(self):
        partner = self.Partner.create({"name": "Sparse Co", "email": "sparse@example.com", "phone": "555-0100"})
        self.push()
        token = self.binding(partner).qbo_sync_token
        partner.phone = "555-0199"
        mark = self.log_mark()
        self.push()
        [row] = [r for r in self.api_log(mark) if r["path"].endswith("/customer")]
        self.assertEqual(row["operation"], "write")
        customer = self.control.user_read("Customer", partner.qbo_id)
        self.assertEqual(customer["PrimaryPhone"]["FreeFormNumber"], "555-0199")
        self.assertNotEqual(self.binding(partner).qbo_sync_token, token)

    def test_write_of_unsynced_field_sends_nothing(self):
        partner = self.Partner.create({"name": "Quiet Co", "email": "quiet@example.com"})
        self.push()
        partner.function = "Buyer"  # not synced
        self.assertEqual(self.binding(partner).state, "synced")
        partner.ref = "X1"
        mark = self.log_mark()
        self.push()
        self.assertFalse(self.api_log(mark))

    def test_first_link_by_email_and_by_name(self):
        # The QuickBooks versions are a minute older than the Odoo records (whose time, in a
        # test, is its transaction's start): Odoo's are the later versions.
        self.control.advance_clock(-60)
        by_email = self.control.user_write("Customer", {"DisplayName": "Old Name Ltd",
                                                        "PrimaryEmailAddr": {"Address": "Same@Example.com"},
                                                        "PrimaryPhone": {"FreeFormNumber": "555-0111"}})
        by_name = self.control.user_write("Customer", {"DisplayName": "Name Twin"})
        self.control.advance_clock(60)
        p1 = self.Partner.create({"name": "New Name Ltd", "email": "same@example.com"})
        p2 = self.Partner.create({"name": "Name Twin"})
        self.push()
        self.assertEqual(self.binding(p1).qbo_id, by_email["Id"])
        self.assertEqual(self.binding(p2).qbo_id, by_name["Id"])
        customers = self.qbo_customers()
        self.assertEqual(len(customers), 2, "nothing created in QuickBooks")
        # Odoo's values went up; what only QuickBooks had came down.
        self.assertEqual(self.control.user_read("Customer", by_email["Id"])["DisplayName"], "New Name Ltd")
        self.assertEqual(p1.phone, "555-0111")
        self.assertEqual(self.Partner.search_count([("email", "=ilike", "same@example.com")]), 1)

    def test_archive_deactivates_and_delete_is_refused(self):
        partner = self.Partner.create({"name": "Gone Soon", "email": "gone@example.com"})
        self.push()
        with self.assertRaises(UserError):
            partner.unlink()
        partner.action_archive()
        self.push()
        customer = self.control.user_read("Customer", partner.qbo_id)
        self.assertIs(customer["Active"], False)
        # Unarchive → active again.
        partner.action_unarchive()
        self.push()
        self.assertIs(self.control.user_read("Customer", partner.qbo_id)["Active"], True)

    def test_unsynced_partner_can_be_deleted(self):
        partner = self.Partner.create({"name": "Never Sent"})
        binding = self.binding(partner)
        partner.unlink()
        self.assertFalse(binding.exists())


@tagged("post_install", "-at_install")
class TestSyncButtons(SyncCaseMixin, TransactionCase):

    def test_upload_all_flags_existing_partners(self):
        partner = self.Partner.create({"name": "Before Connecting", "email": "before@example.com"})
        self.Binding.search([]).unlink()
        self.connection.action_qbo_upload_all()
        self.assertEqual(self.binding(partner).state, "to_push")
        self.push()
        self.assertEqual(self.binding(partner).state, "synced")

    def test_download_all_imports_again_without_duplicates(self):
        self.control.user_write("Customer", {"DisplayName": "Download Me"})
        self.pull()
        self.connection.action_qbo_download_all()
        self.assertFalse(self.connection.qbo_pull_watermark)
        self.pull()
        self.assertEqual(self.Partner.search_count([("name", "=", "Download Me")]), 1)

    def test_sync_now_on_a_record(self):
        """Sync now queues the record and wakes the upload cron; it says so, and the upload
        (the cron's run) gives the true outcome, an error included."""
        partner = self.Partner.create({"name": "Right Now", "email": "now@example.com"})
        self.push()
        self.binding(partner).write({"state": "error", "last_error": "Earlier failure"})
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.push_cron.id)]).unlink()
        action = partner.action_qbo_sync_now()
        self.assertEqual(action["params"]["type"], "info")
        self.assertIn("queued", action["params"]["message"])
        self.assertEqual(partner.qbo_sync_state, "to_push", "the error is not hidden as synced")
        self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.push_cron.id)]))
        self.push()
        self.assertEqual(partner.qbo_sync_state, "synced")
        bad = self.Partner.create({"name": "Sync Now Bad", "email": "not-an-email"})
        bad.action_qbo_sync_now()
        self.push()
        self.assertEqual(bad.qbo_sync_state, "error")

    def test_name_taken_by_vendor_is_disambiguated(self):
        self.control.user_write("Vendor", {"DisplayName": "Shared Name"})
        partner = self.Partner.create({"name": "Shared Name", "email": "shared@example.com"})
        self.push()
        self.assertEqual(self.binding(partner).state, "synced", self.binding(partner).last_error)
        self.assertEqual(self.control.user_read("Customer", partner.qbo_id)["DisplayName"], "Shared Name (2)")
        self.assertEqual(partner.name, "Shared Name", "Odoo keeps its name")

    def test_validation_error_is_per_record_and_noted_once(self):
        bad = self.Partner.create({"name": "Bad Mail", "email": "not-an-email"})
        good = self.Partner.create({"name": "Good Mail", "email": "good@example.com"})
        self.push()
        self.assertEqual(self.binding(bad).state, "error")
        self.assertEqual(self.binding(good).state, "synced")
        notes = bad.message_ids.filtered(lambda m: "QuickBooks Online sync failed" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.binding(bad).write({"state": "to_push"})
        self.push()
        notes = bad.message_ids.filtered(lambda m: "QuickBooks Online sync failed" in (m.body or ""))
        self.assertEqual(len(notes), 1, "the same error is noted once")
        bad.email = "fixed@example.com"
        self.push()
        self.assertEqual(self.binding(bad).state, "synced")

    def test_throttled_run_stops_and_comes_back(self):
        self.make_partners("Throttle One", "Throttle Two")
        self.control.fault("429", count=1, match="/batch")
        self.push()
        self.assertEqual(self.env["qbo.sync.run"].search([], limit=1).state, "stopped")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.push_cron.id)]))
        self.push()
        self.assertEqual(len(self.qbo_customers()), 2)
