from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import QBOFakeServerMixin


@tagged("post_install", "-at_install")
class TestSecurity(QBOFakeServerMixin, TransactionCase):
    """Who may read tokens, change the connection, and see another company's connection."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "QBO Company B"})
        cls.qbo_user = new_test_user(cls.env, "qbo_user", groups="base.group_user,quickbooks_online.group_qbo_user")
        cls.qbo_manager = new_test_user(
            cls.env, "qbo_manager", groups="base.group_user,quickbooks_online.group_qbo_manager")
        cls.manager_b = new_test_user(
            cls.env, "qbo_manager_b", groups="base.group_user,quickbooks_online.group_qbo_manager",
            company_id=cls.company_b.id, company_ids=[cls.company_b.id])

    def setUp(self):
        super().setUp()
        self._connect()

    def test_user_reads_status_not_tokens(self):
        connection = self.connection.with_user(self.qbo_user)
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.realm_id, self.fake.realm_id)
        for field in ("access_token", "refresh_token"):
            with self.assertRaises(AccessError):
                connection.read([field])
        with self.assertRaises(AccessError):
            connection.write({"customer_direction": "off"})
        with self.assertRaises(AccessError):
            connection.action_qbo_disconnect()
        with self.assertRaises(AccessError):
            self.env["qbo.setup.wizard"].with_user(self.qbo_user).create({})

    def test_manager_configures_but_cannot_read_tokens(self):
        connection = self.connection.with_user(self.qbo_manager)
        connection.write({"customer_direction": "off"})
        self.assertNotIn("access_token", connection.fields_get())
        for field in ("access_token", "refresh_token"):
            with self.assertRaises(AccessError):
                connection.read([field])
        # ... yet the buttons that use them work (they read the tokens as superuser).
        self.assertEqual(connection.action_qbo_test_connection()["params"]["type"], "success")

    def test_admin_reads_tokens(self):
        connection = self.connection.with_user(self.env.ref("base.user_admin"))
        self.assertTrue(connection.read(["access_token"])[0]["access_token"])

    @mute_logger("odoo.models", "odoo.addons.base.models.ir_rule")
    def test_other_company_cannot_see_connection(self):
        model_b = self.env["qbo.connection"].with_user(self.manager_b).with_company(self.company_b)
        self.assertFalse(model_b.search([]))
        with self.assertRaises(AccessError):
            self.connection.with_user(self.manager_b).with_company(self.company_b).read(["state"])
        with self.assertRaises(AccessError):
            self.connection.with_user(self.manager_b)._qbo_verify_state(self.connection._qbo_sign_state())
        # Its own connection is its own.
        connection_b = model_b._qbo_for_company(self.company_b, create=True)
        self.assertEqual(connection_b.company_id, self.company_b)
        self.assertEqual(model_b.search([]), connection_b)
