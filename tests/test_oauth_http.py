import time
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo.addons.quickbooks_online import const
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import hmac as odoo_hmac

from .common import QBOFakeServerMixin


@tagged("post_install", "-at_install")
class TestOAuthRoutes(QBOFakeServerMixin, HttpCase):
    """The OAuth flow through Odoo's real HTTP routes, the browser's part played by requests."""

    def setUp(self):
        super().setUp()
        self.authenticate("admin", "admin")

    def _start(self):
        """GET the start route (where the Connect button sends the browser); return Intuit's URL."""
        action = self.connection.action_qbo_connect()
        reply = self.url_open(action["url"], allow_redirects=False)
        self.assertEqual(reply.status_code, 303, reply.text)
        return reply.headers["Location"]

    def _consent(self, authorize_url):
        """The browser at Intuit: returns the callback URL Intuit redirects to."""
        reply = self.opener.get(authorize_url, allow_redirects=False, timeout=10)
        self.assertEqual(reply.status_code, 302, reply.text)
        return reply.headers["Location"]

    def _callback(self, **params):
        return self.url_open(f"{const.ROUTE_OAUTH_CALLBACK}?{urlencode(params)}", allow_redirects=False)

    def _assert_error_page(self, reply, status, text):
        self.assertEqual(reply.status_code, status)
        self.assertIn("connection failed", reply.text)
        self.assertIn(text, reply.text)
        self.assertIn(const.SETTINGS_URL, reply.text)  # the way back

    def _assert_untouched(self):
        self.connection.invalidate_recordset()
        connection = self.connection.sudo()
        self.assertEqual(connection.state, "not_connected")
        self.assertFalse(connection.realm_id or connection.access_token or connection.refresh_token)

    def test_full_flow(self):
        authorize_url = self._start()
        self.assertTrue(authorize_url.startswith(self.fake.url + "/connect/oauth2?"))
        query = parse_qs(urlsplit(authorize_url).query)
        self.assertEqual(query["redirect_uri"], [self.base_url() + const.ROUTE_OAUTH_CALLBACK])
        self.assertEqual(query["scope"], ["com.intuit.quickbooks.accounting"])
        callback_url = self._consent(authorize_url)
        self.assertTrue(callback_url.startswith(self.base_url() + const.ROUTE_OAUTH_CALLBACK))
        reply = self.url_open(callback_url, allow_redirects=False)
        self.assertEqual(reply.status_code, 303, reply.text)
        self.assertTrue(reply.headers["Location"].endswith(const.SETTINGS_URL))
        self.connection.invalidate_recordset()
        connection = self.connection.sudo()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.realm_id, self.fake.realm_id)
        self.assertTrue(connection.qbo_company_name)
        self.assertTrue(connection.access_token and connection.refresh_token)
        # The stored tokens work, and the name is QuickBooks' own.
        self.assertEqual(connection._qbo_call("company_info")["name"], connection.qbo_company_name)

    def test_access_denied(self):
        self.control.consent("deny")
        params = parse_qs(urlsplit(self._consent(self._start())).query)
        self.assertEqual(params["error"], ["access_denied"])
        reply = self._callback(error="access_denied", state=params["state"][0])
        self._assert_error_page(reply, 400, "cancelled in QuickBooks")
        self._assert_untouched()

    @mute_logger("odoo.addons.quickbooks_online.controllers.main")
    def test_wrong_state(self):
        params = parse_qs(urlsplit(self._consent(self._start())).query)
        state = params["state"][0]
        forged = state[:-1] + ("0" if state[-1] != "0" else "1")
        reply = self._callback(code=params["code"][0], realmId=params["realmId"][0], state=forged)
        self._assert_error_page(reply, 403, "forged state")
        # A state signed for another connection id / user does not verify either.
        payload, signature = state.rsplit(".", 1)
        conn_id, uid, ts = payload.split(".")
        reply = self._callback(code=params["code"][0], realmId=params["realmId"][0],
                               state=f"{conn_id}.{int(uid) + 1}.{ts}.{signature}")
        self._assert_error_page(reply, 403, "forged state")
        self._assert_untouched()

    @mute_logger("odoo.addons.quickbooks_online.controllers.main")
    def test_expired_state(self):
        params = parse_qs(urlsplit(self._consent(self._start())).query)
        payload = f"{self.connection.id}.{self.env.ref('base.user_admin').id}.{int(time.time()) - 7200}"
        state = f"{payload}.{odoo_hmac(self.env(su=True), const.OAUTH_STATE_SCOPE, payload)}"
        reply = self._callback(code=params["code"][0], realmId=params["realmId"][0], state=state)
        self._assert_error_page(reply, 403, "took too long")
        self._assert_untouched()

    @mute_logger("odoo.addons.quickbooks_online.controllers.main")
    def test_missing_state(self):
        params = parse_qs(urlsplit(self._consent(self._start())).query)
        reply = self._callback(code=params["code"][0], realmId=params["realmId"][0])
        self._assert_error_page(reply, 403, "no valid state")
        self._assert_untouched()

    def test_missing_code(self):
        params = parse_qs(urlsplit(self._consent(self._start())).query)
        reply = self._callback(realmId=params["realmId"][0], state=params["state"][0])
        self._assert_error_page(reply, 400, "did not send an authorization code")
        self._assert_untouched()

    def test_used_code(self):
        callback_url = self._consent(self._start())
        self.url_open(callback_url, allow_redirects=False)
        self.connection.invalidate_recordset()
        first_token = self.connection.sudo().refresh_token
        # The same answer replayed (back button): the code is single-use.
        self.connection.sudo().write({"state": "disconnected"})
        reply = self.url_open(callback_url, allow_redirects=False)
        self._assert_error_page(reply, 400, "refused the authorization")
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "disconnected")
        self.assertEqual(self.connection.sudo().refresh_token, first_token)

    def test_wrong_client_secret(self):
        callback_url = self._consent(self._start())
        self.env["ir.config_parameter"].sudo().set_param(const.PARAM_CLIENT_SECRET, "not-the-secret")
        reply = self.url_open(callback_url, allow_redirects=False)
        self._assert_error_page(reply, 400, "refused the app credentials")
        self.assertIn("intuit_tid", reply.text)
        self._assert_untouched()

    def test_start_without_credentials_or_server(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(const.PARAM_CLIENT_ID, False)
        reply = self.url_open(self.connection.action_qbo_connect()["url"], allow_redirects=False)
        self._assert_error_page(reply, 400, "Client ID and Client Secret")
        params.set_param(const.PARAM_CLIENT_ID, "fake-client-id")
        self.connection.custom_base_url = "http://127.0.0.1:9"  # nothing listens there
        reply = self.url_open(self.connection.action_qbo_connect()["url"], allow_redirects=False)
        self._assert_error_page(reply, 400, "could not be reached")
        self._assert_untouched()

    def test_second_company_same_realm(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        self.env.ref("base.user_admin").company_ids |= company_b
        other = self.env["qbo.connection"].create({
            "company_id": company_b.id, "environment": "custom", "custom_base_url": self.fake.url})
        self._connect()
        callback_url = self._consent(self.url_open(other.action_qbo_connect()["url"],
                                                   allow_redirects=False).headers["Location"])
        reply = self.url_open(callback_url, allow_redirects=False)
        self._assert_error_page(reply, 400, "already connected to the Odoo company")
        other.invalidate_recordset()
        self.assertEqual(other.state, "not_connected")
        self.assertFalse(other.realm_id or other.sudo().refresh_token)

    @mute_logger("odoo.addons.quickbooks_online.controllers.main")
    def test_routes_need_manager(self):
        authorize_url = self._start()
        callback_url = self._consent(authorize_url)
        new_test_user(self.env, "qbo_plain_user", groups="base.group_user,quickbooks_online.group_qbo_user",
                      password="qbo_plain_user_pw")
        self.authenticate("qbo_plain_user", "qbo_plain_user_pw")
        reply = self.url_open(self.connection.action_qbo_connect()["url"], allow_redirects=False)
        self.assertEqual(reply.status_code, 403)
        reply = self.url_open(callback_url, allow_redirects=False)
        self.assertEqual(reply.status_code, 403)
        self._assert_untouched()
        # Logged out: the login page, nothing else.
        self.authenticate(None, None)
        reply = self.url_open(callback_url, allow_redirects=False)
        self.assertEqual(reply.status_code, 303)
        self.assertIn("/web/login", reply.headers["Location"])
        self._assert_untouched()
