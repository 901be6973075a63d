from odoo import fields, models


class QboResetWizard(models.TransientModel):
    """Confirmation before forgetting what was synced with QuickBooks."""

    _name = "qbo.reset.wizard"
    _description = "Reset QuickBooks Online Connection"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade")

    def action_reset(self):
        self.connection_id._qbo_reset_sync_state()
        return {"type": "ir.actions.client", "tag": "soft_reload"}
