from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import QBOFakeServerMixin
from .sync_common import SyncCaseMixin


@tagged("post_install", "-at_install")
class TestSetupTour(QBOFakeServerMixin, HttpCase):
    def test_setup_wizard_connects(self):
        """Headless Chromium walks the setup wizard and connects through the real redirects."""
        self.start_tour("/odoo/settings#quickbooks_online", "quickbooks_online_setup_tour", login="admin", timeout=180)
        self.connection.invalidate_recordset()
        self.assertRecordValues(self.connection, [{
            "state": "connected", "realm_id": self.fake.realm_id, "customer_direction": "qbo_to_odoo",
            "contacts_as_sub_customers": True, "customer_scope": "tagged", "pull_interval": 30,
        }])


@tagged("post_install", "-at_install")
class TestFirstSyncTour(SyncCaseMixin, HttpCase):
    def test_guided_first_sync(self):
        """Connected: the wizard, the preview (nothing written), "Sync Now"; the crons' runs; then
        a contact's badge and its invoice's QuickBooks tab, in headless Chromium."""
        buyer = self.env["res.partner"].create({"name": "Tour Buyer", "email": "tour.buyer@example.com",
                                                "is_company": True})
        product = self.env["product.product"].create({"name": "Tour Service", "type": "service", "taxes_id": False})
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": buyer.id, "invoice_date": date.today(),
            "invoice_line_ids": [Command.create({"product_id": product.id, "quantity": 1, "price_unit": 120,
                                                "tax_ids": False})]})
        invoice.action_post()
        self.connection.write({"product_direction": "both", "invoice_direction": "off"})
        mark = self.log_mark()
        self.start_tour("/odoo/settings#quickbooks_online", "quickbooks_online_first_sync_tour", login="admin",
                        timeout=180)
        self.assertFalse([r for r in self.api_log(mark) if r["method"] != "GET" and not r["path"].endswith("/query")],
                         "the preview only read from QuickBooks")
        self.assertEqual(self.connection.invoice_direction, "both", "the wizard saved the choice")
        self.pull()
        self.push()
        self.assertTrue(invoice.qbo_id)
        self.start_tour("/odoo/contacts", "quickbooks_online_synced_tour", login="admin", timeout=180)
