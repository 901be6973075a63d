from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_groups_exist(self):
        manager = self.env.ref("quickbooks_online.group_qbo_manager")
        user = self.env.ref("quickbooks_online.group_qbo_user")
        self.assertIn(user, manager.implied_ids)
        self.assertIn(self.env.ref("base.user_admin"), manager.users)

    def test_odoo_runner_sees_every_test_module(self):
        """``odoo-bin --test-enable`` runs only what ``tests/__init__.py`` imports: a module left
        out is silently skipped there (the invoice tests once were)."""
        from pathlib import Path

        from .. import tests

        here = Path(tests.__file__).parent
        missing = [path.stem for path in here.glob("test_*.py") if not hasattr(tests, path.stem)]
        self.assertEqual(missing, [])
