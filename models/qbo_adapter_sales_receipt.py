"""Sales paid at once ⇄ QuickBooks SalesReceipt (docs/ENGINE.md §9d): a customer invoice with its
payment, as one QuickBooks document.

Up (the connection's "sales receipts" option): an invoice fully paid when it is first uploaded,
by payments dated on its invoice date (``paid_at_once``), goes as a SalesReceipt instead of an
Invoice and a Payment; its payments stay in Odoo only. Down (always, with invoices coming down):
a SalesReceipt is a posted invoice and its payment, reconciled. The document mapping is the
invoices' (``_DocumentAdapter``); the deposit account is the payment journal's (journal map)."""

from ..utils.mappers.common import MappingError, text
from .account_payment import RECONCILIATION
from .qbo_adapter import register
from .qbo_adapter_invoice import ACCOUNTING_KEYS, MOVE_FIELDS, _DocumentAdapter, receivable_lines
from .qbo_sync_mixin import NO_PUSH

RECEIPT_ONLY = ("DueDate", "SalesTermRef")  # an invoice's, not a sales receipt's


@register
class SalesReceiptAdapter(_DocumentAdapter):
    entity = "SalesReceipt"
    move_type = "out_invoice"
    url_path = "salesreceipt?txnId=%s"
    # A change of reconciliation too: a payment registered before the first upload makes the
    # invoice a sales receipt.
    flagged_by = {"account.move": MOVE_FIELDS | {RECONCILIATION}}

    def direction(self):
        """Down with the invoices; up only with the option on."""
        direction = self.connection.invoice_direction
        if self.connection.sales_receipts or direction not in ("both", "odoo_to_qbo"):
            return direction
        return "qbo_to_odoo" if direction == "both" else "off"

    def _receipt(self, is_receipt):
        return is_receipt

    def upload_all_domain(self):
        return super().upload_all_domain() + [("payment_state", "in", ("paid", "in_payment"))]

    # -- Odoo → values -----------------------------------------------------------------------------
    def _payments(self, move):
        return receivable_lines(move).matched_credit_ids.credit_move_id.move_id.origin_payment_id

    def local_values(self, record):
        values = super().local_values(record)
        payments = self._payments(record)
        journal_accounts, _to_journal = self.connection._qbo_journal_maps()
        values["deposit_account"], values["method"] = journal_accounts.get(payments[:1].journal_id.id, (None, None))
        values["payment_ref"] = payments[:1].name or None
        return values

    def remote_values(self, data):
        values = super().remote_values(data)
        values["deposit_account"] = ((data.get("DepositToAccountRef") or {}).get("value") or None)
        values["payment_ref"] = text(data.get("PaymentRefNum")) or None
        values["method"] = ((data.get("PaymentMethodRef") or {}).get("value") or None)
        values["due_date"] = values["txn_date"]  # a sales receipt is due when made
        return values

    def pull_changes(self, current, pulled):
        changes = super().pull_changes(current, pulled)
        for key in ("payment_ref", "term", "due_date", "method"):
            changes.pop(key, None)
        if not current.get("deposit_account"):
            changes.pop("deposit_account", None)  # no journal mapped: QuickBooks' account stands
        return changes

    def values_payload(self, values, binding):
        payload = super().values_payload(values, binding)
        for field in RECEIPT_ONLY:
            payload.pop(field, None)
        if values.get("deposit_account"):
            payload["DepositToAccountRef"] = {"value": values["deposit_account"]}
        if values.get("method"):
            payload["PaymentMethodRef"] = {"value": values["method"]}
        if values.get("payment_ref"):
            payload["PaymentRefNum"] = values["payment_ref"][:21]
        return payload

    def changed_fields(self, old_payload, new_payload):
        delta = super().changed_fields(old_payload, new_payload)
        if new_payload.get("DepositToAccountRef") and \
                new_payload["DepositToAccountRef"] != old_payload.get("DepositToAccountRef"):
            delta["DepositToAccountRef"] = new_payload["DepositToAccountRef"]
        return delta

    # -- QuickBooks → Odoo ---------------------------------------------------------------------
    def _partner_id(self, values):
        """A sales receipt without customer (a cash sale) is the archived "no customer"
        partner's: archived, it never goes to QuickBooks as a customer."""
        if values.get("customer"):
            return super()._partner_id(values)
        return self.env.ref("quickbooks_online.res_partner_qbo_no_customer").id

    def create_from_remote(self, values_list):
        moves = super().create_from_remote(values_list)
        for move, values in zip(moves, values_list, strict=True):
            if move and move.state == "posted":
                self._pay(move, values)
        return moves

    def _pay(self, move, values):
        """Record and reconcile the receipt's payment: its total, its day, the journal of its
        deposit account (else the first bank journal)."""
        _to_qbo, to_journal = self.connection._qbo_journal_maps()
        journal = self.env["account.journal"].browse(to_journal.get(values.get("deposit_account"))) or \
            self.env["account.journal"].search([("company_id", "=", self.connection.company_id.id),
                                                ("type", "=", "bank")], limit=1)
        if not journal:
            raise MappingError("no_journal")
        quiet = {NO_PUSH: True}
        payment = self.env["account.payment"].with_context(**quiet).create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": move.commercial_partner_id.id,
            "amount": move.amount_total, "currency_id": move.currency_id.id, "date": move.invoice_date,
            "journal_id": journal.id, "memo": values.get("payment_ref") or move.name})
        payment.action_post()
        (receivable_lines(payment.move_id) | receivable_lines(move)).with_context(**quiet).reconcile()

    def _unpay(self, move):
        """Cancel the receipt's payments (before a change of its amounts, or its void)."""
        payments = self._payments(move).with_context(**{NO_PUSH: True})
        receivable_lines(move).with_context(**{NO_PUSH: True}).remove_move_reconcile()
        payments.action_cancel()

    def _check_unlocked(self, move):
        """Paid is no lock here: the receipt's payment is taken back and made again."""
        return super()._check_unlocked(move) if move.inalterable_hash else None

    def apply_remote_values(self, record, values):
        move = record.with_context(**{NO_PUSH: True})
        repay = (values.get("voided") or ACCOUNTING_KEYS & set(values)) and move.state == "posted"
        if repay:
            self._unpay(move)
        result = super().apply_remote_values(record, values)
        if repay and move.state == "posted":
            self._pay(move, {**self.local_values(move), **values})
        return result

    def remote_deleted(self, record):
        if record.state == "posted":
            self._unpay(record)
        return super().remote_deleted(record)

    def object_name(self, data):
        data = data or {}
        return "%s %s" % (self.env._("Sales Receipt"), data.get("DocNumber") or data.get("Id") or "")
