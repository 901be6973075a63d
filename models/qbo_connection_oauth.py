import logging
import time
from collections.abc import Iterator

from psycopg2 import IntegrityError

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import consteq
from odoo.tools.misc import hmac as odoo_hmac

from .. import const
from ..utils.qbo_client import QBOAuthError, QBOError

_logger = logging.getLogger(__name__)


class QboConnection(models.Model):
    """OAuth 2 connect / disconnect, and the buttons of Settings."""

    _inherit = "qbo.connection"

    # -----------------------------------------------------------------------------------------
    # OAuth state: "<connection id>.<user id>.<unix time>.<HMAC>" (as google_gmail, HMAC keyed
    # with database.secret); it binds the callback to this connection, this user and one hour.
    # -----------------------------------------------------------------------------------------
    def _qbo_sign_state(self):
        self.ensure_one()
        payload = f"{self.id}.{self.env.uid}.{int(time.time())}"
        return f"{payload}.{odoo_hmac(self.env(su=True), const.OAUTH_STATE_SCOPE, payload)}"

    def _qbo_verify_state(self, state):
        """Return the connection a callback ``state`` was signed for.

        :raises AccessError: when the state is missing, forged, expired or someone else's
        """
        try:
            payload, signature = (state or "").rsplit(".", 1)
            connection_id, uid, issued = (int(part) for part in payload.split("."))
        except ValueError:
            raise AccessError(
                self.env._("The QuickBooks answer has no valid state: start again from Settings.")) from None
        expected = odoo_hmac(self.env(su=True), const.OAUTH_STATE_SCOPE, payload)
        if not consteq(signature, expected):
            raise AccessError(self.env._("The QuickBooks answer has a forged state: start again from Settings."))
        if uid != self.env.uid:
            raise AccessError(
                self.env._("This QuickBooks answer was meant for another user: start again from Settings."))
        if time.time() - issued > const.OAUTH_STATE_MAX_AGE:
            raise AccessError(self.env._("The QuickBooks authorization took too long: start again from Settings."))
        connection = self.browse(connection_id).exists()
        if not connection:
            raise AccessError(self.env._("The QuickBooks connection no longer exists: start again from Settings."))
        connection.check_access("write")
        return connection

    def _qbo_authorization_url(self):
        """Return Intuit's consent URL for this connection and the current user.

        :raises UserError: credentials missing or the OAuth server unreachable
        """
        self.ensure_one()
        self.check_access("write")
        try:
            return self._qbo_client().authorization_url(self._qbo_sign_state())
        except QBOError as e:
            raise self._qbo_user_error(e) from e

    # -----------------------------------------------------------------------------------------
    # Connect
    # -----------------------------------------------------------------------------------------
    def _qbo_check_realm_free(self, realm_id):
        """:raises UserError: when another Odoo company is connected to ``realm_id``"""
        other = self.sudo().search([
            ("realm_id", "=", realm_id), ("state", "in", ("connected", "needs_reauth")), ("id", "!=", self.id),
        ], limit=1)
        if other:
            raise UserError(self.env._(
                "The QuickBooks company %(realm)s is already connected to the Odoo company %(company)s. "
                "A QuickBooks company syncs with one Odoo company only: disconnect it there first.",
                realm=realm_id, company=other.company_id.name))

    def _qbo_oauth_complete(self, code, realm_id):
        """Finish the OAuth flow: exchange ``code``, read CompanyInfo, then store everything in
        one write. Nothing is stored when any step fails.

        :raises UserError: with a message for the user on any failure
        """
        self.ensure_one()
        self.check_access("write")
        if not code or not realm_id:
            raise UserError(self.env._("QuickBooks did not send an authorization code and company: connect again."))
        self._qbo_check_realm_free(realm_id)
        client = self._qbo_client()
        try:
            tokens = client.exchange_code(code, realm_id)
        except QBOError as e:
            raise self._qbo_user_error(e) from e
        client.realm_id, client.access_token = realm_id, tokens.access_token
        try:
            info = client.company_info()
        except QBOError as e:
            self._qbo_revoke_quietly(client, tokens.refresh_token)
            raise self._qbo_user_error(e) from e
        values = {
            "state": "connected",
            "realm_id": realm_id,
            "qbo_company_name": info["name"],
            "qbo_country": info["country"],
            "connected_at": fields.Datetime.now(),
            **self._qbo_token_values(tokens),
        }
        try:
            with self.env.cr.savepoint():
                self.sudo().write(values)
                self.sudo().flush_recordset()
        except IntegrityError:
            # Another company connected the same realm between the check and this write.
            self._qbo_revoke_quietly(client, tokens.refresh_token)
            self._qbo_check_realm_free(realm_id)
            raise
        # The grant is saved: what follows only reports it and must never undo it.
        self.sudo().activity_unlink(["mail.mail_activity_data_warning"])
        self._qbo_post_note(self.env._("Connected to the QuickBooks company %(name)s (realm %(realm)s).",
                                       name=info["name"], realm=realm_id))
        _logger.info("QuickBooks Online: company %s connected to realm %s", self.company_id.id, realm_id)
        return True

    def _qbo_revoke_quietly(self, client, token):
        try:
            client.revoke(token)
        except QBOError as e:
            _logger.warning("QuickBooks: could not revoke an unused grant: %s", e)

    # -----------------------------------------------------------------------------------------
    # Buttons (Settings and the connection form)
    # -----------------------------------------------------------------------------------------
    def action_qbo_connect(self):
        """Return the action that sends the browser to Intuit (through the start route)."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_url",
            "url": f"{const.ROUTE_OAUTH_START}?connection_id={self.id}",
            "target": "self",
        }

    def action_qbo_disconnect(self):
        """Revoke the grant at Intuit and forget the tokens; the sync preferences stay."""
        self.ensure_one()
        self.check_access("write")
        connection = self.sudo()
        token = connection.refresh_token or connection.access_token
        revoked = not token
        if token:
            try:
                revoked = self._qbo_client().revoke(token)
            except QBOAuthError:
                revoked = True  # the grant was dead already
            except (QBOError, UserError) as e:
                _logger.warning("QuickBooks: revoke failed for company %s: %s", self.company_id.id, e)
        connection.write({
            "state": "disconnected", "access_token": False, "refresh_token": False,
            "access_token_expires_at": False, "refresh_token_expires_at": False,
            "refresh_token_hard_expires_at": False,
        })
        # Forgotten in Odoo as at Intuit: the note reports it and cannot undo it.
        self._qbo_post_note(self.env._("Disconnected from QuickBooks Online."))
        if revoked:
            return self._qbo_notification(self.env._("Disconnected from QuickBooks Online."), "success")
        return self._qbo_notification(
            self.env._("Disconnected in Odoo, but QuickBooks could not be reached to revoke the authorization: "
              "remove the app from QuickBooks (Settings > Apps) if it stays listed."), "warning")

    def action_qbo_test_connection(self):
        """Read CompanyInfo with the stored tokens and say how it went."""
        self.ensure_one()
        self.check_access("write")
        try:
            info = self._qbo_call("company_info")
        except QBOError as e:
            raise self._qbo_user_error(e) from e
        self.write({"qbo_company_name": info["name"], "qbo_country": info["country"]})
        return self._qbo_notification(
            self.env._("Connection works: QuickBooks company %(name)s (realm %(realm)s).",
              name=info["name"], realm=self.realm_id), "success")

    def _qbo_call(self, method, *args):
        """Call ``QBOClient.<method>`` with a valid token; on a refused access token, refresh
        once and retry (Intuit may end a token before its announced expiry)."""
        client = self._qbo_api_client()

        def call():
            result = getattr(client, method)(*args)
            # query_all pages lazily: every page is read here, where a refused token is caught.
            return list(result) if isinstance(result, Iterator) else result

        try:
            return call()
        except QBOAuthError:
            client.access_token = self._qbo_refresh_tokens(force=True)
            return call()

    def _qbo_reset_sync_state(self):
        """Forget what was synced (for now the last sync times); the connection stays."""
        self.check_access("write")
        self.write({"last_push_at": False, "last_pull_at": False})
        self._qbo_post_note(self.env._("Sync state reset: the next sync starts from scratch."))

    def action_qbo_open_reset_wizard(self):
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reset QuickBooks Online Connection"),
            "res_model": "qbo.reset.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_connection_id": self.id},
        }

    def action_qbo_open_setup_wizard(self):
        self.check_access("write")
        return self.env["qbo.setup.wizard"].action_open()

    def _qbo_notification(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("QuickBooks Online"),
                "message": message,
                "type": kind,
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _qbo_apply_cron_intervals(self):
        """Give the upload/download crons the shortest interval any connection asks for (one
        cron serves every company). The crons come with the sync engine; until then, no-op."""
        [(push, pull)] = self.sudo()._read_group([], aggregates=["push_interval:min", "pull_interval:min"])
        for xmlid, interval in (("quickbooks_online.ir_cron_qbo_push", push),
                                ("quickbooks_online.ir_cron_qbo_pull", pull)):
            cron = self.env.ref(xmlid, raise_if_not_found=False)
            if cron and interval:
                cron.sudo().write({"interval_number": interval, "interval_type": "minutes"})

    @api.ondelete(at_uninstall=False)
    def _unlink_except_connected(self):
        if any(self.sudo().mapped("refresh_token")):
            raise UserError(self.env._("Disconnect from QuickBooks Online before deleting the connection."))
