"""Uploads at scale and idle runs: one first-link read of QuickBooks per run (not per chunk), no
run row when nothing happens, bindings of other models, the scope of contacts, and "Upload all"
of partners QuickBooks already holds (real HTTP to the local QuickBooks server)."""

from unittest.mock import patch

from odoo.addons.quickbooks_online.models import qbo_sync_push
from odoo.tests import TransactionCase, tagged

from .sync_common import SyncCaseMixin

LONG_EMAIL = "a.very.long.mailbox.name.for.testing.field.length.limits@" + "x" * 50 + ".example.com"


@tagged("post_install", "-at_install")
class TestSyncPushScale(SyncCaseMixin, TransactionCase):

    def queries(self, mark):
        return [r for r in self.api_log(mark) if r["path"].endswith("/query")]

    def runs(self, direction):
        return self.env["qbo.sync.run"].search_count([("direction", "=", direction)])

    # -- 1. one read of QuickBooks' customers per run ---------------------------------------------
    def test_one_run_uploads_every_chunk_with_one_read_of_quickbooks(self):
        """35 partners in chunks of 10: one run, one paged read for first-link matching, and
        matching still finds objects for records of later chunks, a shared e-mail twice."""
        by_name = self.control.user_write("Customer", {"DisplayName": "Chunk 17"})
        by_mail = self.control.user_write("Customer", {"DisplayName": "Elsewhere",
                                                       "PrimaryEmailAddr": {"Address": "CHUNK@example.com"}})
        twins_qbo = [self.control.user_write("Customer", {"DisplayName": name, "PrimaryEmailAddr": {
            "Address": "twin@example.com"}}) for name in ("Twin A", "Twin B")]
        partners = self.Partner.create([{"name": "Chunk %02d" % i, "email": "chunk%02d@example.com" % i,
                                         "is_company": True} for i in range(33)])
        partners[32].email = "chunk@example.com"
        twins = self.Partner.create([{"name": "Twin %s" % n, "email": "twin@example.com"} for n in ("One", "Two")])
        mark = self.log_mark()
        with patch.object(qbo_sync_push, "PUSH_CHUNK", 10):
            self.push()
        self.assertEqual(len(self.queries(mark)), 1, "QuickBooks' customers are read once per run")
        self.assertEqual(set(self.binding(partners | twins).mapped("state")), {"synced"})
        self.assertEqual(self.binding(partners[17]).qbo_id, by_name["Id"])
        self.assertEqual(self.binding(partners[32]).qbo_id, by_mail["Id"])
        self.assertEqual(self.binding(twins[0]).qbo_id, twins_qbo[0]["Id"], "the oldest object first")
        self.assertEqual(self.binding(twins[1]).qbo_id, twins_qbo[1]["Id"], "then the next one")
        customers = self.qbo_customers()
        self.assertEqual(len(customers), 35, "4 linked, 31 created, nothing twice")
        self.assert_converged(partners, customers)
        self.assertEqual(self.runs("push"), 1)

    def test_run_stops_taking_chunks_when_its_time_is_up(self):
        partners = self.make_partners(*("B%02d Budget" % i for i in range(25)))
        with patch.object(qbo_sync_push, "PUSH_CHUNK", 10), patch.object(qbo_sync_push, "PUSH_TIME_BUDGET", 0):
            self.push()
            self.assertEqual(len(self.binding(partners).filtered(lambda b: b.state == "synced")), 10,
                             "a run always takes one chunk, then the cron comes back for the rest")
            self.push()
            self.push()
        self.assert_converged(partners)

    # -- 2. no run row when nothing happens ----------------------------------------------------
    def test_idle_upload_leaves_no_run_and_sends_nothing(self):
        self.make_partners("Idle Co")
        self.push()
        runs = self.runs("push")
        mark = self.log_mark()
        self.push()
        self.push()
        self.assertEqual(self.runs("push"), runs, "no run row for a run with nothing to upload")
        self.assertEqual(self.control.requests(mark), [], "not even a token refresh")

    def test_pull_without_change_is_one_cdc_and_leaves_no_run(self):
        self.control.user_write("Customer", {"DisplayName": "Steady Co"})
        self.pull()
        runs = self.runs("pull")
        self.assertEqual(runs, 1)
        mark = self.log_mark()
        self.pull()
        self.assertEqual([r["path"].rsplit("/", 1)[-1] for r in self.api_log(mark)], ["cdc"])
        self.assertEqual(self.runs("pull"), runs, "no run row for a download without change")

    # -- 3. the bindings of another model with the same id -------------------------------------
    def test_binding_of_another_model_with_the_same_id_is_not_the_partners(self):
        partner = self.Partner.create({"name": "Same Id", "email": "same.id@example.com"})
        own = self.binding(partner)
        self.assertEqual(partner.qbo_binding_ids, own)
        other = self.Binding.create({"connection_id": self.connection.id, "res_model": "product.product",
                                     "res_id": partner.id, "qbo_entity": "Item", "qbo_id": "77", "state": "error"})
        for _cache in ("kept", "invalidated"):
            self.assertEqual(partner.qbo_binding_ids, own, _cache)
            self.assertEqual((partner.qbo_id, partner.qbo_sync_state), (False, "to_push"), _cache)
            self.assertNotIn(partner, self.Partner.search([("qbo_id", "=", "77")]))
            self.assertNotIn(partner, self.Partner.search([("qbo_binding_ids", "in", other.ids)]))
            self.env.invalidate_all()
        own.unlink()
        self.assertFalse(partner.qbo_binding_ids)
        self.assertFalse(partner.qbo_sync_state)

    # -- 4. contacts of excluded partners ------------------------------------------------------
    def test_contacts_of_company_and_user_partners_are_out_of_scope(self):
        """Odoo's demo "YourCompany, Dwayne Newman" waited forever for YourCompany."""
        user_partner = self.env["res.users"].create({"name": "Internal User", "login": "qbo_scope_user"}).partner_id
        contacts = self.Partner.create([
            {"name": "Dwayne Newman", "email": "dwayne@example.com", "parent_id": self.env.company.partner_id.id},
            {"name": "User Assistant", "email": "assistant@example.com", "parent_id": user_partner.id},
        ])
        contacts |= self.Partner.create({"name": "Grand Child", "email": "grand@example.com",
                                         "parent_id": contacts[0].id})
        self.assertFalse(self.binding(contacts), "not flagged")
        self.connection.action_qbo_upload_all()
        self.push()
        self.make_retries_due()
        self.push()
        self.assertFalse(self.binding(contacts))
        self.assertFalse(self.Binding.search([("state", "=", "to_push")]), "nothing waits forever")

    def test_waiting_contact_whose_parent_left_the_scope_is_not_kept(self):
        """A binding flagged earlier (e.g. before its company was excluded) is dropped, not retried forever."""
        contact = self.Partner.with_context(qbo_no_push=True).create({
            "name": "Left Behind", "email": "left@example.com", "parent_id": self.env.company.partner_id.id})
        self.Binding.create({"connection_id": self.connection.id, "res_model": "res.partner",
                             "res_id": contact.id, "qbo_entity": "Customer"})
        self.push()
        self.assertFalse(self.binding(contact))
        self.assertFalse(self.qbo_customers())

    def test_contact_of_an_untagged_company_waits_for_nothing(self):
        """"Only tagged customers": a tagged contact of an untagged company stays out (its
        company would never be uploaded before it)."""
        self.connection.customer_scope = "tagged"
        self.connection.contacts_as_sub_customers = True
        tag = self.env.ref("quickbooks_online.res_partner_category_quickbooks")
        company = self.Partner.create({"name": "Untagged Parent", "is_company": True, "email": "up@example.com"})
        self.Partner.create({"name": "Primary", "parent_id": company.id})
        contact = self.Partner.create({"name": "Tagged Child", "email": "tc@example.com", "parent_id": company.id,
                                       "category_id": [(4, tag.id)]})
        self.assertFalse(self.binding(contact | company))
        company.category_id = [(4, tag.id)]
        contact.phone = "555-0101"
        self.push()
        self.assert_converged(company | contact)

    # -- 5. "Upload all" of what QuickBooks already holds ----------------------------------------
    def test_upload_all_of_unchanged_downloaded_partners_sends_nothing(self):
        """A downloaded partner nobody edited is not mapped again: an e-mail QuickBooks holds over
        100 characters is no error, and QuickBooks' second address is not overwritten."""
        long_mail = self.control.user_write("Customer", {"DisplayName": "Long Mail Co",
                                                         "PrimaryEmailAddr": {"Address": LONG_EMAIL}})
        two_mails = self.control.user_write("Customer", {"DisplayName": "Two Mails Co", "PrimaryEmailAddr": {
            "Address": "first@twomails.example.com, billing@twomails.example.com"}})
        self.pull()
        partners = self.Partner.search([("name", "in", ("Long Mail Co", "Two Mails Co"))])
        self.assertEqual(len(partners), 2)
        self.connection.action_qbo_upload_all()
        self.assertEqual(set(self.binding(partners).mapped("state")), {"to_push"})
        self.push()
        for binding in self.binding(partners):
            self.assertEqual((binding.state, binding.last_error), ("synced", False))
        self.assertEqual(self.control.user_read("Customer", long_mail["Id"])["SyncToken"], long_mail["SyncToken"])
        self.assertEqual(self.control.user_read("Customer", two_mails["Id"])["PrimaryEmailAddr"],
                         two_mails["PrimaryEmailAddr"])

    def test_address_added_in_odoo_still_goes_up(self):
        self.control.user_write("Customer", {"DisplayName": "One Mail Co",
                                             "PrimaryEmailAddr": {"Address": "one@onemail.example.com"}})
        self.pull()
        partner = self.Partner.search([("name", "=", "One Mail Co")])
        partner.email = "one@onemail.example.com, two@onemail.example.com"
        self.push()
        self.assertEqual(self.control.user_read("Customer", partner.qbo_id)["PrimaryEmailAddr"]["Address"],
                         "one@onemail.example.com, two@onemail.example.com")
