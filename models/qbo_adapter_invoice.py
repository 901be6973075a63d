"""Customer invoices ⇄ QuickBooks Invoice, credit notes ⇄ CreditMemo (docs/ENGINE.md §9c): two
transaction adapters on ``account.move``, told apart by ``move_type``. Field rules are in
``utils/mappers/invoice.py``; taxes and terms in ``qbo_tax.py``; Odoo's fields in
``account_move.py``.

Odoo's amounts are sent (each line's net amount and every tax), QuickBooks' totals read back and
compared (``check_synced``): a difference shows as "totals differ" with both figures. Downloaded
documents get QuickBooks' tax to the cent (Odoo's tax lines are set to it when its rounding
differs)."""

from decimal import Decimal

from odoo import Command
from odoo.tools import SQL

from ..utils.mappers import invoice as invoice_mapper
from ..utils.mappers.common import MappingError, first_email, html_to_text
from .qbo_adapter import register
from .qbo_sales_document import SalesDocumentAdapter
from .qbo_sync_mixin import NO_PUSH, QBODependencyPending

# The account.move fields whose change is uploaded (lines change only in draft: the posting
# that follows changes the state).
MOVE_FIELDS = frozenset({"state", "invoice_date", "invoice_date_due", "partner_id", "narration",
                         "invoice_payment_term_id", "currency_id", "name"})
# Changes that need the document in draft in Odoo (its accounting), the others are written as is.
ACCOUNTING_KEYS = frozenset({"customer", "txn_date", "due_date", "currency", "exchange_rate", "lines",
                             "tax_code", "tax_lines", "total_tax", "global_tax"})


def _dec(value):
    return Decimal(str(value or 0))


def receivable_lines(move):
    return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")


def paid_at_once(move):
    """A posted customer invoice fully paid by payments dated on its invoice date (nothing
    else: no credit note)."""
    if move.state != "posted" or move.payment_state not in ("paid", "in_payment") \
            or move.currency_id.is_zero(move.amount_total):
        return False
    counterparts = receivable_lines(move).matched_credit_ids.credit_move_id.move_id
    return bool(counterparts) and all(
        c.origin_payment_id and c.origin_payment_id.date == move.invoice_date for c in counterparts)


class _DocumentAdapter(SalesDocumentAdapter):
    """What Invoice and CreditMemo share: everything but the move type."""

    model = "account.move"
    depends = ("Customer", "Item", "Estimate")
    flagged_by = {"account.move": MOVE_FIELDS}
    direction_field = "invoice_direction"
    move_type = None

    # -- which records -----------------------------------------------------------------------------
    def handles(self, record):
        return record.move_type == self.move_type

    def domain(self):
        return [("company_id", "=", self.connection.company_id.id), ("move_type", "=", self.move_type)]

    def in_scope(self, records, matching=False):
        """Posted documents of the company dated from the start date (all with "import
        history"), and whatever QuickBooks has already (a cancel voids it, a draft waits); the
        sales receipts are the SalesReceipt adapter's (``receipt_ids``)."""
        if not records:
            return records
        company = self.connection.company_id
        linked = set(self.linked_qbo_ids(self.model, records.ids, self.entity))
        receipts = self.receipt_ids(records)
        return records.filtered(lambda m: m.company_id == company and m.move_type == self.move_type and (
            m.id in linked or (m.state == "posted" and self._dated_in(m.invoice_date)))
            and self._receipt(m.id in receipts))

    def _receipt(self, is_receipt):
        """Whether this adapter takes a customer invoice that is (or is not) a sales receipt."""
        return not is_receipt

    def receipt_ids(self, moves):
        """Ids of the customer invoices of ``moves`` that are QuickBooks sales receipts: linked as
        one, or, with the option on, not linked as an invoice and paid at once (fully, by
        payments dated on the invoice date). Linked, a document keeps its entity for good."""
        moves = moves.filtered(lambda m: m.move_type == "out_invoice")
        if not moves:
            return set()
        self.env["qbo.binding"].flush_model()
        self.env.cr.execute(SQL(
            "SELECT res_id, qbo_entity FROM qbo_binding WHERE connection_id = %s AND res_model = 'account.move' "
            "AND res_id IN %s AND qbo_entity IN ('Invoice', 'SalesReceipt') "
            "AND (COALESCE(qbo_id, '') != '' OR COALESCE(request_id, '') != '')", self.connection.id, tuple(moves.ids)))
        bound = dict(self.env.cr.fetchall())
        receipts = {move_id for move_id, entity in bound.items() if entity == "SalesReceipt"}
        if self.connection.sales_receipts:
            receipts |= {move.id for move in moves if move.id not in bound and paid_at_once(move)}
        return receipts

    def upload_all_domain(self):
        start = self.history_start()
        return self.domain() + [("state", "=", "posted")] + ([("invoice_date", ">=", start)] if start else [])

    # -- dependencies ----------------------------------------------------------------------------
    def dependencies(self, record):
        return [("Customer", record.commercial_partner_id)] + self.product_dependencies(
            record.invoice_line_ids.product_id) + [("Estimate", order) for order in self._orders(record)]

    def _orders(self, move):
        """The quotations the document was made from that QuickBooks has, or will have (the
        estimate sync uploads them): its LinkedTxn."""
        orders = self._quoted_orders(move)
        if not orders:
            return orders
        estimates = self.connection._qbo_adapter("Estimate")
        linked = set(self.linked_qbo_ids("sale.order", orders.ids, "Estimate"))
        uploads = estimates.direction() in ("odoo_to_qbo", "both")
        return orders.filtered(lambda o: o.id in linked or (uploads and o in estimates.in_scope(o)))

    @staticmethod
    def _quoted_orders(move):
        """The orders whose quoted lines the document invoices (a down payment alone is no
        conversion of the estimate: QuickBooks would close it)."""
        return move.invoice_line_ids.sale_line_ids.filtered(lambda line: not line.is_downpayment).order_id

    def references(self, data):
        return super().references(data) + [
            ("Estimate", str(link["TxnId"])) for link in data.get("LinkedTxn") or []
            if link.get("TxnType") == "Estimate" and link.get("TxnId")]

    def push_action(self, record, binding):
        voided = binding.qbo_payload and invoice_mapper.is_voided(binding.qbo_payload)
        if record.state == "cancel":
            if binding.request_id and not binding.qbo_id:
                return "send", None  # a create in flight: replayed first (QuickBooks may have it), voided next
            return ("done", None) if voided or not binding.qbo_id else ("void", None)
        if record.state == "draft" and binding.qbo_id:
            return "wait", self.env._("Reset to draft in Odoo: QuickBooks is updated when it is posted again.")
        return "send", None

    def line_rows(self, move):
        rows = []
        for line in move.invoice_line_ids.sorted(lambda line: (line.sequence, line.id)):
            if line.display_type in ("line_section", "line_note"):
                rows.append({"text": line.name})
            elif line.display_type == "product":
                rows.append({"product": line.product_id, "name": line.name, "qty": line.quantity,
                             "price_unit": line.price_unit, "discount": line.discount, "taxes": line.tax_ids,
                             "subtotal": line.price_subtotal, "total": line.price_total})
        return rows

    def _tax_lines(self, move):
        """{TaxRate Id: Odoo's amount} of the document's tax lines (outside the US)."""
        sign = -1 if move.is_inbound() else 1
        return self.rate_amounts([(line.tax_line_id, line.group_tax_id, line.amount_currency * sign)
                                  for line in move.line_ids.filtered("tax_line_id")])

    def local_values(self, record):
        move = record.with_context(lang=self.connection.partner_lang)
        currency = move.currency_id
        customer = self.linked_qbo_ids("res.partner", move.commercial_partner_id.ids)
        estimates = self.linked_qbo_ids("sale.order", self._quoted_orders(move).ids, "Estimate")
        return {
            "customer": customer.get(move.commercial_partner_id.id),
            "doc_number": move.qbo_doc_number or (move.name if self.connection.use_odoo_invoice_numbers
                                                  and move.name and move.name != "/" else None),
            "txn_date": move.invoice_date and move.invoice_date.isoformat(),
            "due_date": (move.invoice_date_due or move.invoice_date) and
            (move.invoice_date_due or move.invoice_date).isoformat(),
            "term": self._term_id(move.invoice_payment_term_id),
            "currency": currency.name,
            "exchange_rate": _dec(1 / move.invoice_currency_rate).quantize(Decimal("0.000001")).normalize()
            if currency != move.company_currency_id and move.invoice_currency_rate else None,
            "bill_email": first_email(move.partner_id.email) or None,
            "memo": html_to_text(move.narration) or None,
            "estimates": invoice_mapper.id_tuple(estimates.values()) if self.entity == "Invoice" else (),
            "voided": move.state == "cancel",
            **self.sales_values(self.line_rows(move), currency, any(move.invoice_line_ids.tax_ids.mapped(
                "price_include")), move.amount_tax, lambda: self._tax_lines(move)),
        }

    def check_synced(self, record, data):
        """QuickBooks' figures kept on the document; its total and tax compared with Odoo's."""
        remote = invoice_mapper.document_values(data)
        move = record.with_context(**{NO_PUSH: True})
        currency = move.currency_id
        message = not remote["voided"] and move.state != "cancel" and self.totals_message(
            currency, move.amount_total, move.amount_tax, remote)
        move.write({"qbo_total": float(remote["total"]), "qbo_total_tax": float(remote["total_tax"]),
                    "qbo_balance": float(remote["balance"]), "qbo_totals_differ": bool(message),
                    **({"qbo_doc_number": remote["doc_number"]} if remote["doc_number"] else {})})
        if self.connection.first_paid_enabled and not remote["voided"] and move.state == "posted":
            move._qbo_balance_paid()
        if not remote["voided"] and move.state == "posted":
            self._orders_invoiced(move)
        return message or None

    def push_note(self, record, data):
        return None

    # -- QuickBooks → Odoo ---------------------------------------------------------------------
    def remote_values(self, data):
        return invoice_mapper.document_values(data)

    def _journal(self):
        return self.connection.sale_journal_id or self.env["account.journal"].search([
            ("type", "=", "sale"), ("company_id", "=", self.connection.company_id.id)], limit=1)

    def _line_commands(self, values):
        """invoice_line_ids commands of mapper values (lines replaced as a whole)."""
        commands = [Command.clear()]
        for kind, vals in self.line_vals(values):
            if kind == "note":
                commands.append(Command.create({"display_type": "line_note", "name": vals}))
                continue
            commands.append(Command.create({
                "name": vals["name"], "quantity": vals["quantity"], "price_unit": vals["price_unit"], "discount": 0,
                "tax_ids": [Command.set(vals["taxes"].ids)],
                **({"product_id": vals["product_id"]} if vals["product_id"] else {})}))
        return commands

    def pull_changes(self, current, pulled):
        changes = super().pull_changes(current, pulled)
        if "estimates" in changes:  # only the estimates Odoo has can be linked
            known = invoice_mapper.id_tuple(self.linked_records("sale.order", changes["estimates"], "Estimate"))
            if known == tuple(current.get("estimates") or ()):
                del changes["estimates"]
            else:
                changes["estimates"] = known
        return changes

    def _link_orders(self, move, estimate_ids):
        """Link the lines of a document made from QuickBooks estimates to the lines of their
        orders (same product, in order), as Odoo's own invoicing of an order does: the order
        then counts it as invoiced."""
        order_ids = self.linked_records("sale.order", list(estimate_ids or ()), "Estimate").values()
        free = self.env["sale.order"].browse(order_ids).order_line.filtered(
            lambda line: not line.display_type and not line.is_downpayment)
        for line in move.invoice_line_ids.filtered(lambda line: line.display_type == "product"
                                                   and not line.sale_line_ids):
            match = free.filtered(lambda order_line, product=line.product_id: order_line.product_id == product)[:1]
            if match:
                line.sale_line_ids = [Command.link(match.id)]
                free -= match

    def _orders_invoiced(self, move):
        """An invoice or credit note of synced quotations: their opportunities are won."""
        orders = move.invoice_line_ids.sale_line_ids.order_id
        if orders:
            orders._qbo_set_stage(self.connection, "won")

    def _partner_id(self, values):
        """The Odoo customer of mapper values, or None when not in Odoo yet."""
        return self.linked_records("res.partner", [values["customer"]]).get(values["customer"])

    def _move_vals(self, values):
        """account.move values of mapper values; None when the customer is not in Odoo yet."""
        partner_id = self._partner_id(values)
        if not partner_id:
            return None
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", values.get("currency"))], limit=1)
        vals = {
            "partner_id": partner_id, "invoice_date": values["txn_date"], "date": values["txn_date"],
            "invoice_date_due": values["due_date"], "invoice_payment_term_id": False,
            "narration": values.get("memo") or False, "qbo_doc_number": values.get("doc_number") or False,
            "invoice_line_ids": self._line_commands(values),
        }
        if currency:
            vals["currency_id"] = currency.id
        return vals

    def _set_tax(self, move, total_tax):
        """Odoo's tax set to QuickBooks' ``total_tax`` when its rounding gave another amount (the
        first tax group takes the difference, as Odoo's own tax edit does)."""
        if total_tax is None or not move.currency_id.compare_amounts(move.amount_tax, float(total_tax)):
            return
        totals = move.tax_totals
        groups = [group for subtotal in totals.get("subtotals", []) for group in subtotal.get("tax_groups", [])]
        if not groups:
            return
        groups[0]["tax_amount_currency"] += float(total_tax) - move.amount_tax
        move.tax_totals = totals

    def create_from_remote(self, values_list):
        """The documents of a chunk created together and posted together (one ``action_post``)."""
        Move = self.env["account.move"].with_company(self.connection.company_id).with_context(
            default_move_type=self.move_type, lang=self.connection.partner_lang, **{NO_PUSH: True})
        journal = self._journal()
        vals_list = [self._move_vals(values) for values in values_list]
        created = iter(Move.create([dict(vals, move_type=self.move_type, journal_id=journal.id)
                                    for vals in vals_list if vals is not None]))
        results = [next(created) if vals is not None else None for vals in vals_list]
        to_post, to_cancel = Move, Move
        for move, values in zip(results, values_list, strict=True):
            if move:
                self._set_tax(move, values.get("total_tax"))
                if values.get("voided"):
                    to_cancel |= move
                elif not self.connection.import_invoices_as_draft:
                    to_post |= move
        to_post.action_post()
        to_cancel.button_cancel()
        for move, values in zip(results, values_list, strict=True):
            if move and values.get("estimates"):
                self._link_orders(move, values["estimates"])
        return results

    def apply_remote_values(self, record, values):
        move = record.with_context(**{NO_PUSH: True})
        if values.get("voided"):
            self._cancel(move)
            return
        if ACCOUNTING_KEYS & set(values) and move.state != "cancel":
            # (Cancelled in Odoo: its void goes up next, whatever QuickBooks changed since.)
            full = {**self.local_values(move), **values}
            vals = self._move_vals(full)
            if vals is None:
                raise QBODependencyPending(self.env._("Its customer is not in Odoo yet."))
            was_posted = move.state == "posted"
            if was_posted:
                self._check_unlocked(move)
                move.button_draft()
            move.write({key: value for key, value in vals.items() if key != "qbo_doc_number"})
            self._set_tax(move, full.get("total_tax"))
            if was_posted:
                move.action_post()
        if values.get("estimates"):
            self._link_orders(move, values["estimates"])
        other = {}
        if "doc_number" in values:
            other["qbo_doc_number"] = values["doc_number"] or False
        if "memo" in values and not ACCOUNTING_KEYS & set(values):
            other["narration"] = values["memo"] or False
        if other:
            move.write(other)

    def _check_unlocked(self, move):
        """A document Odoo must not change (reconciled with a payment, hashed) raises: the change
        waits in the sync log, needing attention."""
        paid = move.currency_id.compare_amounts(move.amount_residual, move.amount_total) != 0
        if paid or move.inalterable_hash:
            raise MappingError("locked_document", name=move.display_name)

    def _cancel(self, move):
        if move.state == "cancel":
            return
        if move.state == "posted":
            self._check_unlocked(move)
            move.button_draft()
        move.button_cancel()

    def remote_deleted(self, record):
        self._cancel(record)
        return self.env._("Deleted in QuickBooks: cancelled in Odoo.")

    def object_name(self, data):
        data = data or {}
        label = self.env._("Invoice") if self.entity == "Invoice" else self.env._("Credit Memo")
        return "%s %s" % (label, data.get("DocNumber") or data.get("Id") or "")


@register
class InvoiceAdapter(_DocumentAdapter):
    """Customer invoices (``out_invoice``) ⇄ QuickBooks Invoice."""

    entity = "Invoice"
    move_type = "out_invoice"
    url_path = "invoice?txnId=%s"


@register
class CreditMemoAdapter(_DocumentAdapter):
    """Customer credit notes (``out_refund``) ⇄ QuickBooks CreditMemo."""

    entity = "CreditMemo"
    move_type = "out_refund"
    url_path = "creditmemo?txnId=%s"

    def local_values(self, record):
        """A credit memo has no due date in QuickBooks (it reads as its date): Odoo's due date
        of a credit note is no change to send."""
        values = super().local_values(record)
        values["due_date"] = values["txn_date"]
        return values

