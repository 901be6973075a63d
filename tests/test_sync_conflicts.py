"""Conflicts per policy with the losing version in the log, merges, several companies."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged

from .sync_common import SyncCaseMixin


@tagged("post_install", "-at_install")
class TestSyncConflicts(SyncCaseMixin, TransactionCase):

    def _both_sides_change(self, policy, odoo_later):
        self.connection.conflict_policy = policy
        partner = self.Partner.create({"name": "Both Sides", "email": "both@example.com", "phone": "100"})
        self.push()
        self.pull()  # watermark
        self.control.user_write("Customer", {"Id": partner.qbo_id, "PrimaryPhone": {"FreeFormNumber": "200"}})
        partner.phone = "300"
        # Odoo's edit is dated before or after QuickBooks' one.
        shift = timedelta(hours=1 if odoo_later else -1)
        self.binding(partner).odoo_changed_at = fields.Datetime.now() + shift
        self.pull()
        line = self.env["qbo.sync.log"].search([("res_id", "=", partner.id), ("outcome", "=", "conflict")])
        self.push()
        return partner, line

    def test_last_updated_wins_quickbooks_newer(self):
        partner, line = self._both_sides_change("last_updated", odoo_later=False)
        self.assertEqual(partner.phone, "200")
        self.assertEqual(line.losing_side, "odoo")
        self.assertEqual(line.losing_values, {"phone": "300"})
        self.assertEqual(self.control.user_read("Customer", partner.qbo_id)["PrimaryPhone"]["FreeFormNumber"], "200")
        # One click: Odoo's version comes back, and goes up.
        line.action_apply_losing_version()
        self.push()
        self.assertEqual(partner.phone, "300")
        self.assertEqual(self.control.user_read("Customer", partner.qbo_id)["PrimaryPhone"]["FreeFormNumber"], "300")

    def test_last_updated_wins_odoo_newer(self):
        partner, line = self._both_sides_change("last_updated", odoo_later=True)
        self.assertEqual(partner.phone, "300")
        self.assertEqual(line.losing_side, "qbo")
        self.assertEqual(line.losing_values, {"phone": "200"})
        self.assertEqual(self.control.user_read("Customer", partner.qbo_id)["PrimaryPhone"]["FreeFormNumber"], "300")

    def test_odoo_wins(self):
        partner, _line = self._both_sides_change("odoo", odoo_later=False)
        self.assertEqual(self.control.user_read("Customer", partner.qbo_id)["PrimaryPhone"]["FreeFormNumber"], "300")

    def test_quickbooks_wins(self):
        partner, _line = self._both_sides_change("qbo", odoo_later=True)
        self.assertEqual(partner.phone, "200")

    def test_manual_keeps_both_until_a_person_decides(self):
        partner, line = self._both_sides_change("manual", odoo_later=True)
        self.assertEqual(self.binding(partner).state, "conflict")
        self.assertEqual(partner.phone, "300")
        self.assertEqual(self.control.user_read("Customer", partner.qbo_id)["PrimaryPhone"]["FreeFormNumber"], "200")
        line.action_apply_losing_version()  # take QuickBooks' version
        self.push()
        self.assertEqual(partner.phone, "200")
        self.assertEqual(self.binding(partner).state, "synced")

    def test_disjoint_changes_both_survive(self):
        partner = self.Partner.create({"name": "Disjoint", "email": "dis@example.com", "phone": "1"})
        self.push()
        self.control.user_write("Customer", {"Id": partner.qbo_id, "Notes": "from QuickBooks"})
        partner.phone = "2"
        self.push()  # 5010: re-read, re-apply once, QuickBooks' note comes down
        customer = self.control.user_read("Customer", partner.qbo_id)
        self.assertEqual(customer["PrimaryPhone"]["FreeFormNumber"], "2")
        self.assertEqual(customer["Notes"], "from QuickBooks")
        self.assertIn("from QuickBooks", partner.comment)
        self.assertEqual(self.binding(partner).state, "synced")

    def test_merge_relinks_to_survivor(self):
        gone = self.control.user_write("Customer", {"DisplayName": "Merged Away"})
        self.pull()
        partner = self.Partner.search([("name", "=", "Merged Away")])
        survivor = self.control.user_write("Customer", {"DisplayName": "Survivor Unknown To Odoo"})
        # The survivor is not in Odoo yet (e.g. out of scope): the partner follows it.
        self.connection.customer_direction = "odoo_to_qbo"
        self.connection.customer_direction = "both"
        self.Binding.search([("qbo_id", "=", survivor["Id"])]).unlink()
        self.control.merge("Customer", gone["Id"], survivor["Id"])
        self.env["qbo.merge.event"].create({"connection_id": self.connection.id, "qbo_entity": "Customer",
                                            "deleted_id": gone["Id"], "survivor_id": survivor["Id"]})
        self.pull()
        self.assertEqual(self.binding(partner).qbo_id, survivor["Id"])
        self.assertEqual(partner.name, "Survivor Unknown To Odoo")
        self.assertEqual(self.Partner.search_count([("name", "=", "Survivor Unknown To Odoo")]), 1)

    def test_merge_of_two_known_customers_archives_the_merged_one(self):
        a = self.control.user_write("Customer", {"DisplayName": "Merge A"})
        b = self.control.user_write("Customer", {"DisplayName": "Merge B"})
        self.pull()
        pa = self.Partner.search([("name", "=", "Merge A")])
        pb = self.Partner.search([("name", "=", "Merge B")])
        self.control.merge("Customer", a["Id"], b["Id"])
        self.env["qbo.merge.event"].create({"connection_id": self.connection.id, "qbo_entity": "Customer",
                                            "deleted_id": a["Id"], "survivor_id": b["Id"]})
        self.pull()
        self.assertFalse(pa.active)
        self.assertFalse(self.binding(pa))
        self.assertEqual(self.binding(pb).qbo_id, b["Id"])
        self.assertTrue(self.env["qbo.sync.log"].search([("res_id", "=", pa.id), ("outcome", "=", "merged")]))


@tagged("post_install", "-at_install")
class TestSyncMultiCompany(SyncCaseMixin, TransactionCase):

    def test_shared_partner_has_one_id_per_quickbooks_company(self):
        company_b = self.env["res.company"].create({"name": "Second Co"})
        self.env.user.company_ids |= company_b
        realm_b = self.control.add_company(name="Second Realm")
        self.control.consent("approve", realm=realm_b)  # the user picks the second company at Intuit
        connection_b = self.env["qbo.connection"]._qbo_for_company(company_b, create=True)
        connection_b.write({"environment": "custom", "custom_base_url": self.fake.url})
        self._connect(connection_b)
        self.assertNotEqual(connection_b.realm_id, self.connection.realm_id)
        shared = self.Partner.create({"name": "Shared Partner", "email": "shared@example.com"})  # no company
        only_a = self.Partner.create({"name": "Only A", "company_id": self.connection.company_id.id})
        self.push()
        ba, bb = self.binding(shared), self.binding(shared, connection_b)
        self.assertTrue(ba.qbo_id and bb.qbo_id)
        self.assertEqual([c["DisplayName"] for c in self.qbo_customers(connection_b)], ["Shared Partner"])
        self.assertFalse(self.binding(only_a, connection_b))
        self.assertEqual(shared.with_company(company_b).qbo_id, bb.qbo_id)
        self.assertEqual(shared.with_company(self.connection.company_id).qbo_id, ba.qbo_id)
