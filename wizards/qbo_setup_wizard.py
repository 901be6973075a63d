from odoo import api, fields, models

from .. import const


class QboSetupWizard(models.TransientModel):
    """Choose the QuickBooks environment and what syncs, then connect."""

    _name = "qbo.setup.wizard"
    _inherit = "qbo.sync.preferences"
    _description = "QuickBooks Online Setup"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    connection_state = fields.Selection(const.CONNECTION_STATES, readonly=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        company = self.env["res.company"].browse(values.get("company_id")) or self.env.company
        connection = self.env["qbo.connection"]._qbo_for_company(company)
        if connection:
            values["connection_state"] = connection.state
            values.update({name: connection[name] for name in self._qbo_preference_fields() if name in fields_list})
        else:
            values["connection_state"] = "not_connected"
        return values

    @api.model
    def action_open(self):
        """Return the action opening the wizard for the current company (QuickBooks managers)."""
        self.check_access("create")
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
        # The connection refuses a change of environment or server unless a system administrator
        # makes it while disconnected; unchanged, they are not written at all.
        values = {name: self[name] for name in self._qbo_preference_fields()
                  if (self[name] or False) != (connection[name] or False)}
        connection.write(values)
        return connection

    def action_save(self):
        self._qbo_save()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_save_and_connect(self):
        return self._qbo_save().action_qbo_connect()

    def action_save_and_preview(self):
        """The guided first sync's third step: what Download All and Upload All would do, and a
        button to start them."""
        return self._qbo_save().with_context(dialog=True).action_qbo_open_preview()

    def action_save_and_upload_all(self):
        return self._qbo_save().action_qbo_upload_all()

    def action_save_and_download_all(self):
        return self._qbo_save().action_qbo_download_all()
