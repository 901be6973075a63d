from odoo import api, fields, models

from .. import const

_MANAGER = "quickbooks_online.group_qbo_manager"


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # The Intuit app (developer.intuit.com > your app > Keys & credentials).
    qbo_client_id = fields.Char("QuickBooks Client ID", config_parameter=const.PARAM_CLIENT_ID)
    qbo_client_secret = fields.Char(
        "QuickBooks Client Secret", config_parameter=const.PARAM_CLIENT_SECRET, groups="base.group_system")
    qbo_verifier_token = fields.Char(
        "QuickBooks Webhook Verifier Token", config_parameter=const.PARAM_VERIFIER_TOKEN,
        groups="base.group_system")
    qbo_redirect_uri = fields.Char("QuickBooks Redirect URI", compute="_compute_qbo_redirect_uri")
    qbo_webhook_url = fields.Char("QuickBooks Webhook URL", compute="_compute_qbo_webhook_url")

    # Live status of the current company's connection.
    qbo_connection_id = fields.Many2one(
        "qbo.connection", compute="_compute_qbo_connection_id", groups=_MANAGER)
    qbo_state = fields.Selection(related="qbo_connection_id.state", string="QuickBooks Status", groups=_MANAGER)
    qbo_company_name = fields.Char(related="qbo_connection_id.qbo_company_name", groups=_MANAGER)
    qbo_realm_id = fields.Char(related="qbo_connection_id.realm_id", groups=_MANAGER)
    qbo_environment = fields.Selection(
        related="qbo_connection_id.environment", string="QuickBooks Environment", groups=_MANAGER)
    qbo_product_direction = fields.Selection(
        related="qbo_connection_id.product_direction", string="QuickBooks Products", groups=_MANAGER)
    # Health at a glance (qbo_health.py).
    qbo_access_token_expires_at = fields.Datetime(related="qbo_connection_id.access_token_expires_at",
                                                  groups=_MANAGER)
    qbo_refresh_token_expires_at = fields.Datetime(related="qbo_connection_id.refresh_token_expires_at",
                                                   groups=_MANAGER)
    qbo_last_push_at = fields.Datetime(related="qbo_connection_id.last_push_at", groups=_MANAGER)
    qbo_last_pull_at = fields.Datetime(related="qbo_connection_id.last_pull_at", groups=_MANAGER)
    qbo_health_to_push = fields.Integer(related="qbo_connection_id.health_to_push", groups=_MANAGER)
    qbo_health_waiting = fields.Integer(related="qbo_connection_id.health_waiting", groups=_MANAGER)
    qbo_health_error = fields.Integer(related="qbo_connection_id.health_error", groups=_MANAGER)
    qbo_health_conflict = fields.Integer(related="qbo_connection_id.health_conflict", groups=_MANAGER)
    qbo_api_requests_hour = fields.Integer(related="qbo_connection_id.api_requests_hour", groups=_MANAGER)
    qbo_api_peak_minute = fields.Integer(related="qbo_connection_id.api_peak_minute", groups=_MANAGER)

    @api.depends("company_id")
    def _compute_qbo_connection_id(self):
        for settings in self:
            settings.qbo_connection_id = self.env["qbo.connection"]._qbo_for_company(settings.company_id)

    @api.depends("company_id")
    def _compute_qbo_redirect_uri(self):
        for settings in self:
            settings.qbo_redirect_uri = settings.get_base_url() + const.ROUTE_OAUTH_CALLBACK

    @api.depends("company_id")
    def _compute_qbo_webhook_url(self):
        for settings in self:
            settings.qbo_webhook_url = settings.get_base_url() + const.ROUTE_WEBHOOK

    def _qbo_connection(self):
        self.ensure_one()
        return self.env["qbo.connection"]._qbo_for_company(self.company_id, create=True)

    def action_qbo_connect(self):
        connection = self._qbo_connection()
        if connection.state == "not_connected":
            # First time: the wizard asks for the environment and what syncs.
            return connection.action_qbo_open_setup_wizard()
        return connection.action_qbo_connect()

    def action_qbo_disconnect(self):
        return self._qbo_connection().action_qbo_disconnect()

    def action_qbo_test_connection(self):
        return self._qbo_connection().action_qbo_test_connection()

    def action_qbo_open_reset_wizard(self):
        return self._qbo_connection().action_qbo_open_reset_wizard()

    def action_qbo_open_setup_wizard(self):
        return self._qbo_connection().action_qbo_open_setup_wizard()

    def action_qbo_upload_all(self):
        return self._qbo_connection().action_qbo_upload_all()

    def action_qbo_download_all(self):
        return self._qbo_connection().action_qbo_download_all()

    def action_qbo_open_preview(self):
        return self._qbo_connection().action_qbo_open_preview()

    def action_qbo_open_health(self):
        return self._qbo_connection().action_qbo_open_health()
