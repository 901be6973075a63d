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

    def _qbo_flag(self, moves):
        """Flag the payments and documents of ``moves`` whose reconciliation changed."""
        moves = moves.exists()
        moves.origin_payment_id._qbo_flag_for_push(changed={RECONCILIATION})
        moves.filtered(lambda m: not m.origin_payment_id)._qbo_flag_for_push(changed={RECONCILIATION})

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        if not self.env.context.get(NO_PUSH):
            self._qbo_flag((partials.debit_move_id | partials.credit_move_id).move_id)
        return partials

    def unlink(self):
        quiet = self.env.context.get(NO_PUSH)
        moves = self.env["account.move"] if quiet else (self.debit_move_id | self.credit_move_id).move_id
        result = super().unlink()
        self._qbo_flag(moves)
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
    qbo_payment_method_id = fields.Many2one(
        "qbo.payment.method", "QuickBooks Payment Method", ondelete="set null",
        domain="[('connection_id', '=', connection_id)]",
        help="The payment method a payment of this journal has in QuickBooks (Cash, Check...); none: QuickBooks "
             "leaves it empty. A QuickBooks payment comes down in the journal of its deposit account.")

    _sql_constraints = [("journal_uniq", "unique(connection_id, journal_id)", "A journal is mapped once.")]


class QboPaymentMethod(models.Model):
    _name = "qbo.payment.method"
    _inherit = "qbo.connection.owned"
    _description = "QuickBooks Online Payment Method"
    _order = "name, id"

    qbo_id = fields.Char("QuickBooks Id", required=True)
    name = fields.Char(required=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [("qbo_uniq", "unique(connection_id, qbo_id)", "A QuickBooks payment method is read once.")]
