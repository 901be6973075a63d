"""Security over JSON-RPC, as each kind of user calls the addon: where secrets may go, and who may
call each public method (issue 7). Real HTTP to Odoo's routes and to the local QuickBooks server."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from odoo.addons.quickbooks_online import const
from odoo.addons.quickbooks_online.fake_qbo import FakeQBO
from odoo.addons.quickbooks_online.fake_qbo.control import Control
from odoo.addons.quickbooks_online.utils.qbo_client import QBOAuthError
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CLIENT_ID, CLIENT_SECRET, QBOFakeServerMixin

ALLOWED, ACCESS, USER_ERROR = "allowed", "odoo.exceptions.AccessError", "odoo.exceptions.UserError"


class _HostileDiscovery(BaseHTTPRequestHandler):
    """A server on loopback whose discovery document sends the tokens to another host."""

    def do_GET(self):  # noqa: N802 -- http.server's name
        body = json.dumps({key: "https://attacker.example/%s" % key for key in (
            "authorization_endpoint", "token_endpoint", "revocation_endpoint", "userinfo_endpoint")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@tagged("post_install", "-at_install")
class TestSecurityRPC(QBOFakeServerMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "QBO RPC Company B"})
        company_a = cls.env.company
        cls.users = {
            # Every internal user may edit contacts: what they may do with QuickBooks is the question.
            "plain": new_test_user(cls.env, "rpc_plain", groups="base.group_partner_manager"),
            "qbo_user": new_test_user(
                cls.env, "rpc_qbo_user", groups="base.group_partner_manager,quickbooks_online.group_qbo_user"),
            "manager": new_test_user(
                cls.env, "rpc_manager", groups="base.group_partner_manager,quickbooks_online.group_qbo_manager"),
            "portal": new_test_user(cls.env, "rpc_portal", groups="base.group_portal"),
            "other_company": new_test_user(
                cls.env, "rpc_other_co", groups="base.group_partner_manager,quickbooks_online.group_qbo_manager",
                company_id=cls.company_b.id, company_ids=[cls.company_b.id]),
        }
        for user in cls.users.values():
            user.company_ids |= cls.company_b if user.login == "rpc_other_co" else company_a
        # A second QuickBooks-like server: where a hostile manager would send the tokens.
        cls.evil = FakeQBO(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, auto_approve=True).start()
        cls.addClassCleanup(cls.evil.stop)
        cls.evil_control = Control(cls.evil.url)

    def setUp(self):
        super().setUp()
        self._connect()
        self.evil_control.clear_requests()

    # -- helpers -------------------------------------------------------------------------------
    def rpc(self, who, model, method, ids=None, *args, **kwargs):
        """Call ``model.method`` over JSON-RPC as ``who`` (on ``ids``; None for a model method)
        and return ALLOWED or the error's class."""
        user = self.users[who] if who in self.users else self.env.ref("base.user_admin")
        self.authenticate(user.login, user.login if who in self.users else "admin")
        args = list(args) if ids is None else [list(ids), *args]
        try:
            self.make_jsonrpc_request("/web/dataset/call_kw", {
                "model": model, "method": method, "args": args, "kwargs": kwargs})
        except JsonRpcException as e:
            return str(e)
        return ALLOWED

    # -- where secrets go ----------------------------------------------------------------------
    @mute_logger("odoo.http")
    def test_manager_cannot_send_tokens_elsewhere(self):
        """The exfiltration of issue 7: a QuickBooks manager (not an administrator) points the
        connection at another server over RPC, then tests the connection and forces a refresh."""
        connection = self.connection
        values = {"environment": "custom", "custom_base_url": self.evil.url}
        self.assertEqual(self.rpc("manager", "qbo.connection", "write", connection.ids, values), ACCESS)
        self.assertEqual(self.rpc("manager", "qbo.connection", "write", connection.ids,
                                  {"environment": "production"}), ACCESS)
        self.assertEqual(self.rpc("manager", "qbo.connection", "create",
                                  None, {"company_id": self.company_b.id, **values}), ACCESS)
        # What the manager may do still talks to the configured server only.
        self.assertEqual(self.rpc("manager", "qbo.connection", "action_qbo_test_connection", connection.ids),
                         ALLOWED)
        connection.sudo()._qbo_refresh_tokens(force=True)
        connection.invalidate_recordset()
        self.assertEqual(connection.custom_base_url, self.fake.url)
        self.assertEqual(self.evil_control.requests(0), [], "a request reached the other server")
        # An administrator cannot move a connected company either: disconnect first.
        self.assertEqual(self.rpc("admin", "qbo.connection", "write", connection.ids, values), USER_ERROR)
        self.assertEqual(self.evil_control.requests(0), [])

    @mute_logger("odoo.http")
    def test_admin_moves_disconnected_connection_and_chatter_says_who(self):
        self.connection.action_qbo_disconnect()
        self.assertEqual(self.rpc("admin", "qbo.connection", "write", self.connection.ids,
                                  {"custom_base_url": self.evil.url}), ALLOWED)
        self.assertEqual(self.connection.custom_base_url, self.evil.url)
        note = self.connection.message_ids[:1]
        self.assertIn(self.evil.url, note.body)
        self.assertIn(self.env.ref("base.user_admin").name, note.body)

    def test_custom_server_only_on_loopback_unless_allowed(self):
        self.connection.action_qbo_disconnect()
        for url in ("https://attacker.example", "http://attacker.example", "http://10.0.0.1:8765",
                    "http://user:pw@127.0.0.1:1", "ftp://127.0.0.1", "http://127.0.0.1:99999"):
            with self.subTest(url=url), self.assertRaises(UserError), mute_logger("odoo.sql_db"):
                self.connection.custom_base_url = url
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(const.PARAM_ALLOWED_CUSTOM_HOSTS, "qbo-staging.example.org")
        with self.assertRaises(UserError):
            self.connection.custom_base_url = "http://qbo-staging.example.org"  # never in clear text
        self.connection.custom_base_url = "https://qbo-staging.example.org"
        self.assertEqual(self.connection.custom_base_url, "https://qbo-staging.example.org")

    @mute_logger("odoo.addons.quickbooks_online.controllers.main")
    def test_discovery_naming_another_host_is_refused(self):
        """A server whose discovery document names another host gets no secret and no redirect."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _HostileDiscovery)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.connection.action_qbo_disconnect()
        self.connection.custom_base_url = "http://127.0.0.1:%s" % server.server_address[1]
        with self.assertRaisesRegex(UserError, "attacker.example"):
            self.connection._qbo_authorization_url()
        self.authenticate("admin", "admin")
        reply = self.url_open(self.connection.action_qbo_connect()["url"], allow_redirects=False)
        self.assertEqual(reply.status_code, 400)
        self.assertNotIn("attacker.example", reply.headers.get("Location", ""))

    # -- who may call what ---------------------------------------------------------------------
    @mute_logger("odoo.http")
    def test_rpc_access_table(self):
        """Every public method of the addon that does something, called over RPC by each kind of
        user: allowed, AccessError, or (allowed but refused for a reason) UserError."""
        partner = self.env["res.partner"].create({
            "name": "RPC Partner", "email": "rpc.partner@example.com", "company_id": self.env.company.id})
        self.env.flush_all()
        binding = partner._qbo_binding(self.connection)
        binding.write({"qbo_id": "999", "state": "error", "last_error": "secret QuickBooks detail"})
        line = self.env["qbo.sync.log"].create({
            "connection_id": self.connection.id, "binding_id": binding.id, "res_model": "res.partner",
            "res_id": partner.id, "direction": "pull", "outcome": "conflict", "losing_side": "qbo",
            "losing_values": {"phone": "+1 555 0100"}})
        product = self.env["product.product"].create({"name": "RPC Product"})
        self.env["qbo.binding"].create({"connection_id": self.connection.id, "res_model": "product.product",
                                        "res_id": product.id, "qbo_entity": "Item", "qbo_id": "998"})
        health = self.env["qbo.health"].search([("connection_id", "=", self.connection.id)]).ids[:1]
        run = self.env["qbo.sync.run"].create({"connection_id": self.connection.id, "direction": "pull",
                                               "state": "done"})
        conn, p, log = self.connection.ids, partner.ids, line.ids
        A, U, E = ALLOWED, ACCESS, USER_ERROR  # noqa: N806 -- a table reads better with short names
        # (model, method, ids): plain, qbo_user, manager, portal, other_company
        table = [
            ("res.partner", "action_qbo_open_in_quickbooks", p, U, A, A, U, U),
            ("res.partner", "action_qbo_sync_now", p, U, U, A, U, U),
            # A company-less product: company B's manager reads it, but B has no QuickBooks.
            ("product.product", "action_qbo_open_in_quickbooks", product.ids, U, A, A, U, E),
            ("product.template", "action_qbo_sync_now", product.product_tmpl_id.ids, U, U, A, U, E),
            ("qbo.connection", "action_qbo_refresh_accounts", conn, U, U, A, U, U),
            ("qbo.connection", "action_qbo_open_health", conn, U, A, A, U, U),
            ("qbo.connection", "action_qbo_open_preview", conn, U, U, A, U, U),
            ("qbo.health", "action_qbo_open_bindings", health, U, A, A, U, U),
            ("qbo.sync.run", "action_qbo_undo", run.ids, U, U, A, U, U),
            ("qbo.sync.log", "action_open_record", log, U, A, A, U, U),
            ("qbo.sync.log", "action_retry", log, U, U, A, U, U),
            ("qbo.sync.log", "action_apply_losing_version", log, U, U, A, U, U),
            ("qbo.setup.wizard", "action_open", None, U, U, A, U, A),
            ("qbo.connection", "action_qbo_open_setup_wizard", conn, U, U, A, U, U),
            ("qbo.connection", "action_qbo_open_reset_wizard", conn, U, U, A, U, U),
            ("qbo.connection", "action_qbo_connect", conn, U, U, A, U, U),
            ("qbo.connection", "action_qbo_test_connection", conn, U, U, A, U, U),
            ("qbo.connection", "action_qbo_upload_all", conn, U, U, A, U, U),
            ("qbo.connection", "action_qbo_download_all", conn, U, U, A, U, U),
            ("qbo.connection", "action_qbo_sync_now", conn, U, U, A, U, U),
            ("qbo.connection", "action_qbo_disconnect", conn, U, U, A, U, U),  # last: it disconnects
        ]
        # The reset confirmation: a manager's wizard is the manager's alone; the reset forgets this.
        self.connection.qbo_pull_watermark = "2026-01-01 00:00:00"
        wizard = self.env["qbo.reset.wizard"].with_user(self.users["manager"]).create({"connection_id": conn[0]})
        table.insert(-1, ("qbo.reset.wizard", "action_reset", wizard.ids, U, U, A, U, U))
        who = ("plain", "qbo_user", "manager", "portal", "other_company")
        for model, method, ids, *expected in table:
            for user, outcome in zip(who, expected, strict=True):
                if user == "manager":
                    continue  # last, once the others have failed to change anything
                with self.subTest(model=model, method=method, user=user):
                    self.assertEqual(self.rpc(user, model, method, ids), outcome)
            with self.subTest(model=model, method=method, user="manager"):
                self.assertEqual(self.rpc("manager", model, method, ids), expected[2])
        self.assertEqual(self.connection.state, "disconnected")
        self.assertEqual(partner.with_user(self.users["manager"]).phone, "+1 555 0100")
        self.assertFalse(self.connection.qbo_pull_watermark, "the manager's reset ran")
        for who_creates in ("plain", "qbo_user", "portal"):
            with self.subTest(create=who_creates):
                self.assertEqual(self.rpc(who_creates, "qbo.reset.wizard", "create", None,
                                          {"connection_id": conn[0]}), U)

    def test_error_text_only_for_quickbooks_users(self):
        partner = self.env["res.partner"].create({"name": "Err Partner", "email": "err.partner@example.com"})
        self.env.flush_all()
        partner._qbo_binding(self.connection).write({"state": "error", "last_error": "QuickBooks said no"})
        self.assertEqual(partner.with_user(self.users["qbo_user"]).qbo_last_error, "QuickBooks said no")
        plain = partner.with_user(self.users["plain"])
        self.assertEqual(plain.qbo_sync_state, "error")  # the badge
        with self.assertRaises(AccessError):
            plain.read(["qbo_last_error"])
        with self.assertRaises(AccessError):
            plain.read(["qbo_url"])

    # -- notifications never undo the work -----------------------------------------------------
    @mute_logger("odoo.http")
    def test_manager_without_email_connects_and_disconnects(self):
        manager = self.users["manager"]
        manager.email = False
        self.connection.action_qbo_disconnect()
        self.authenticate(manager.login, manager.login)
        action = self.connection.with_user(manager).action_qbo_connect()
        start = self.url_open(action["url"], allow_redirects=False)
        self.assertEqual(start.status_code, 303, start.text)
        consent = self.opener.get(start.headers["Location"], allow_redirects=False, timeout=10)
        reply = self.url_open(consent.headers["Location"], allow_redirects=False)
        self.assertEqual(reply.status_code, 303, reply.text)
        self.assertTrue(reply.headers["Location"].endswith(const.SETTINGS_URL))
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "connected")
        self.assertIn("Connected to the QuickBooks company", self.connection.message_ids[0].body)
        refresh_token = self.connection.sudo().refresh_token
        # Disconnect over RPC: success, and Odoo says disconnected, truthfully.
        self.assertEqual(self.rpc("manager", "qbo.connection", "action_qbo_disconnect", self.connection.ids),
                         ALLOWED)
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "disconnected")
        self.assertFalse(self.connection.sudo().refresh_token)
        self.assertEqual(self.connection.message_ids[0].author_id, manager.partner_id)
        with self.assertRaises(QBOAuthError):  # revoked at QuickBooks
            self.connection._qbo_client().refresh(refresh_token)

    def test_intuit_text_is_escaped_in_activities(self):
        self.users["manager"].email = False  # and notifying a manager without e-mail works
        hostile = '<a href="https://phish.example">Reconnect here</a><script>alert(1)</script>'
        self.connection.sudo()._qbo_mark_needs_reauth(UserError(hostile))
        activities = self.connection.sudo().activity_ids
        self.assertIn(self.users["manager"], activities.user_id)
        for activity in activities:
            self.assertNotIn("<a href", str(activity.note))
            self.assertNotIn("<script", str(activity.note))
            self.assertIn("&lt;a href=", str(activity.note))

    def test_neutralized_copy_holds_no_secret(self):
        from odoo.modules.neutralize import neutralize_database  # noqa: PLC0415 -- what `odoo-bin neutralize` runs

        params = self.env["ir.config_parameter"].sudo()
        params.set_param(const.PARAM_VERIFIER_TOKEN, "verifier-secret")
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        connection = self.connection.sudo()
        self.assertEqual(connection.state, "disconnected")
        self.assertFalse(connection.access_token or connection.refresh_token)
        for key in (const.PARAM_CLIENT_SECRET, const.PARAM_VERIFIER_TOKEN):
            self.assertFalse(params.get_param(key), key)
        self.env.cr.execute("SELECT key FROM ir_config_parameter WHERE value IN %s",
                            [(CLIENT_SECRET, "verifier-secret")])
        self.assertEqual(self.env.cr.fetchall(), [])
