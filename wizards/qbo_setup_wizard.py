from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..models.qbo_sync_engine import CONFLICT_POLICIES

# The connection's fields the wizard edits, one to one.
_PREFERENCE_FIELDS = (
    "environment", "custom_base_url", "customer_direction", "product_direction", "estimate_direction",
    "invoice_direction", "payment_direction", "sync_start_date", "import_history", "customer_scope",
    "skip_customers_without_email", "partner_lang", "use_odoo_invoice_numbers", "push_interval",
    "pull_interval", "conflict_policy",
)


class QboSetupWizard(models.TransientModel):
    """Choose the QuickBooks environment and what syncs, then connect."""

    _name = "qbo.setup.wizard"
    _description = "QuickBooks Online Setup"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    connection_state = fields.Selection(const.CONNECTION_STATES, readonly=True)
    environment = fields.Selection(const.ENVIRONMENTS, required=True, default="sandbox")
    custom_base_url = fields.Char("Custom Server URL")
    customer_direction = fields.Selection(const.DIRECTIONS, "Customers", required=True, default="both")
    product_direction = fields.Selection(const.DIRECTIONS, "Products", required=True, default="both")
    estimate_direction = fields.Selection(
        const.DIRECTIONS, "Quotations / Estimates", required=True, default="odoo_to_qbo")
    invoice_direction = fields.Selection(
        const.DIRECTIONS, "Invoices and Credit Notes", required=True, default="both")
    payment_direction = fields.Selection(const.DIRECTIONS, "Payments", required=True, default="both")
    sync_start_date = fields.Date(default=fields.Date.context_today)
    import_history = fields.Boolean()
    customer_scope = fields.Selection(const.CUSTOMER_SCOPES, "Customers to Sync", required=True, default="all")
    skip_customers_without_email = fields.Boolean()
    partner_lang = fields.Selection("_qbo_lang_selection", "Language of New Partners")
    use_odoo_invoice_numbers = fields.Boolean(default=True)
    push_interval = fields.Integer("Upload Every (minutes)", default=const.DEFAULT_PUSH_INTERVAL)
    pull_interval = fields.Integer("Download Every (minutes)", default=const.DEFAULT_PULL_INTERVAL)
    conflict_policy = fields.Selection(
        CONFLICT_POLICIES, "When Both Sides Changed", required=True, default="last_updated",
        help="What wins when a record changed in Odoo and in QuickBooks since the last sync. The other "
             "version is kept in the sync log and can be applied from there.")

    @api.model
    def _qbo_lang_selection(self):
        return self.env["res.lang"].get_installed()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
        connection = self.env["qbo.connection"]._qbo_for_company(company)
        if connection:
            values["connection_state"] = connection.state
            values.update({name: connection[name] for name in _PREFERENCE_FIELDS if name in fields_list})
        else:
            values.setdefault("partner_lang", self.env.lang or "en_US")
            values["connection_state"] = "not_connected"
        return values

    @api.model
    def action_open(self):
        """Return the action opening the wizard for the current company."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("QuickBooks Online Setup"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
        }

    def _qbo_save(self):
        """Write the choices on the company's connection (created if needed) and return it."""
        self.ensure_one()
        connection = self.env["qbo.connection"]._qbo_for_company(self.company_id, create=True)
        values = {name: self[name] for name in _PREFERENCE_FIELDS}
        moved = (values["environment"], values["custom_base_url"] or False) != (
            connection.environment, connection.custom_base_url or False)
        if moved and connection.state in ("connected", "needs_reauth"):
            raise UserError(self.env._("Disconnect from QuickBooks Online before changing the environment."))
        connection.write(values)
        return connection

    def action_save(self):
        self._qbo_save()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_save_and_connect(self):
        return self._qbo_save().action_qbo_connect()

    def action_save_and_upload_all(self):
        return self._qbo_save().action_qbo_upload_all()

    def action_save_and_download_all(self):
        return self._qbo_save().action_qbo_download_all()
