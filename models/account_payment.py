"""Customer payments as QuickBooks sees them (docs/ENGINE.md §9d): the sync fields, what
QuickBooks leaves unapplied, the map from Odoo's bank and cash journals to the QuickBooks
account a payment is deposited to, and the flag a change of reconciliation raises (a payment
applied to another invoice in Odoo changes the QuickBooks Payment's lines)."""

from odoo import api, fields, models

from .qbo_sync_mixin import NO_PUSH

# The pseudo-field a change of reconciliation flags payments with (``flagged_by``).
RECONCILIATION = "qbo_reconciliation"


class AccountPayment(models.Model):
    _name = "account.payment"
    _inherit = ["account.payment", "qbo.sync.mixin"]

    qbo_unapplied = fields.Monetary("QuickBooks Unapplied", copy=False, readonly=True,
                                    help="What QuickBooks leaves unapplied: the customer's credit there.")


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def _qbo_payments(self):
        lines = self.debit_move_id | self.credit_move_id
        return lines.move_id.origin_payment_id

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        if not self.env.context.get(NO_PUSH):
            partials._qbo_payments()._qbo_flag_for_push(changed={RECONCILIATION})
        return partials

    def unlink(self):
        payments = self.env["account.payment"] if self.env.context.get(NO_PUSH) else self._qbo_payments()
        result = super().unlink()
        payments.exists()._qbo_flag_for_push(changed={RECONCILIATION})
        return result


class QboJournalMap(models.Model):
    _name = "qbo.journal.map"
    _inherit = "qbo.connection.owned"
    _description = "QuickBooks Online Deposit Account Mapping"
    _order = "journal_id"

    journal_id = fields.Many2one(
        "account.journal", "Odoo Journal", required=True, ondelete="cascade",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]")
    qbo_account_id = fields.Many2one(
        "qbo.account", "QuickBooks Deposit Account", required=True, ondelete="cascade",
        domain="[('connection_id', '=', connection_id), ('account_type', 'in', ('Bank', 'Other Current Asset'))]")

    _sql_constraints = [("journal_uniq", "unique(connection_id, journal_id)", "A journal is mapped once.")]
