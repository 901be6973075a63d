import logging
import zlib
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models, modules, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from .. import const
from ..utils.qbo_client import (
    PARAM_API_TIMEOUT,
    QBOAuthError,
    QBOClient,
    QBOClientCredentialsError,
    QBOError,
    QBOTransportError,
    api_timeout,
    check_custom_base_url,
)

_logger = logging.getLogger(__name__)

# Token fields: what a refresh writes (and what neutralize.sql blanks).
_TOKEN_FIELDS = (
    "access_token", "access_token_expires_at", "refresh_token",
    "refresh_token_expires_at", "refresh_token_hard_expires_at",
)
# Fields that decide where the tokens and the client secret are sent: system administrators
# only, and only while no grant is held (ARCHITECTURE.md §5).
_DESTINATION_FIELDS = ("environment", "custom_base_url")
# First key of the advisory lock that serialises the token refreshes of a connection across
# workers (the second is the connection id).
_REFRESH_LOCK_KEY = zlib.crc32(b"quickbooks_online.token_refresh") & 0x7FFFFFFF
# How long a refresh waits for the connection row it must write (a sync run holds it between
# its commits): then it gives up without refreshing.
_REFRESH_ROW_LOCK_TIMEOUT = "5s"


class QboConnection(models.Model):
    """The link of one Odoo company to one QuickBooks Online company (realm), its OAuth tokens
    and its sync preferences. OAuth itself lives in ``qbo_connection_oauth.py``."""

    _name = "qbo.connection"
    _description = "QuickBooks Online Connection"
    _inherit = ["qbo.sync.preferences", "mail.thread", "mail.activity.mixin"]
    _rec_name = "company_id"

    company_id = fields.Many2one(
        "res.company", required=True, index=True, ondelete="cascade", default=lambda self: self.env.company)
    state = fields.Selection(
        const.CONNECTION_STATES, required=True, default="not_connected", readonly=True, copy=False, tracking=True)
    realm_id = fields.Char("Realm ID", readonly=True, copy=False, index=True,
                           help="The QuickBooks company id (realmId), set when connecting.")
    qbo_company_name = fields.Char("QuickBooks Company", readonly=True, copy=False)
    qbo_country = fields.Char("QuickBooks Country", readonly=True, copy=False)
    connected_at = fields.Datetime(readonly=True, copy=False)

    # Secrets: system administrators only; never logged; blanked by data/neutralize.sql.
    access_token = fields.Char(groups="base.group_system", copy=False)
    refresh_token = fields.Char(groups="base.group_system", copy=False)
    access_token_expires_at = fields.Datetime(readonly=True, copy=False)
    refresh_token_expires_at = fields.Datetime(readonly=True, copy=False)
    refresh_token_hard_expires_at = fields.Datetime(
        readonly=True, copy=False, help="Intuit's fixed end of the grant, whatever the refreshes.")

    last_push_at = fields.Datetime("Last Upload", readonly=True, copy=False)
    last_pull_at = fields.Datetime("Last Download", readonly=True, copy=False)

    # The sync preferences (set by the setup wizard) come from qbo.sync.preferences.

    _sql_constraints = [
        ("company_uniq", "unique(company_id)", "A company has one QuickBooks Online connection."),
        ("intervals_positive", "CHECK(push_interval > 0 AND pull_interval > 0)",
         "Sync intervals are at least one minute."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.keys() & set(_DESTINATION_FIELDS) for vals in vals_list):
            self.browse()._qbo_check_destination_change()
        connections = super().create(vals_list)
        connections.filtered(lambda c: c.environment == "custom")._qbo_log_destination()
        return connections

    def write(self, vals):
        moved = self.browse()
        if vals.keys() & set(_DESTINATION_FIELDS):
            moved = self.filtered(lambda c: any((c[name] or False) != (vals[name] or False)
                                                for name in _DESTINATION_FIELDS if name in vals))
            moved._qbo_check_destination_change()
        result = super().write(vals)
        moved._qbo_log_destination()
        if "push_interval" in vals or "pull_interval" in vals:
            self._qbo_apply_cron_intervals()
        return result

    def init(self):
        # A realm is connected to one Odoo company at a time: the last guard behind the
        # friendly check in _qbo_check_realm_free (two simultaneous callbacks).
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS qbo_connection_realm_active_uniq
                ON qbo_connection (realm_id) WHERE state IN ('connected', 'needs_reauth')
        """)

    @api.constrains("environment", "custom_base_url")
    def _check_custom_base_url(self):
        for connection in self.filtered(lambda c: c.environment == "custom"):
            try:
                check_custom_base_url(connection.custom_base_url, self._qbo_allowed_custom_hosts())
            except ValueError as e:
                raise ValidationError(self.env._("Invalid custom server URL: %s", e)) from e

    @api.model
    def _qbo_allowed_custom_hosts(self):
        """Hosts besides loopback a custom server may be on (system parameter, empty by default)."""
        value = self.env["ir.config_parameter"].sudo().get_param(const.PARAM_ALLOWED_CUSTOM_HOSTS) or ""
        return tuple(host.strip() for host in value.split(",") if host.strip())

    def _qbo_check_destination_change(self):
        """Refuse a change of where secrets go unless a system administrator makes it while the
        connection holds no grant.

        :raises AccessError: the user is not a system administrator
        :raises UserError: the connection is connected (or awaiting re-authorisation)
        """
        if not self.env.is_system():
            raise AccessError(self.env._(
                "Only a system administrator can change the QuickBooks environment or server: they decide "
                "where the QuickBooks authorization and the app's secret are sent."))
        if any(c.state in ("connected", "needs_reauth") for c in self):
            raise UserError(self.env._("Disconnect from QuickBooks Online before changing the environment or server."))

    def _qbo_log_destination(self):
        """Say in the chatter who pointed the connection where."""
        for connection in self:
            where = connection.environment if connection.environment != "custom" else connection.custom_base_url
            connection._qbo_post_note(self.env._(
                "QuickBooks environment set to %(where)s by %(user)s.", where=where, user=self.env.user.name))

    @api.depends("company_id.name")
    def _compute_display_name(self):
        for connection in self:
            connection.display_name = self.env._("QuickBooks Online (%s)", connection.company_id.name)

    # -----------------------------------------------------------------------------------------
    # Lookup and helpers
    # -----------------------------------------------------------------------------------------
    @api.model
    def _qbo_for_company(self, company=None, create=False):
        """Return the connection of ``company`` (default: the current one), created if asked."""
        company = company or self.env.company
        connection = self.search([("company_id", "=", company.id)], limit=1)
        if not connection and create:
            connection = self.create({"company_id": company.id})
        return connection

    @staticmethod
    def _qbo_can_commit():
        """True unless running tests: tests share one transaction that must not be committed
        (the same guard as ``account.move._can_commit``)."""
        return not tools.config["test_enable"] and not modules.module.current_test

    def _qbo_redirect_uri(self):
        return self.get_base_url() + const.ROUTE_OAUTH_CALLBACK

    def _qbo_client(self, access_token=None):
        """Return a ``QBOClient`` for this connection's environment and the app credentials.

        :raises UserError: when the app credentials are not set
        """
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        client_id = params.get_param(const.PARAM_CLIENT_ID)
        client_secret = params.get_param(const.PARAM_CLIENT_SECRET)
        if not client_id or not client_secret:
            raise UserError(self.env._("Set the QuickBooks app's Client ID and Client Secret in Settings first."))
        return QBOClient(client_id, client_secret, self._qbo_redirect_uri(), self.environment,
                         base_url=self.custom_base_url, realm_id=self.realm_id, access_token=access_token,
                         timeout=api_timeout(params.get_param(PARAM_API_TIMEOUT)),
                         allowed_hosts=self._qbo_allowed_custom_hosts())

    @api.model
    def _qbo_user_error(self, error):
        """Return a ``UserError`` that explains a ``QBOError`` to a person."""
        if isinstance(error, QBOClientCredentialsError):
            message = self.env._("QuickBooks refused the app credentials: check the Client ID and Client Secret "
                        "in Settings.")
        elif isinstance(error, QBOAuthError):
            message = self.env._("QuickBooks refused the authorization (expired, revoked or already used). "
                        "Connect again from Settings.")
        elif isinstance(error, QBOTransportError):
            message = self.env._("QuickBooks could not be reached. Try again in a few minutes.")
        else:
            message = self.env._("QuickBooks answered with an error.")
        details = error.message
        if error.intuit_tid:
            details = self.env._("%(details)s (intuit_tid: %(tid)s)", details=details, tid=error.intuit_tid)
        return UserError(f"{message}\n{details}")

    def _qbo_token_values(self, tokens):
        """Return the field values that store ``tokens`` (a ``QBOTokens``)."""
        now = fields.Datetime.now()
        values = {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "access_token_expires_at": now + timedelta(seconds=tokens.expires_in),
            "refresh_token_expires_at":
                tokens.refresh_expires_in and now + timedelta(seconds=tokens.refresh_expires_in),
        }
        if tokens.refresh_hard_expires_in:
            values["refresh_token_hard_expires_at"] = now + timedelta(seconds=tokens.refresh_hard_expires_in)
        return values

    # -----------------------------------------------------------------------------------------
    # Tokens
    # -----------------------------------------------------------------------------------------
    def _qbo_access_token(self):
        """Return a valid access token, refreshed first when it ends within 5 minutes.

        :raises QBOError: (a subclass) when no token can be had; a refused refresh has already
            moved the connection to "needs re-authorisation" and told the managers
        """
        self.ensure_one()
        connection = self.sudo()
        if connection.state != "connected":
            raise QBOAuthError(self.env._("QuickBooks Online is not connected for %s.", self.company_id.name))
        margin = timedelta(seconds=const.ACCESS_TOKEN_MARGIN_SECONDS)
        if (connection.access_token and connection.access_token_expires_at
                and connection.access_token_expires_at > fields.Datetime.now() + margin):
            return connection.access_token
        return self._qbo_refresh_tokens()

    def _qbo_api_client(self):
        """Return a ``QBOClient`` ready for API calls (valid access token, realm)."""
        client = self._qbo_client(access_token=self._qbo_access_token())
        client.preview = self.env.context.get(const.PREVIEW) or None  # a preview's writes stay in Odoo
        return client

    def _qbo_refresh_tokens(self, force=False, refused=None):
        """Return a new access token: refreshed with QuickBooks, or the one another worker has
        just obtained (the refreshes of a connection are serialised across workers).

        Outside tests the refresh runs and commits in a transaction of its own, so a rollback of
        the caller's work can never lose the rotated refresh token (QuickBooks has killed the
        previous one already). That transaction writes the connection row: the caller must not
        hold it (row lock or uncommitted write; a sync run commits first). If the row stays
        locked, nothing is refreshed and ``QBOTransportError`` is raised. In tests (no commit),
        all of it happens in the caller's transaction.

        :param force: refresh even though the stored access token looks valid (QuickBooks refused
            it; the keep-alive), unless another worker has replaced it meanwhile
        :param refused: the access token the caller holds (default: the one it reads)
        :return: the new access token
        :raises QBOError: (a subclass) as ``QBOClient.refresh``
        """
        self.ensure_one()
        known = refused if refused is not None else self.sudo().access_token
        if self._qbo_can_commit():
            values, error = self._qbo_refresh_in_own_transaction(force, known)
        else:
            values, error = self.sudo()._qbo_refresh_locked(force, known)
        if error:
            raise error
        return values["access_token"]

    def _qbo_refresh_in_own_transaction(self, force, known):
        """``_qbo_refresh_locked`` in a new transaction, committed before this returns.

        READ COMMITTED: once it has the refresh lock it must read what the worker that held the
        lock has just committed (a REPEATABLE READ snapshot is taken before the lock is granted).
        The caller's snapshot predates that commit: its cache gets the committed values, or it
        would read (and reuse) a dead refresh token.

        :return: as ``_qbo_refresh_locked``; a ``QBOTransportError`` when the connection row
            stayed locked (nothing was asked of QuickBooks)
        """
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                values, error = self.with_env(self.env(cr=cr, su=True))._qbo_refresh_locked(
                    force, known, row_lock_timeout=_REFRESH_ROW_LOCK_TIMEOUT)
        except pg_errors.LockNotAvailable:
            _logger.warning("QuickBooks refresh for company %s not done: the connection is locked "
                            "(a sync run between two commits, or the caller's own transaction)", self.company_id.id)
            return {}, QBOTransportError(self.env._(
                "The QuickBooks Online connection of %s is busy: try again in a moment.", self.company_id.name))
        connection = self.sudo()
        for name, value in values.items():
            self.env.cache.update(connection, connection._fields[name], [value])
        return values, error

    def _qbo_refresh_locked(self, force, known=None, row_lock_timeout=None):
        """Under this connection's refresh lock, refresh the tokens unless another worker has
        just done it, and store them.

        The refresh lock (a transaction-level advisory lock: only refreshes take it, never a sync
        run) is waited for. Before asking QuickBooks, which kills the current refresh token, the
        connection row is locked (waiting ``row_lock_timeout`` at most), so that writing the
        rotated tokens can neither wait nor fail.

        :param known: the access token the caller holds: with ``force``, a stored one that differs
            (and is valid) comes from another worker and is used as is
        :return: (values written or current, error or None); never raises a QBOError, so that
            the caller can commit what was written (e.g. the "needs re-authorisation" state)
        :raises psycopg2.errors.LockNotAvailable: the row stayed locked; QuickBooks was not called
        """
        cr = self.env.cr
        cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_REFRESH_LOCK_KEY, self.id])
        self.invalidate_recordset()
        margin = timedelta(seconds=const.ACCESS_TOKEN_MARGIN_SECONDS)
        if (self.access_token and self.access_token_expires_at
                and self.access_token_expires_at > fields.Datetime.now() + margin
                and (not force or self.access_token != known)):
            return {name: self[name] for name in _TOKEN_FIELDS}, None
        if self.state != "connected" or not self.refresh_token:
            return {}, QBOAuthError(self.env._("QuickBooks Online is not connected for %s.", self.company_id.name))
        if row_lock_timeout:
            cr.execute("SET LOCAL lock_timeout = %s", [row_lock_timeout])
        cr.execute("SELECT id FROM qbo_connection WHERE id = %s FOR NO KEY UPDATE", [self.id])
        if row_lock_timeout:
            cr.execute("SET LOCAL lock_timeout TO DEFAULT")  # from here on, waiting beats failing
        try:
            tokens = self._qbo_client().refresh(self.refresh_token)
        except QBOAuthError as e:
            _logger.warning("QuickBooks refresh refused for company %s: %s", self.company_id.id, e)
            self._qbo_mark_needs_reauth(e)
            return {"state": "needs_reauth", "access_token": False, "access_token_expires_at": False}, e
        except QBOError as e:
            _logger.warning("QuickBooks refresh failed for company %s: %s", self.company_id.id, e)
            return {}, e
        values = self._qbo_token_values(tokens)
        self.write(values)
        return values, None

    def _qbo_mark_needs_reauth(self, error):
        """Move to "needs re-authorisation" and ask the QuickBooks managers to reconnect."""
        self.write({"state": "needs_reauth", "access_token": False, "access_token_expires_at": False})
        self._qbo_notify_managers(
            self.env._("Reconnect QuickBooks Online"),
            self.env._("QuickBooks refused the connection's refresh token (%(error)s): sync is stopped until a "
              "QuickBooks manager connects again from Settings.", error=error),
        )

    def _qbo_notify_managers(self, summary, note, deadline=None):
        """Schedule a warning activity for each QuickBooks manager of the company, once.

        ``note`` is plain text (it may quote Intuit): it is escaped, never rendered as HTML. As
        superuser, in a savepoint each: a manager or a caller without an e-mail address, or any
        failure to notify, never undoes the caller's work (e.g. the state it just saved)."""
        self.ensure_one()
        connection = self.sudo()
        managers = self.env.ref("quickbooks_online.group_qbo_manager").sudo().users.filtered(
            lambda u: not u.share and u.active and self.company_id in u.company_ids
            and u != self.env.ref("base.user_root"))
        existing = connection.activity_ids.filtered(lambda a: a.summary == summary).user_id
        for user in managers - existing:
            try:
                with self.env.cr.savepoint():
                    connection.activity_schedule(
                        "mail.mail_activity_data_warning", date_deadline=deadline, summary=summary,
                        note=Markup("<p>%s</p>") % str(note), user_id=user.id)
            except Exception:  # pylint: disable=broad-except
                _logger.exception("QuickBooks: could not notify user %s", user.id)

    def _qbo_post_note(self, body):
        """Post ``body`` (plain text: escaped) in the connection's chatter as the current user.

        As superuser, in a savepoint: a user without an e-mail address (whom ``message_post``
        would refuse) or any failure to post never undoes the work the note reports."""
        for connection in self.sudo():
            try:
                with self.env.cr.savepoint():
                    connection.message_post(body=str(body), author_id=self.env.user.partner_id.id,
                                            subtype_xmlid="mail.mt_note")
            except Exception:  # pylint: disable=broad-except
                _logger.exception("QuickBooks: could not post on connection %s", connection.id)

    def _qbo_check_token_expiry(self):
        """Warn the managers when the grant ends within 14 days (rolling or hard expiry)."""
        for connection in self.sudo().filtered(lambda c: c.state == "connected"):
            ends = [d for d in (connection.refresh_token_expires_at, connection.refresh_token_hard_expires_at) if d]
            if not ends or min(ends) > fields.Datetime.now() + timedelta(days=const.REFRESH_WARNING_DAYS):
                continue
            end = min(ends)
            connection._qbo_notify_managers(
                self.env._("QuickBooks Online connection expires soon"),
                self.env._("The QuickBooks authorization of %(company)s ends on %(date)s. Connect again from "
                  "Settings before then, or the sync stops.", company=connection.company_id.name,
                  date=fields.Date.to_string(end.date())),
                deadline=end.date(),
            )

    @api.model
    def _cron_qbo_keep_alive(self):
        """Refresh every connected company's tokens (each refresh extends Intuit's rolling
        100-day refresh token) and warn before the grant ends. Never raises: a failing cron
        would be deactivated by Odoo."""
        for connection in self.sudo().search([("state", "=", "connected")]):
            try:
                connection._qbo_refresh_tokens(force=True)
            except (QBOError, UserError) as e:
                _logger.warning("QuickBooks keep-alive failed for company %s: %s", connection.company_id.id, e)
            connection._qbo_check_token_expiry()
