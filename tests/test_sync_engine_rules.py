"""One test per engine rule of issue 8 not shown elsewhere: dependencies both ways (a record
waits visibly, a QuickBooks object is parked with its payload and applied on a later run), the
watermark never passing what is not applied, contacts following the seeds by default, and the
wizard's start date and history applied to customers."""

from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .sync_common import SyncCaseMixin

QUIET = ("odoo.addons.quickbooks_online.models.qbo_sync_engine",
         "odoo.addons.quickbooks_online.models.qbo_sync_push",
         "odoo.addons.quickbooks_online.models.qbo_sync_pull",
         "odoo.addons.quickbooks_online.utils.qbo_client")


@tagged("post_install", "-at_install")
class TestSyncEngineRules(SyncCaseMixin, TransactionCase):

    def _later_window(self):
        """QuickBooks' clock moves 10 minutes on and the watermark to 5 minutes from now: what
        changed before is outside the next CDC window (its overlap included)."""
        self.control.advance_clock(600)
        self.connection.qbo_pull_watermark = fields.Datetime.now() + timedelta(minutes=5)

    # -- dependencies, download side -----------------------------------------------------------
    def test_missing_parent_is_fetched_first(self):
        parent = self.control.user_write("Customer", {"DisplayName": "Fetched Parent"})
        self.pull()
        self.Binding.search([("qbo_id", "=", parent["Id"])]).unlink()  # Odoo lost track of it
        self.Partner.search([("name", "=", "Fetched Parent")]).write({"name": "Renamed Locally"})
        self._later_window()
        child = self.control.user_write("Customer", {"DisplayName": "Fetched Child", "Job": True,
                                                     "ParentRef": {"value": parent["Id"]}})
        mark = self.log_mark()
        self.pull()
        queries = [r["statement"] for r in self.api_log(mark, "/query")]
        self.assertTrue(any("Id IN ('%s')" % parent["Id"] in q for q in queries), queries)
        kid = self.Partner.search([("name", "=", "Fetched Child")])
        self.assertEqual(kid.parent_id._qbo_binding(self.connection, "Customer").qbo_id, parent["Id"])
        self.assertEqual(self.binding(kid).qbo_id, child["Id"])

    def test_unresolved_reference_is_parked_then_applied_on_a_later_run(self):
        parent = self.control.user_write("Customer", {"DisplayName": "Late Parent"})
        self._later_window()
        self.control.user_write("Customer", {"DisplayName": "Early Child", "Job": True,
                                             "ParentRef": {"value": parent["Id"]}})
        # The reads of the parent fail (the run tries again after the rest): the child waits.
        self.control.fault("503", match="/query", count=2)
        with mute_logger(*QUIET):
            self.pull()
        watermark = self.connection.qbo_pull_watermark
        parked = self.Binding.search([("qbo_entity", "=", "Customer"), ("res_id", "=", False)])
        self.assertEqual((parked.state, parked.qbo_payload["DisplayName"]), ("waiting", "Early Child"))
        self.assertIn("Waiting", parked.last_error)
        self.assertFalse(self.Partner.search([("name", "=", "Early Child")]))
        # The next download (nothing new in QuickBooks) applies it, its parent first.
        self.pull()
        self.assertGreaterEqual(self.connection.qbo_pull_watermark, watermark)
        kid = self.Partner.search([("name", "=", "Early Child")])
        self.assertEqual(kid.parent_id.name, "Late Parent")
        self.assertEqual((parked.state, parked.res_id), ("synced", kid.id))

    def test_poison_object_alone_in_error_and_the_watermark_moves(self):
        self.control.user_write("Customer", {"DisplayName": "Fine One"})
        nameless = self.control.user_write("Customer", {"DisplayName": "Soon Nameless"})
        self.control.raw_write("Customer", {"Id": nameless["Id"], "DisplayName": None, "CompanyName": None,
                                            "GivenName": None, "FamilyName": None})  # no name at all
        self.control.user_write("Customer", {"DisplayName": "Fine Two"})
        with mute_logger(*QUIET):
            self.pull()
        self.assertTrue(self.connection.qbo_pull_watermark)
        self.assertEqual(len(self.Partner.search([("name", "in", ("Fine One", "Fine Two"))])), 2)
        poison = self.Binding.search([("qbo_entity", "=", "Customer"), ("res_id", "=", False)])
        self.assertEqual(poison.state, "error")
        self.assertTrue(poison.qbo_payload and poison.last_error)
        self.assertEqual(self.last_run("pull").count_error, 1)
        self.pull()  # unchanged: not retried, no new log line every run
        self.assertEqual(self.env["qbo.sync.log"].search_count([("binding_id", "=", poison.id)]), 1)

    # -- dependencies, upload side -------------------------------------------------------------
    def test_contact_waits_visibly_for_its_company_in_error(self):
        self.connection.contacts_as_sub_customers = True
        company = self.Partner.create({"name": "Broken Co", "is_company": True, "email": "not-an-email"})
        self.Partner.create({"name": "Primary Person", "parent_id": company.id})
        contact = self.Partner.create({"name": "Second Person", "parent_id": company.id, "email": "two@broken.co"})
        self.push()
        self.assertEqual(self.binding(company).state, "error")
        binding = self.binding(contact)
        self.assertEqual(binding.state, "waiting")
        self.assertIn("Broken Co", binding.last_error)
        self.assertIn("e-mail", binding.last_error.lower())
        self.assertEqual(contact.qbo_sync_state, "waiting")
        company.email = "ok@broken.co"
        self.make_retries_due()
        self.push()
        self.assert_converged(company | contact)

    def test_company_uploaded_first_in_the_same_run(self):
        self.connection.contacts_as_sub_customers = True
        company = self.Partner.with_context(qbo_no_push=True).create({"name": "Quiet Co", "is_company": True})
        self.Partner.with_context(qbo_no_push=True).create({"name": "Quiet Primary", "parent_id": company.id})
        contact = self.Partner.create({"name": "Loud Contact", "parent_id": company.id, "email": "loud@quiet.co"})
        self.assertFalse(self.binding(company), "the company itself was never flagged")
        self.push()
        found = self.assert_converged(company | contact)
        self.assertEqual(found[contact]["ParentRef"]["value"], self.binding(company).qbo_id)

    # -- contacts follow the seeds -------------------------------------------------------------
    def test_contacts_stay_in_odoo_by_default(self):
        company = self.Partner.create({"name": "Seed Co", "is_company": True, "email": "seed@co.example"})
        primary = self.Partner.create({"name": "Oldest Person", "parent_id": company.id})
        other = self.Partner.create({"name": "Other Person", "parent_id": company.id, "email": "other@co.example"})
        self.push()
        [customer] = self.qbo_customers()
        self.assertEqual((customer["DisplayName"], customer["GivenName"], customer["FamilyName"]),
                         ("Seed Co", "Oldest", "Person"))
        self.assertFalse(self.binding(primary | other))
        # QuickBooks' own sub-customers still come down, and their edits go up.
        job = self.control.user_write("Customer", {"DisplayName": "Seed Co Job", "Job": True,
                                                   "ParentRef": {"value": customer["Id"]}})
        self.pull()
        kid = self.Partner.search([("name", "=", "Seed Co Job")])
        self.assertEqual(kid.parent_id, company)
        kid.phone = "555-0111"
        self.push()
        self.assertEqual(self.control.user_read("Customer", job["Id"])["PrimaryPhone"]["FreeFormNumber"], "555-0111")
        # The option sends the other contacts too.
        self.connection.contacts_as_sub_customers = True
        self.connection.action_qbo_upload_all()
        self.push()
        self.assertEqual(self.control.user_read("Customer", self.binding(other).qbo_id)["ParentRef"]["value"],
                         customer["Id"])

    # -- the wizard's start date and history ----------------------------------------------------
    def test_start_date_without_history_leaves_older_customers_out(self):
        self.control.set_clock((fields.Datetime.now() - timedelta(days=10)).isoformat() + "Z")
        self.control.user_write("Customer", {"DisplayName": "Old Customer"})
        self.control.set_clock(fields.Datetime.now().isoformat() + "Z")
        self.control.user_write("Customer", {"DisplayName": "New Customer"})
        old_partner = self.Partner.create({"name": "Old Odoo Partner", "email": "old@odoo.example"})
        self.env.flush_all()
        self.env.cr.execute("UPDATE res_partner SET write_date = now() - interval '10 days' WHERE id = %s",
                            [old_partner.id])
        self.Binding.search([("res_id", "=", old_partner.id)]).unlink()
        old_partner.invalidate_recordset()
        self.connection.write({"import_history": False,
                               "sync_start_date": fields.Date.today() - timedelta(days=2)})
        self.pull()
        self.assertTrue(self.Partner.search([("name", "=", "New Customer")]))
        self.assertFalse(self.Partner.search([("name", "=", "Old Customer")]))
        self.connection.action_qbo_upload_all()
        self.assertFalse(self.binding(old_partner), "Upload all leaves older records out too")
        # With history, everything.
        self.connection.import_history = True
        self.connection.action_qbo_download_all()
        self.pull()
        self.assertTrue(self.Partner.search([("name", "=", "Old Customer")]))
        self.connection.action_qbo_upload_all()
        self.assertTrue(self.binding(old_partner))
