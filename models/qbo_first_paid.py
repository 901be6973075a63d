"""The first-paid automation (issue 11, the seeds' "review request"): when a customer's first
invoice becomes fully paid, on either side, run the mail template or server action the
connection names, once per customer, never again (later invoices, re-syncs, a payment undone and
made again). Off by default.

Either side: Odoo calls ``account.move._invoice_paid_hook`` when a reconciliation pays an
invoice (an Odoo payment, or one downloaded from QuickBooks); a QuickBooks Balance of 0 read by
the sync (payments not synced) calls ``_qbo_first_paid`` too."""

from odoo import fields, models

from .qbo_sync_mixin import NO_PUSH


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    first_paid_enabled = fields.Boolean(
        "First Paid Invoice Automation",
        help="When a customer's first invoice becomes fully paid (in Odoo or in QuickBooks), send the e-mail "
             "or run the action below, once per customer (a review request, say).")
    first_paid_template_id = fields.Many2one(
        "mail.template", "E-mail to Send", domain=[("model", "=", "account.move")],
        help="Sent to the customer about the paid invoice.")
    first_paid_action_id = fields.Many2one(
        "ir.actions.server", "Action to Run", domain=[("model_id.model", "=", "account.move")],
        help="Run on the paid invoice.")

    def _qbo_run_first_paid(self, invoice):
        """The connection's e-mail and action for ``invoice``, as superuser (a manager chose them)."""
        if self.first_paid_template_id:
            self.first_paid_template_id.sudo().send_mail(invoice.id)
        if self.first_paid_action_id:
            self.first_paid_action_id.sudo().with_context(
                active_model="account.move", active_id=invoice.id, active_ids=invoice.ids).run()
        invoice.sudo().message_post(body=self.env._("First fully paid invoice of %s: the QuickBooks first-paid "
                                                    "automation ran.", invoice.commercial_partner_id.display_name))


class ResPartner(models.Model):
    _inherit = "res.partner"

    qbo_first_paid_at = fields.Datetime(
        "First Invoice Paid", copy=False, readonly=True,
        help="When this customer's first invoice became fully paid: the first-paid automation ran (or the "
             "customer had paid invoices before it was turned on), and never runs again for them.")


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoice_paid_hook(self):
        result = super()._invoice_paid_hook()
        self._qbo_first_paid()
        return result

    def _qbo_first_paid(self):
        """Run the first-paid automation for the customers whose first invoice is among these
        (fully paid, not of zero amount). A customer is marked once and for all."""
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.state == "posted"
                                 and not m.currency_id.is_zero(m.amount_total))
        if not invoices:
            return
        connections = self.env["qbo.connection"].sudo().search([
            ("first_paid_enabled", "=", True), ("company_id", "in", invoices.company_id.ids)])
        for connection in connections:
            for invoice in invoices.filtered(lambda m, c=connection: m.company_id == c.company_id):
                partner = invoice.commercial_partner_id.sudo()
                if partner.qbo_first_paid_at:
                    continue
                # Locked first: two workers paying two of its invoices at once run it once.
                self.env.cr.execute("SELECT qbo_first_paid_at FROM res_partner WHERE id = %s FOR UPDATE",
                                    (partner.id,))
                if self.env.cr.fetchone()[0]:
                    continue
                earlier = self.env["account.move"].sudo().search_count([
                    ("commercial_partner_id", "=", partner.id), ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"), ("payment_state", "in", ("paid", "in_payment")),
                    ("id", "not in", invoices.ids)])
                partner.with_context(**{NO_PUSH: True}).qbo_first_paid_at = fields.Datetime.now()
                if not earlier:
                    connection._qbo_run_first_paid(invoice)

    def _qbo_balance_paid(self):
        """QuickBooks says these documents are fully paid (its Balance 0)."""
        self.filtered(lambda m: m.currency_id.is_zero(m.qbo_balance))._qbo_first_paid()
