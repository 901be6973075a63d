"""Downloads in chunks: one failing object fails alone (its chunk is applied again object by
object), new partners come in batches with their addresses and contacts, without chatter."""

from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .sync_common import SyncCaseMixin

QUIET = ("odoo.addons.quickbooks_online.models.qbo_sync_pull",)


@tagged("post_install", "-at_install")
class TestSyncPullChunks(SyncCaseMixin, TransactionCase):

    def test_one_bad_new_customer_fails_alone(self):
        for name in ("Alpha Co", "Bomb Co", "Gamma Co"):
            self.control.user_write("Customer", {"DisplayName": name, "CompanyName": name})
        Partner = type(self.Partner)
        create = Partner._qbo_create_from_remote_multi

        def exploding(model, connection, values_list):
            if any(values["name"] == "Bomb Co" for values in values_list):
                model.create({"name": "Half Written"})  # undone with its savepoint
                raise RuntimeError("adapter bug")
            return create(model, connection, values_list)

        with patch.object(Partner, "_qbo_create_from_remote_multi", exploding), mute_logger(*QUIET):
            self.pull()
        run = self.env["qbo.sync.run"].search([("direction", "=", "pull")], limit=1)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual((run.count_done, run.count_error), (2, 1))
        self.assertEqual(len(self.Partner.search([("name", "in", ("Alpha Co", "Gamma Co"))])), 2)
        self.assertFalse(self.Partner.search([("name", "in", ("Bomb Co", "Half Written"))]))
        lines = self.env["qbo.sync.log"].search([("run_id", "=", run.id)])
        self.assertEqual(sorted(lines.mapped("outcome")), ["created", "created", "error"])
        # Nothing is lost: the object is parked with its payload and its error, retried when it
        # changes in QuickBooks, on a full import or on Retry.
        parked = self.Binding.search([("qbo_entity", "=", "Customer"), ("res_id", "=", False)])
        self.assertEqual((parked.state, parked.qbo_payload["DisplayName"]), ("error", "Bomb Co"))
        self.assertIn("adapter bug", parked.last_error)
        lines.filtered(lambda line: line.outcome == "error").action_retry()
        self.pull()
        self.assertEqual(len(self.Partner.search([("name", "=", "Bomb Co")])), 1)
        self.assertEqual(parked.state, "synced")

    def test_one_bad_update_ends_in_its_own_error(self):
        made = [self.control.user_write("Customer", {"DisplayName": name}) for name in ("One", "Two", "Three")]
        self.pull()
        for customer in made:
            self.control.user_write("Customer", {"Id": customer["Id"], "Notes": "edited in QuickBooks"})
        Partner = type(self.Partner)
        apply = Partner._qbo_apply_remote_values

        def exploding(record, connection, values):
            if record.name == "Two":
                raise RuntimeError("adapter bug")
            return apply(record, connection, values)

        with patch.object(Partner, "_qbo_apply_remote_values", exploding), mute_logger(*QUIET):
            self.pull()
        partners = {p.name: p for p in self.Partner.search([("name", "in", ("One", "Two", "Three"))])}
        self.assertIn("edited in QuickBooks", partners["One"].comment)
        self.assertIn("edited in QuickBooks", partners["Three"].comment)
        self.assertFalse(partners["Two"].comment)
        self.assertEqual(self.binding(partners["Two"]).state, "error")
        self.assertIn("adapter bug", self.binding(partners["Two"]).last_error)
        self.assertEqual(self.binding(partners["One"]).state, "synced")

    def test_new_company_with_delivery_and_contact_in_one_batch(self):
        self.control.user_write("Customer", {
            "DisplayName": "Batch Co", "CompanyName": "Batch Co", "GivenName": "Bea", "FamilyName": "Batch",
            "Title": "Dr.", "BillAddr": {"Line1": "1 Main St", "City": "Austin", "CountrySubDivisionCode": "TX",
                                         "Country": "USA"},
            "ShipAddr": {"Line1": "9 Dock Rd", "City": "Dallas", "CountrySubDivisionCode": "Texas",
                         "Country": "USA"},
        })
        self.control.user_write("Customer", {"DisplayName": "Ship Only Co", "CompanyName": "Ship Only Co",
                                             "ShipAddr": {"Line1": "5 Pier", "City": "Boston", "Country": "USA"}})
        self.pull()
        company = self.Partner.search([("name", "=", "Batch Co")])
        delivery = company.child_ids.filtered(lambda c: c.type == "delivery")
        contact = company._qbo_primary_contact()
        self.assertEqual((delivery.street, delivery.state_id.code), ("9 Dock Rd", "TX"), "a state by its name")
        self.assertEqual((contact.name, contact.title.shortcut), ("Bea Batch", "Dr."))
        self.assertEqual((contact.street, contact.city), ("1 Main St", "Austin"), "its company's address")
        self.assertEqual(contact.lang, company.lang)
        self.assertFalse(company.message_ids, "a download is no edit: no chatter")
        # As Odoo does for a company's first contact: a company without address takes its delivery's.
        ship_only = self.Partner.search([("name", "=", "Ship Only Co")])
        self.assertEqual(ship_only.street, "5 Pier")
