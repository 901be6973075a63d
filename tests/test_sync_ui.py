"""The sync interface: what QuickBooks users see on partners and in the log, and the buttons."""

from lxml import etree

from odoo.addons.quickbooks_online import const
from odoo.tests import TransactionCase, new_test_user, tagged

from .sync_common import SyncCaseMixin


@tagged("post_install", "-at_install")
class TestSyncInterface(SyncCaseMixin, TransactionCase):

    def _arch(self, user, view_type, model="res.partner"):
        views = self.env[model].with_user(user).get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_partner_views_show_quickbooks_to_quickbooks_users_only(self):
        reader = new_test_user(self.env, "qbo_reader", groups="base.group_user,quickbooks_online.group_qbo_user")
        outsider = new_test_user(self.env, "qbo_outsider", groups="base.group_user")
        form = self._arch(reader, "form")
        self.assertTrue(form.xpath("//page[@name='quickbooks_online']//field[@name='qbo_last_error']"))
        self.assertTrue(form.xpath("//button[@name='action_qbo_open_in_quickbooks']"))
        self.assertFalse(form.xpath("//button[@name='action_qbo_sync_now']"), "managers only")
        self.assertTrue(self._arch(reader, "list").xpath("//field[@name='qbo_sync_state'][@widget='badge']"))
        self.assertTrue(self._arch(reader, "kanban").xpath("//span[@name='qbo_badge']"))
        self.assertTrue(self._arch(reader, "search").xpath("//filter[@name='qbo_errors']"))
        self.assertFalse(self._arch(outsider, "form").xpath("//page[@name='quickbooks_online']"))
        self.assertFalse(self._arch(outsider, "kanban").xpath("//span[@name='qbo_badge']"))

    def test_partner_state_badge_and_open_in_quickbooks(self):
        partner = self.make_partners("Lima Tools")
        self.assertEqual(partner.qbo_sync_state, "to_push")
        self.push()
        self.assertEqual(partner.search([("qbo_sync_state", "=", "synced")]), partner, "the 'Synced' filter")
        action = partner.action_qbo_open_in_quickbooks()
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["url"], partner.qbo_url)
        self.assertTrue(partner.qbo_url.endswith(self.binding(partner).qbo_id))

    def test_settings_show_webhook_url_and_upload_all(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.qbo_webhook_url, settings.get_base_url() + const.ROUTE_WEBHOOK)
        partner = self.Partner.with_context(qbo_no_push=True).create({"name": "Mike Imports"})
        self.assertFalse(partner.qbo_sync_state)
        settings.action_qbo_upload_all()
        self.assertEqual(partner.qbo_sync_state, "to_push")
        self.push()
        self.assertEqual(partner.qbo_sync_state, "synced")

    def test_wizard_saves_conflict_policy(self):
        wizard = self.env["qbo.setup.wizard"].create({"environment": "custom", "custom_base_url": self.fake.url,
                                                      "conflict_policy": "manual"})
        wizard.action_save_and_download_all()
        self.assertEqual(self.connection.conflict_policy, "manual")
        self.assertFalse(self.connection.qbo_pull_watermark)

    def test_log_line_shows_losing_version(self):
        line = self.env["qbo.sync.log"].create({
            "connection_id": self.connection.id, "direction": "pull", "outcome": "conflict",
            "losing_values": {"phone": "555-0100", "name": "Zoë"}})
        self.assertEqual(line.losing_values_text, '{\n  "name": "Zoë",\n  "phone": "555-0100"\n}')
