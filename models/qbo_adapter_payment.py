"""Customer payments (``account.payment``, inbound) ⇄ QuickBooks Payment (docs/ENGINE.md §9d).

What a payment applies is its reconciliation in Odoo and its lines in QuickBooks, both exact to
the cent; what it does not apply is the customer's credit on both sides (Odoo's outstanding
payment, QuickBooks' UnappliedAmt). Field rules are in ``utils/mappers/payment.py``.

Reconciling an exact amount: Odoo's own ``reconcile()`` when the amount is all that one of the
two lines has open (the usual case), else one partial computed by Odoo's
``_prepare_reconciliation_amls`` with the payment's open amount shadowed to that amount."""

from decimal import Decimal

from odoo.tools import SQL

from ..utils.mappers import payment as payment_mapper
from ..utils.mappers.common import MappingError
from .account_payment import RECONCILIATION
from .qbo_adapter import TRANSACTION, QBOAdapter, register
from .qbo_adapter_invoice import receivable_lines
from .qbo_sync_mixin import NO_PUSH, QBODependencyPending

PAYMENT_FIELDS = frozenset({"state", "amount", "date", "partner_id", "memo", "journal_id", "currency_id",
                            RECONCILIATION})
POSTED = ("in_process", "paid")
DOCUMENT_ENTITIES = {"out_invoice": "Invoice", "out_refund": "CreditMemo"}


def _dec(value):
    return Decimal(str(value or 0))


@register
class PaymentAdapter(QBOAdapter):
    """Inbound customer payments ⇄ QuickBooks Payment."""

    entity = "Payment"
    model = "account.payment"
    kind = TRANSACTION
    depends = ("Customer", "Invoice", "CreditMemo")
    flagged_by = {"account.payment": PAYMENT_FIELDS}
    direction_field = "payment_direction"
    # The same payment recorded on both sides before a sync (same customer, day, amount and
    # documents) is linked, never recorded twice.
    match_on_first_link = True
    url_path = "recvpayment?txnId=%s"

    def prepare(self, job):
        self.connection._qbo_accounts_ready(job)

    def accepts(self, data):
        """QuickBooks Payments, except the credit applications Odoo made (their adapter's)."""
        return str(data.get("Id")) not in self.credit_application_ids()

    def credit_application_ids(self):
        """The QuickBooks Payments that are Odoo's credit applications (read once per run)."""
        if getattr(self, "_application_ids", None) is None:
            self.env["qbo.binding"].flush_model(["connection_id", "qbo_entity", "qbo_id"])
            self.env.cr.execute(SQL(
                "SELECT qbo_id FROM qbo_binding WHERE connection_id = %s AND qbo_entity = 'CreditApplication' "
                "AND COALESCE(qbo_id, '') != ''", self.connection.id))
            self._application_ids = {row[0] for row in self.env.cr.fetchall()}
        return self._application_ids

    # -- which records -----------------------------------------------------------------------------
    def handles(self, record):
        return record.payment_type == "inbound" and record.partner_type == "customer"

    def domain(self):
        return [("company_id", "=", self.connection.company_id.id), ("payment_type", "=", "inbound"),
                ("partner_type", "=", "customer")]

    def in_scope(self, records, matching=False):
        """Posted payments of the company's customers dated from the start date, and whatever
        QuickBooks has already (a cancel voids it)."""
        if not records:
            return records
        start, company = self.history_start(), self.connection.company_id
        linked = set(self.linked_qbo_ids(self.model, records.ids))
        candidates = records.filtered(lambda p: p.company_id == company and self.handles(p) and (
            p.id in linked or (p.state in POSTED and p.move_id and (not start or p.date >= start))))
        documents = {p: [move for move, _amount in self._applications(p)] for p in candidates if p.id not in linked}
        receipts = self.connection._qbo_adapter("SalesReceipt").receipt_ids(
            self.env["account.move"].union(*(m for moves in documents.values() for m in moves)))
        # The payment of a sales receipt is part of it: it stays in Odoo only.
        return candidates.filtered(lambda p: p.id in linked or not documents[p]
                                   or any(m.id not in receipts for m in documents[p]))

    def upload_all_domain(self):
        start = self.history_start()
        return self.domain() + [("state", "in", POSTED)] + ([("date", ">=", start)] if start else [])

    def skip_remote(self, values):
        start = self.history_start()
        return bool(start and values.get("txn_date") and values["txn_date"] < start.isoformat())

    # -- first link ------------------------------------------------------------------------------
    def all_where(self):
        """The payments a first link may pair: those the sync covers (not every payment ever)."""
        return self.full_import_where()

    def match_keys(self, values):
        if not values.get("customer") or values.get("voided"):
            return []
        return [("payment", values["customer"], values.get("txn_date"), payment_mapper.cents(values.get("total")),
                 values.get("applied") or ())]

    def match_values(self, records):
        return [(record, self.local_values(record)) for record in self.in_scope(records)]

    # -- what a payment applies, in Odoo -------------------------------------------------------------
    def _applications(self, payment):
        """[(document, amount in the payment's currency)] the payment is reconciled with."""
        out = []
        for line in receivable_lines(payment.move_id):
            for partial in line.matched_debit_ids:
                out.append((partial.debit_move_id.move_id, _dec(partial.credit_amount_currency)))
            for partial in line.matched_credit_ids:
                out.append((partial.credit_move_id.move_id, -_dec(partial.debit_amount_currency)))
        return [(move, amount) for move, amount in out if move.move_type in DOCUMENT_ENTITIES]

    def _credit_applications(self, payment, invoices):
        """The credit memos QuickBooks said this payment uses (the binding's last version) that
        are still reconciled in Odoo with its invoices: [(credit note, amount)]."""
        refunds = receivable_lines(invoices).matched_credit_ids.credit_move_id.move_id
        if not any(refunds.mapped("qbo_credit_by_payment")):
            return []  # only a downloaded payment uses credit memos: no binding to read
        binding = payment._qbo_binding(self.connection, self.entity)
        said = [(txn, amount) for kind, txn, amount in
                payment_mapper.payment_values(binding.qbo_payload or {})["applied"] if kind == "CreditMemo"]
        if not said:
            return []
        credits = self.linked_records("account.move", [txn for txn, _amount in said], "CreditMemo")
        invoice_lines = receivable_lines(invoices)
        out = []
        for txn, amount in said:
            refund = self.env["account.move"].browse(credits.get(txn))
            reconciled = sum(_dec(p.amount) for p in receivable_lines(refund).matched_debit_ids
                             if p.debit_move_id in invoice_lines) if refund else 0
            if reconciled:
                out.append((refund, min(amount, _dec(reconciled))))
        return out

    # -- dependencies ----------------------------------------------------------------------------
    def dependencies(self, record):
        documents = self.env["account.move"].union(*(move for move, _amount in self._applications(record)))
        return [("Customer", record.partner_id.commercial_partner_id)] + [
            (DOCUMENT_ENTITIES[move.move_type], move) for move in documents]

    def references(self, data):
        values = payment_mapper.payment_values(data)
        refs = [("Customer", values["customer"])] if values["customer"] else []
        return refs + [(kind, txn) for kind, txn, _amount in values["applied"]]

    # -- Odoo → values -----------------------------------------------------------------------------
    def push_action(self, record, binding):
        voided = binding.qbo_payload and payment_mapper.is_voided(binding.qbo_payload)
        if record.state in ("canceled", "rejected"):
            if binding.request_id and not binding.qbo_id:
                return "send", None  # a create in flight: replayed first, voided next
            return ("done", None) if voided or not binding.qbo_id else ("void", None)
        if record.state == "draft" and binding.qbo_id:
            return "wait", self.env._("Reset to draft in Odoo: QuickBooks is updated when it is confirmed again.")
        return "send", None

    def local_values(self, record):
        payment = record
        customer = self.linked_qbo_ids("res.partner", payment.partner_id.commercial_partner_id.ids)
        applications = self._applications(payment)
        pairs = []
        for entity in DOCUMENT_ENTITIES.values():
            moves = [(move, amount) for move, amount in applications if DOCUMENT_ENTITIES[move.move_type] == entity]
            ids = self.linked_qbo_ids("account.move", [move.id for move, _amount in moves], entity)
            pairs += [(entity, ids.get(move.id) or "", amount) for move, amount in moves]
        invoices = self.env["account.move"].union(*(m for m, _a in applications if m.move_type == "out_invoice"))
        credits = self._credit_applications(payment, invoices)
        if credits:
            ids = self.linked_qbo_ids("account.move", [m.id for m, _a in credits], "CreditMemo")
            pairs += [("CreditMemo", ids.get(move.id) or "", amount) for move, amount in credits]
            # The invoice lines say what each invoice received in all: the payment and the credit.
            pairs += self._invoice_shares(invoices, credits)
        currency = payment.currency_id
        journal_accounts, _to_odoo = self.connection._qbo_journal_maps()
        deposit_account, method = journal_accounts.get(payment.journal_id.id, (None, None))
        return {
            "customer": customer.get(payment.partner_id.commercial_partner_id.id),
            "txn_date": payment.date and payment.date.isoformat(),
            "total": _dec(currency.round(payment.amount)),
            "currency": currency.name,
            "exchange_rate": self._rate(payment),
            "number": payment.name or None,
            "memo": payment.memo or None,
            "deposit_account": deposit_account,
            "method": method,
            "applied": payment_mapper.applied_lines(pairs),
            "voided": payment.state in ("canceled", "rejected"),
        }

    def _invoice_shares(self, invoices, credits):
        """[("Invoice", id, amount)] of what the ``credits`` paid of ``invoices``."""
        ids = self.linked_qbo_ids("account.move", invoices.ids, "Invoice")
        out = []
        invoice_lines = receivable_lines(invoices)
        for refund, _amount in credits:
            for partial in receivable_lines(refund).matched_debit_ids:
                if partial.debit_move_id in invoice_lines:
                    out.append(("Invoice", ids.get(partial.debit_move_id.move_id.id) or "",
                                _dec(partial.credit_amount_currency)))
        return out

    def _rate(self, payment):
        if payment.currency_id == payment.company_currency_id or not payment.amount:
            return None
        company = payment.move_id.line_ids[:1]
        if not company or not company.amount_currency:
            return None
        return (abs(_dec(company.balance)) / abs(_dec(company.amount_currency))).quantize(
            Decimal("0.000001")).normalize()

    def values_payload(self, values, binding):
        if any(not txn for _kind, txn, _amount in values.get("applied") or ()):
            raise QBODependencyPending(self.env._("Waiting for the invoices it pays to be uploaded first."))
        return payment_mapper.payment_payload(values)

    def changed_fields(self, old_payload, new_payload):
        return payment_mapper.changed_fields(old_payload, new_payload)

    def pull_changes(self, current, pulled):
        return payment_mapper.pull_changes(current, pulled)

    def check_synced(self, record, data):
        """QuickBooks' unapplied amount kept on the payment; its total and what it applies
        compared with Odoo's (QuickBooks leaves another customer's invoice unapplied, say)."""
        remote = payment_mapper.payment_values(data)
        payment = record.with_context(**{NO_PUSH: True})
        payment.write({"qbo_unapplied": float(remote["unapplied"])})
        if remote["voided"] or payment.state in ("canceled", "rejected"):
            return None
        local = self.local_values(payment)
        currency = payment.currency_id
        if currency.compare_amounts(float(local["total"]), float(remote["total"])) == 0 \
                and local["applied"] == remote["applied"]:
            return None
        return self.env._(
            "QuickBooks does not apply this payment as Odoo does: Odoo %(odoo_total)s applied to %(odoo)s, "
            "QuickBooks %(qbo_total)s applied to %(qbo)s.",
            odoo_total=currency.format(float(local["total"])), qbo_total=currency.format(float(remote["total"])),
            odoo=self._describe(local["applied"]), qbo=self._describe(remote["applied"]))

    def _describe(self, applied):
        return ", ".join("%s %s: %s" % (kind, txn, amount) for kind, txn, amount in applied) or "-"

    # -- QuickBooks → Odoo ---------------------------------------------------------------------
    def remote_values(self, data):
        return payment_mapper.payment_values(data)

    def _documents(self, applied):
        """{(TxnType, TxnId): account.move} of the documents ``applied`` names; raises when one
        is not in Odoo (the payment waits for it)."""
        out = {}
        for entity in DOCUMENT_ENTITIES.values():
            txns = [txn for kind, txn, _amount in applied if kind == entity]
            found = self.linked_records("account.move", txns, entity)
            for txn in txns:
                if txn not in found:
                    raise QBODependencyPending(self.env._(
                        "Waiting for QuickBooks %(entity)s %(id)s to be in Odoo.", entity=entity, id=txn))
                out[(entity, txn)] = self.env["account.move"].browse(found[txn])
        return out

    def _payment_vals(self, values):
        partner_id = self.linked_records("res.partner", [values["customer"]]).get(values["customer"])
        if not partner_id:
            return None
        _to_qbo, to_journal = self.connection._qbo_journal_maps()
        journal_id = to_journal.get(values.get("deposit_account")) or self._default_journal().id
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", values.get("currency"))], limit=1)
        vals = {"payment_type": "inbound", "partner_type": "customer", "partner_id": partner_id,
                "amount": float(values["total"]), "date": values["txn_date"], "journal_id": journal_id,
                "memo": values.get("memo") or False}
        if currency:
            vals["currency_id"] = currency.id
        return vals

    def _default_journal(self):
        journal = self.env["account.journal"].search([
            ("company_id", "=", self.connection.company_id.id), ("type", "=", "bank")], limit=1)
        if not journal:
            raise MappingError("no_journal")
        return journal

    def create_from_remote(self, values_list):
        """The payments of a chunk created and posted together, then each reconciled as its
        QuickBooks lines say; None for those whose customer or documents are not in Odoo yet."""
        Payment = self.env["account.payment"].with_company(self.connection.company_id).with_context(
            **{NO_PUSH: True})
        todo = []
        for values in values_list:
            vals, documents = self._payment_vals(values), None
            try:
                documents = self._documents(values["applied"]) if vals else None
            except QBODependencyPending:
                vals = None
            todo.append((vals, documents))
        created = iter(Payment.create([vals for vals, _documents in todo if vals]))
        results = [next(created) if vals else None for vals, _documents in todo]
        posted = Payment.union(*(payment for payment in results if payment))
        posted.action_post()
        for payment, values, (_vals, documents) in zip(results, values_list, todo, strict=True):
            if not payment:
                continue
            if values.get("voided"):
                payment.action_cancel()
            else:
                self._reconcile(payment, values["applied"], documents)
        return results

    def apply_remote_values(self, record, values):
        payment = record.with_context(**{NO_PUSH: True})
        if values.get("voided"):
            self._cancel(payment)
            return
        if payment.state in ("canceled", "rejected"):
            return  # cancelled in Odoo: its void goes up next
        full = {**self.local_values(payment), **values}
        documents = self._documents(full["applied"])
        self._unreconcile(payment)
        vals = self._payment_vals(full)
        if vals is None:
            raise QBODependencyPending(self.env._("Its customer is not in Odoo yet."))
        current = {"partner_id": payment.partner_id.id, "date": payment.date.isoformat(),
                   "journal_id": payment.journal_id.id, "currency_id": payment.currency_id.id,
                   "memo": payment.memo or False}
        changed = {key: vals[key] for key in current if key in vals and vals[key] != current[key]}
        if payment.currency_id.compare_amounts(payment.amount, vals["amount"]):
            changed["amount"] = vals["amount"]
        if set(changed) - {"memo"}:
            payment.action_draft()
            payment.write(changed)
            payment.action_post()
        elif changed:
            payment.write(changed)
        self._reconcile(payment, full["applied"], documents)

    def _unreconcile(self, payment):
        """Take back what the payment applied in Odoo, and the credit memos its last QuickBooks
        version used with its invoices."""
        lines = receivable_lines(payment.move_id)
        invoices = (lines.matched_debit_ids.debit_move_id | lines.matched_credit_ids.credit_move_id).move_id
        credits = self._credit_applications(payment, invoices)
        invoice_lines = receivable_lines(invoices)
        partials = lines.matched_debit_ids | lines.matched_credit_ids
        for refund, _amount in credits:
            partials |= receivable_lines(refund).matched_debit_ids.filtered(lambda p: p.debit_move_id in invoice_lines)
        partials.with_context(**{NO_PUSH: True}).unlink()

    def _reconcile(self, payment, applied, documents):
        """Reconcile as QuickBooks' lines say: each credit memo with the invoices in line order,
        then the payment with what each invoice has left of its line's amount."""
        quiet = {NO_PUSH: True}  # the download's own reconciliation: nothing to upload back
        pay_line = receivable_lines(payment.move_id)[:1].with_context(**quiet)
        documents = {key: move.with_context(**quiet) for key, move in documents.items()}
        due = [(documents[(kind, txn)], amount) for kind, txn, amount in applied if kind == "Invoice"]
        left = dict(due)
        for kind, txn, amount in applied:
            if kind != "CreditMemo":
                continue
            refund = documents[(kind, txn)]
            if payment:
                refund.qbo_credit_by_payment = True  # QuickBooks applies this credit through payments
            refund_line = receivable_lines(refund)[:1]
            for move, _total in due:
                take = min(amount, left[move])
                if take > 0:
                    self._reconcile_exact(receivable_lines(move)[:1], refund_line, take)
                    left[move] -= take
                    amount -= take
        for move, _total in due:
            if left[move] > 0:
                self._reconcile_exact(receivable_lines(move)[:1], pay_line, left[move])

    def _reconcile_exact(self, debit_line, credit_line, amount):
        """Reconcile ``amount`` (in the credit line's currency) of two receivable lines."""
        currency = credit_line.currency_id
        open_amount = min(_dec(debit_line.amount_residual_currency), -_dec(credit_line.amount_residual_currency))
        if open_amount <= 0:
            return
        if currency.compare_amounts(float(amount), float(open_amount)) >= 0:
            (debit_line + credit_line).with_context(**{NO_PUSH: True}).reconcile()
            return
        ratio = float(amount) / -credit_line.amount_residual_currency
        results, _done = self.env["account.move.line"].with_context(
            no_exchange_difference=True)._prepare_reconciliation_amls([
                {"aml": debit_line, "amount_residual": debit_line.amount_residual,
                 "amount_residual_currency": debit_line.amount_residual_currency},
                {"aml": credit_line, "amount_residual": credit_line.amount_residual * ratio,
                 "amount_residual_currency": -float(amount)}])
        self.env["account.partial.reconcile"].with_context(**{NO_PUSH: True}).create(
            [result["partial_values"] for result in results])

    def _cancel(self, payment):
        if payment.state in ("canceled", "rejected"):
            return
        self._unreconcile(payment)
        payment.action_cancel()

    def remote_deleted(self, record):
        self._cancel(record.with_context(**{NO_PUSH: True}))
        return self.env._("Deleted in QuickBooks: cancelled in Odoo.")

    def object_name(self, data):
        data = data or {}
        return self.env._("Payment %s", data.get("PaymentRefNum") or data.get("Id") or "")
