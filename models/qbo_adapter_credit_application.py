"""Credit notes applied to invoices in Odoo ⇄ QuickBooks' way of applying a credit memo: a
Payment of 0 whose lines name the invoices and the credit memo, for the applied amounts
(QBO_API.md §10 Payment; docs/ENGINE.md §9d). One per credit note, made by Odoo: QuickBooks'
own payments (those of 0 included) are the Payment adapter's, and a credit note they apply is
left to them (``qbo_credit_by_payment``)."""

from ..utils.mappers import payment as payment_mapper
from .account_payment import RECONCILIATION
from .qbo_adapter import register
from .qbo_adapter_invoice import receivable_lines
from .qbo_adapter_payment import PaymentAdapter, _dec
from .qbo_sync_mixin import NO_PUSH


@register
class CreditApplicationAdapter(PaymentAdapter):
    entity = "CreditApplication"
    api_entity = "Payment"
    model = "account.move"
    depends = ("Customer", "Invoice", "CreditMemo")
    flagged_by = {"account.move": frozenset({"state", RECONCILIATION})}
    match_on_first_link = False
    secondary = True

    def accepts(self, data):
        return str(data.get("Id")) in self.credit_application_ids()

    def handles(self, record):
        return record.move_type == "out_refund"

    def domain(self):
        return [("company_id", "=", self.connection.company_id.id), ("move_type", "=", "out_refund")]

    def in_scope(self, records, matching=False):
        """Posted credit notes applied to invoices (not through a QuickBooks payment), dated
        from the start date, and those QuickBooks has an application of already."""
        if not records:
            return records
        start, company = self.history_start(), self.connection.company_id
        linked = set(self.linked_qbo_ids(self.model, records.ids, self.entity))
        return records.filtered(lambda m: m.company_id == company and m.move_type == "out_refund" and (
            m.id in linked or (m.state == "posted" and not m.qbo_credit_by_payment and self._invoices(m)
                               and (not start or m.invoice_date >= start))))

    def upload_all_domain(self):
        return self.domain() + [("state", "=", "posted"), ("qbo_credit_by_payment", "=", False)]

    def _invoices(self, refund):
        """[(invoice, amount)] the credit note is reconciled with."""
        return [(partial.debit_move_id.move_id, _dec(partial.credit_amount_currency))
                for partial in receivable_lines(refund).matched_debit_ids
                if partial.debit_move_id.move_id.move_type == "out_invoice"]

    def dependencies(self, record):
        invoices = self.env["account.move"].union(*(move for move, _amount in self._invoices(record)))
        return [("Customer", record.commercial_partner_id), ("CreditMemo", record)] + [
            ("Invoice", invoice) for invoice in invoices]

    def push_action(self, record, binding):
        applied = self._invoices(record) if record.state == "posted" else []
        voided = binding.qbo_payload and payment_mapper.is_voided(binding.qbo_payload)
        if applied and voided:
            return "wait", self.env._("Its QuickBooks credit application was voided: apply the credit memo in "
                                      "QuickBooks, or make a new credit note.")
        if not applied and binding.qbo_id:
            return ("done", None) if voided else ("void", None)
        return "send", None

    def local_values(self, record):
        refund = record
        invoices = self._invoices(refund)
        ids = self.linked_qbo_ids("account.move", [move.id for move, _amount in invoices], "Invoice")
        memo = self.linked_qbo_ids("account.move", refund.ids, "CreditMemo").get(refund.id) or ""
        pairs = [("Invoice", ids.get(move.id) or "", amount) for move, amount in invoices]
        if pairs:
            pairs.append(("CreditMemo", memo, sum((amount for _move, amount in invoices), _dec(0))))
        partials = receivable_lines(refund).matched_debit_ids
        day = max(partials.mapped("max_date")) if partials else refund.invoice_date
        customer = self.linked_qbo_ids("res.partner", refund.commercial_partner_id.ids)
        return {
            "customer": customer.get(refund.commercial_partner_id.id), "txn_date": day and day.isoformat(),
            "total": _dec(0), "currency": refund.currency_id.name, "exchange_rate": None, "number": None,
            "memo": self.env._("Credit note %s applied", refund.name), "deposit_account": None,
            "applied": payment_mapper.applied_lines(pairs), "voided": not pairs,
        }

    def pull_changes(self, current, pulled):
        changes = super().pull_changes(current, pulled)
        changes.pop("memo", None)
        changes.pop("deposit_account", None)
        return changes

    def check_synced(self, record, data):
        remote = payment_mapper.payment_values(data)
        if remote["voided"]:
            return None
        local = self.local_values(record)
        if local["applied"] == remote["applied"]:
            return None
        return self.env._("QuickBooks does not apply this credit note as Odoo does: Odoo %(odoo)s, QuickBooks "
                          "%(qbo)s.", odoo=self._describe(local["applied"]), qbo=self._describe(remote["applied"]))

    # -- QuickBooks → Odoo: only changes to what Odoo made -------------------------------------------
    def create_from_remote(self, values_list):
        return [None] * len(values_list)  # never: ``accepts`` takes only Odoo's own

    def apply_remote_values(self, record, values):
        """Changed or voided in QuickBooks: the credit note is applied in Odoo as QuickBooks says."""
        refund = record.with_context(**{NO_PUSH: True})
        applied = () if values.get("voided") else values.get("applied", self.local_values(refund)["applied"])
        documents = self._documents(applied)
        receivable_lines(refund).matched_debit_ids.filtered(
            lambda p: p.debit_move_id.move_id.move_type == "out_invoice").with_context(**{NO_PUSH: True}).unlink()
        self._reconcile(self.env["account.payment"], applied, documents)

    def remote_deleted(self, record):
        self.apply_remote_values(record, {"voided": True})
        return self.env._("Deleted in QuickBooks: the credit note is no longer applied in Odoo.")

    def object_name(self, data):
        return self.env._("Credit application %s", (data or {}).get("Id") or "")
