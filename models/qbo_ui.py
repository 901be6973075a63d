"""Helpers of the sync interface (buttons, read-only displays): nothing here syncs."""

import json

from odoo import api, fields, models
from odoo.exceptions import UserError


class QboSyncMixin(models.AbstractModel):
    _inherit = "qbo.sync.mixin"

    def action_qbo_open_in_quickbooks(self):
        """Open the record's QuickBooks object in QuickBooks' own interface, in a new tab."""
        self.ensure_one()
        if not self.qbo_url:
            raise UserError(self.env._("%s is not in QuickBooks Online yet.", self.display_name))
        return {"type": "ir.actions.act_url", "url": self.qbo_url, "target": "new"}


class QboSyncLog(models.Model):
    _inherit = "qbo.sync.log"

    # fields.Json has no form widget: a person reads the losing version as indented JSON.
    losing_values_text = fields.Text("Losing Version", compute="_compute_losing_values_text")

    @api.depends("losing_values")
    def _compute_losing_values_text(self):
        for line in self:
            line.losing_values_text = line.losing_values and json.dumps(
                line.losing_values, indent=2, sort_keys=True, ensure_ascii=False, default=str)
