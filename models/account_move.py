"""Invoices and credit notes as QuickBooks sees them: the figures QuickBooks holds (written after
every sync, never sent), its number, and whether the totals differ (docs/ENGINE.md §9c)."""

from odoo import api, fields, models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "qbo.sync.mixin"]

    qbo_doc_number = fields.Char("QuickBooks Number", copy=False, readonly=True,
                                 help="The document's number in QuickBooks (DocNumber).")
    qbo_total = fields.Monetary("QuickBooks Total", copy=False, readonly=True)
    qbo_total_tax = fields.Monetary("QuickBooks Tax", copy=False, readonly=True)
    qbo_balance = fields.Monetary("QuickBooks Balance", copy=False, readonly=True,
                                  help="What QuickBooks says is still open on the document.")
    qbo_totals_differ = fields.Boolean(
        "QuickBooks Totals Differ", copy=False, readonly=True, index="btree_not_null",
        help="QuickBooks' total or tax is not Odoo's after the last sync: see the QuickBooks tab and the sync log.")
    qbo_credit_by_payment = fields.Boolean(
        copy=False, readonly=True,
        help="A credit note QuickBooks applies through its payments' lines (downloaded): Odoo's application of "
             "it is not uploaded apart.")
    qbo_amount_paid = fields.Monetary("QuickBooks Paid", compute="_compute_qbo_balance_differs",
                                      help="What QuickBooks says is paid: its total less its balance.")
    qbo_balance_differs = fields.Boolean(
        "QuickBooks Balance Differs", compute="_compute_qbo_balance_differs",
        help="What QuickBooks says is open on the document is not Odoo's amount due (a payment not synced yet, "
             "or recorded on one side only).")

    @api.depends("amount_residual", "qbo_balance", "qbo_total", "state")
    def _compute_qbo_balance_differs(self):
        for move in self:
            move.qbo_amount_paid = move.qbo_total - move.qbo_balance
            move.qbo_balance_differs = bool(
                move.state == "posted" and move.qbo_total and move.is_sale_document()
                and move.currency_id.compare_amounts(move.amount_residual, move.qbo_balance))
