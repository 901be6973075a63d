import contextlib
import logging
from datetime import timedelta
from pathlib import Path

from psycopg2 import IntegrityError

from odoo import fields
from odoo.addons.quickbooks_online.utils.qbo_client import QBOAuthError
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .common import QBOFakeServerMixin

NEUTRALIZE_SQL = Path(__file__).parent.parent / "data" / "neutralize.sql"


@tagged("post_install", "-at_install")
class TestConnection(QBOFakeServerMixin, TransactionCase):
    """The connection model against the fake server: connect, refresh, expiry, disconnect."""

    def _activities(self, connection=None):
        return (connection or self.connection).activity_ids

    def test_connect_stores_realm_tokens_and_company(self):
        params = self._connect()
        connection = self.connection.sudo()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.realm_id, self.fake.realm_id)
        self.assertEqual(params["realmId"], self.fake.realm_id)
        self.assertTrue(connection.qbo_company_name)
        self.assertEqual(connection.qbo_country, "US")
        self.assertTrue(connection.access_token and connection.refresh_token)
        self.assertGreater(connection.access_token_expires_at, fields.Datetime.now() + timedelta(minutes=55))
        self.assertGreater(connection.refresh_token_expires_at, fields.Datetime.now() + timedelta(days=100))
        # The hard expiry comes from the x-include-refresh-token-hard-expires-in header.
        self.assertGreater(connection.refresh_token_hard_expires_at, fields.Datetime.now() + timedelta(days=4 * 365))

    def test_refresh_persists_rotated_token(self):
        self._connect()
        connection = self.connection.sudo()
        old_refresh, old_access = connection.refresh_token, connection.access_token
        # An access token ending within the 5-minute margin is refreshed before use.
        connection.access_token_expires_at = fields.Datetime.now() + timedelta(minutes=4)
        token = connection._qbo_access_token()
        self.assertNotEqual(token, old_access)
        self.assertEqual(connection.access_token, token)
        self.assertNotEqual(connection.refresh_token, old_refresh)
        # The fake invalidated the old refresh token: only the stored one works.
        with self.assertRaises(QBOAuthError):
            connection._qbo_client().refresh(old_refresh)
        # A valid token is reused, no refresh.
        rotated = connection.refresh_token
        self.assertEqual(connection._qbo_access_token(), token)
        self.assertEqual(connection.refresh_token, rotated)

    def test_reused_refresh_token_needs_reauth(self):
        self._connect()
        connection = self.connection.sudo()
        stale = connection.refresh_token
        connection._qbo_refresh_tokens(force=True)
        # Another copy still holding the superseded token (e.g. a restored backup) refreshes.
        connection.write({"refresh_token": stale})
        try:
            connection._qbo_refresh_tokens(force=True)
            self.fail("a reused refresh token must be refused")
        except QBOAuthError as e:
            self.assertIn("invalid", str(e).lower())
        self.assertEqual(connection.state, "needs_reauth")
        admin = self.env.ref("base.user_admin")
        activity = self._activities().filtered(lambda a: a.user_id == admin)
        self.assertEqual(activity.summary, "Reconnect QuickBooks Online")
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_warning"))
        # API calls are refused until a manager reconnects; reconnecting clears the activity.
        with self.assertRaises(QBOAuthError):
            connection._qbo_access_token()
        self._connect()
        self.assertEqual(connection.state, "connected")
        self.assertFalse(self._activities())

    def test_expired_refresh_token_needs_reauth(self):
        self._connect()
        self.control.expire_tokens("all")
        with self.assertRaises(UserError) as caught:
            self.connection.action_qbo_test_connection()
        self.assertIn("Connect again", str(caught.exception))
        # Outside assertRaises' savepoint: the state change is kept.
        with contextlib.suppress(QBOAuthError):
            self.connection._qbo_call("company_info")
        self.assertEqual(self.connection.state, "needs_reauth")
        self.assertTrue(self._activities())

    def test_test_connection_reads_company_info(self):
        self._connect()
        self.connection.qbo_company_name = "stale"
        action = self.connection.action_qbo_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertNotEqual(self.connection.qbo_company_name, "stale")
        # A refused access token is refreshed once and the call retried.
        self.control.expire_tokens("access")
        self.connection.action_qbo_test_connection()
        self.assertEqual(self.connection.state, "connected")

    def test_keep_alive_refreshes_and_warns_before_hard_expiry(self):
        self._connect()
        connection = self.connection.sudo()
        model = self.env["qbo.connection"]
        # Daily refreshes keep the rolling refresh token alive; only the hard expiry (5 years
        # after the consent) ends the grant. Live through it on the fake's clock, 90 days a step.
        hard_end = connection.refresh_token_hard_expires_at
        days_left = (hard_end - fields.Datetime.now()).days
        while days_left > 20:
            step = min(90, days_left - 10)
            self.control.advance_clock(step * 86400)
            before = connection.refresh_token
            model._cron_qbo_keep_alive()
            self.assertNotEqual(connection.refresh_token, before)
            self.assertEqual(connection.state, "connected")
            days_left -= step
            if days_left > 14:
                self.assertFalse(self._activities(), f"no warning with {days_left} days left")
        self.assertLessEqual((connection.refresh_token_hard_expires_at - fields.Datetime.now()).days, 14)
        activity = self._activities()
        self.assertTrue(activity)
        self.assertEqual(set(activity.mapped("summary")), {"QuickBooks Online connection expires soon"})
        self.assertEqual(activity[0].date_deadline, connection.refresh_token_hard_expires_at.date())
        # Once: the next run does not add another.
        model._cron_qbo_keep_alive()
        self.assertEqual(len(self._activities()), len(activity))

    def test_keep_alive_warns_on_rolling_expiry(self):
        self._connect()
        self.connection.refresh_token_expires_at = fields.Datetime.now() + timedelta(days=10)
        self.connection._qbo_check_token_expiry()
        self.assertTrue(self._activities())

    def test_disconnect_revokes(self):
        self._connect()
        connection = self.connection.sudo()
        refresh, access = connection.refresh_token, connection.access_token
        action = connection.action_qbo_disconnect()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(connection.state, "disconnected")
        self.assertFalse(connection.refresh_token or connection.access_token)
        # The fake no longer accepts either token of the grant.
        client = connection._qbo_client()
        with self.assertRaises(QBOAuthError):
            client.refresh(refresh)
        client.realm_id, client.access_token = self.fake.realm_id, access
        with self.assertRaises(QBOAuthError):
            client.company_info()

    def test_reset_forgets_sync_state(self):
        self._connect()
        now = fields.Datetime.now()
        self.connection.write({"last_push_at": now, "last_pull_at": now})
        wizard = self.env["qbo.reset.wizard"].create({"connection_id": self.connection.id})
        wizard.action_reset()
        self.assertFalse(self.connection.last_push_at or self.connection.last_pull_at)
        self.assertEqual(self.connection.state, "connected")

    def test_second_company_cannot_connect_same_realm(self):
        self._connect()
        company_b = self.env["res.company"].create({"name": "Company B"})
        other = self.env["qbo.connection"].create({
            "company_id": company_b.id, "environment": "custom", "custom_base_url": self.fake.url})
        params = self._authorize(other)
        with self.assertRaises(UserError) as caught:
            other._qbo_oauth_complete(params["code"], params["realmId"])
        self.assertIn("already connected", str(caught.exception))
        self.assertIn(self.env.company.name, str(caught.exception))
        other.invalidate_recordset()
        self.assertEqual(other.state, "not_connected")
        self.assertFalse(other.realm_id or other.sudo().refresh_token)

    def test_realm_unique_index(self):
        """The database refuses a second live connection to a realm, whatever the code does."""
        self._connect()
        company_b = self.env["res.company"].create({"name": "Company B"})
        other = self.env["qbo.connection"].create({"company_id": company_b.id})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            other.write({"state": "connected", "realm_id": self.fake.realm_id})
            other.flush_recordset()

    def test_one_connection_per_company(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["qbo.connection"].create({"company_id": self.env.company.id})

    def test_custom_url_must_be_loopback_for_http(self):
        with self.assertRaises(UserError):
            self.connection.custom_base_url = "http://example.com"

    def test_neutralize_blanks_tokens(self):
        self._connect()
        self.connection.first_paid_enabled = True
        self.env.flush_all()
        self.cr.execute(NEUTRALIZE_SQL.read_text())
        self.connection.invalidate_recordset()
        connection = self.connection.sudo()
        self.assertEqual(connection.state, "disconnected")
        self.assertFalse(connection.access_token or connection.refresh_token)
        self.assertFalse(connection.refresh_token_expires_at)
        self.assertFalse(connection.first_paid_enabled, "a copy sends no review request")

    def test_wizard_saves_preferences(self):
        wizard = self.env["qbo.setup.wizard"].create({
            "environment": "custom", "custom_base_url": self.fake.url, "customer_direction": "qbo_to_odoo",
            "payment_direction": "off", "customer_scope": "tagged", "import_history": True,
            "skip_customers_without_email": True, "use_odoo_invoice_numbers": False, "push_interval": 7,
            "pull_interval": 30, "partner_lang": "en_US",
        })
        action = wizard.action_save_and_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(f"connection_id={self.connection.id}", action["url"])
        self.assertRecordValues(self.connection, [{
            "customer_direction": "qbo_to_odoo", "payment_direction": "off", "customer_scope": "tagged",
            "import_history": True, "skip_customers_without_email": True, "use_odoo_invoice_numbers": False,
            "push_interval": 7, "pull_interval": 30,
        }])
        self.assertTrue(self.env.ref("quickbooks_online.res_partner_category_quickbooks").exists())
        # Connected, the environment is locked.
        self._connect()
        wizard = self.env["qbo.setup.wizard"].create({"environment": "sandbox"})
        with self.assertRaises(UserError):
            wizard.action_save()

    def test_tokens_never_logged(self):
        records = []

        class Collect(logging.Handler):
            def emit(self, record):
                # Odoo's own SQL debug log (--log-sql) prints every query with its values, passwords
                # included: an operator's opt-in, not this addon's logging.
                if record.name != "odoo.sql_db":
                    records.append(record.getMessage())

        handler = Collect(level=logging.DEBUG)
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            self._connect()
            connection = self.connection.sudo()
            tokens = {connection.access_token, connection.refresh_token}
            stale = connection.refresh_token
            connection._qbo_refresh_tokens(force=True)
            tokens |= {connection.access_token, connection.refresh_token}
            connection.refresh_token = stale
            with contextlib.suppress(QBOAuthError):
                connection._qbo_refresh_tokens(force=True)  # refused: logged as a warning
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        self.assertTrue(any("refresh refused" in message for message in records))
        for token in tokens:
            self.assertFalse([m for m in records if token in m], "a token was logged")
