from odoo.tests import HttpCase, tagged

from .common import QBOFakeServerMixin


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
