from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_groups_exist(self):
        manager = self.env.ref("quickbooks_online.group_qbo_manager")
        user = self.env.ref("quickbooks_online.group_qbo_user")
        self.assertIn(user, manager.implied_ids)
        self.assertIn(self.env.ref("base.user_admin"), manager.users)
