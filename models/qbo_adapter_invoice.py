"""Customer invoices ⇄ QuickBooks Invoice, credit notes ⇄ CreditMemo (docs/ENGINE.md §9c): two
transaction adapters on ``account.move``, told apart by ``move_type``. Field rules are in
``utils/mappers/invoice.py``; taxes and terms in ``qbo_tax.py``; Odoo's fields in
``account_move.py``.

Odoo's amounts are sent (each line's net amount and every tax), QuickBooks' totals read back and
compared (``check_synced``): a difference shows as "totals differ" with both figures. Downloaded
documents get QuickBooks' tax to the cent (Odoo's tax lines are set to it when its rounding
differs)."""

from decimal import ROUND_HALF_UP, Decimal

from odoo import Command
from odoo.tools import SQL, float_compare

from ..utils.mappers import invoice as invoice_mapper
from ..utils.mappers.common import MappingError, first_email, html_to_text
from .qbo_adapter import TRANSACTION, QBOAdapter, register
from .qbo_sync_mixin import NO_PUSH, QBODependencyPending
from .qbo_tax_maps import TaxMaps

CENT = Decimal("0.01")
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


class _DocumentAdapter(QBOAdapter):
    """What Invoice and CreditMemo share: everything but the move type."""

    model = "account.move"
    kind = TRANSACTION
    depends = ("Customer", "Item")
    flagged_by = {"account.move": MOVE_FIELDS}
    direction_field = "invoice_direction"
    match_on_first_link = False
    name_field = "DocNumber"
    move_type = None

    def __init__(self, connection):
        super().__init__(connection)
        self._maps = None

    @property
    def maps(self):
        """The tax codes and map, read once for this adapter's run."""
        if self._maps is None:
            self._maps = TaxMaps(self.connection)
        return self._maps

    def prepare(self, job):
        self.connection._qbo_accounts_ready(job)

    # -- which records -----------------------------------------------------------------------------
    def handles(self, record):
        return record.move_type == self.move_type

    def domain(self):
        return [("company_id", "=", self.connection.company_id.id), ("move_type", "=", self.move_type)]

    def _dated_in(self, move):
        start = self.history_start()
        return not start or (move.invoice_date and move.invoice_date >= start)

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
            m.id in linked or (m.state == "posted" and self._dated_in(m))) and self._receipt(m.id in receipts))

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

    def skip_remote(self, values):
        start = self.history_start()
        return bool(start and values.get("txn_date") and values["txn_date"] < start.isoformat())

    # -- dependencies ----------------------------------------------------------------------------
    def dependencies(self, record):
        products = record.invoice_line_ids.product_id
        return [("Customer", record.commercial_partner_id)] + [("Item", product) for product in products]

    def references(self, data):
        refs = [("Customer", str(data["CustomerRef"]["value"]))] if (data.get("CustomerRef") or {}).get("value") \
            else []
        for line in data.get("Line") or []:
            item = ((line.get("SalesItemLineDetail") or {}).get("ItemRef") or {}).get("value")
            if item and str(item).isdigit():
                refs.append(("Item", str(item)))
        return refs

    # -- Odoo → values -----------------------------------------------------------------------------
    def push_action(self, record, binding):
        voided = binding.qbo_payload and invoice_mapper.is_voided(binding.qbo_payload)
        if record.state == "cancel":
            if binding.request_id and not binding.qbo_id:
                return "send", None  # a create in flight: replayed first (QuickBooks may have it), voided next
            return ("done", None) if voided or not binding.qbo_id else ("void", None)
        if record.state == "draft" and binding.qbo_id:
            return "wait", self.env._("Reset to draft in Odoo: QuickBooks is updated when it is posted again.")
        return "send", None

    def local_values(self, record):
        move = record.with_context(lang=self.connection.partner_lang)
        maps, currency = self.maps, move.currency_id
        customer = self.linked_qbo_ids("res.partner", move.commercial_partner_id.ids)
        products = self.linked_qbo_ids("product.product", move.invoice_line_ids.product_id.ids)
        items = move.invoice_line_ids.sorted(lambda line: (line.sequence, line.id))
        discount = self._document_discount(move, items.filtered(lambda line: line.display_type == "product"))
        lines, us_codes = [], set()
        for line in items:
            if line.display_type in ("line_section", "line_note"):
                lines.append({"item": None, "description": line.name or "", "amount": None})
                continue
            if line.display_type != "product":
                continue
            qty, amount = _dec(line.quantity), _dec(currency.round(line.price_subtotal)).quantize(CENT)
            description = line.name or ""
            if discount:
                amount = self._gross(line)
            elif line.discount:
                description = self.env._("%(description)s (discount %(discount)s%%)", description=description,
                                         discount=("%f" % line.discount).rstrip("0").rstrip("."))
            code = None
            if line.tax_ids:
                code = maps.code_of(line.tax_ids)
                if code is None:
                    unmapped = line.tax_ids.filtered(lambda t: t.id not in maps.to_code) or line.tax_ids
                    raise MappingError("unmapped_tax", tax=", ".join(unmapped.mapped("name")))
                us_codes.add(code)
            lines.append({
                "item": products.get(line.product_id.id), "description": description, "qty": qty,
                "unit_price": (amount / qty).quantize(invoice_mapper.UNIT_PRICE_PLACES).normalize() if qty
                else _dec(line.price_unit),
                "amount": amount,
                "tax_code": ("TAX" if code else "NON") if maps.us else (code or self._zero_code()),
                "gross": _dec(currency.round(line.price_total)).quantize(CENT)
                if any(line.tax_ids.mapped("price_include")) else None})
        if discount:
            percent, amount = discount
            lines.append({"item": None, "description": invoice_mapper.discount_label(percent), "qty": Decimal(1),
                          "unit_price": -amount, "amount": -amount, "percent": percent, "discount": True,
                          "tax_code": "TAX", "gross": None})
        values = {
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
            "lines": tuple(lines),
            "total_tax": _dec(currency.round(move.amount_tax)).quantize(CENT),
            "voided": move.state == "cancel",
        }
        if maps.us:
            if len(us_codes) > 1:
                raise MappingError("us_one_rate", taxes=", ".join(
                    sorted(maps.codes.get(code, {}).get("name", code) for code in us_codes)))
            values["tax_code"] = next(iter(us_codes), None)
        else:
            values["global_tax"] = "TaxInclusive" if any(
                move.invoice_line_ids.tax_ids.mapped("price_include")) else "TaxExcluded"
            values["tax_lines"] = self._tax_lines(move)
        return values

    def _gross(self, line):
        """A line's amount before its discount, as QuickBooks rounds it."""
        return (_dec(line.quantity) * _dec(line.price_unit)).quantize(CENT, rounding=ROUND_HALF_UP)

    def _document_discount(self, move, lines):
        """(rate, amount) when every line has the same discount and QuickBooks' document discount
        (the company allowing discounts) comes to Odoo's amount to the cent, else None: the lines
        then carry their own discounts."""
        rates = set(lines.mapped("discount"))
        if len(rates) != 1 or not next(iter(rates)) or any(lines.tax_ids.mapped("price_include")) \
                or not (self.connection.qbo_sales_prefs or {}).get("AllowDiscount"):
            return None
        percent = _dec(next(iter(rates))).normalize()
        gross = sum((self._gross(line) for line in lines), Decimal(0))
        net = sum((_dec(move.currency_id.round(line.price_subtotal)).quantize(CENT) for line in lines), Decimal(0))
        if (gross * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP) != gross - net:
            return None
        return percent, gross - net

    def _zero_code(self):
        if not self.maps.zero_code:
            raise MappingError("no_exempt_code")
        return self.maps.zero_code

    def _tax_lines(self, move):
        """{TaxRate Id: Odoo's amount} of the document's tax lines (outside the US)."""
        sign = -1 if move.is_inbound() else 1
        out = {}
        for line in move.line_ids.filtered("tax_line_id"):
            tax = line.group_tax_id or line.tax_line_id
            code = self.maps.to_code.get(tax.id)
            if code is None:
                raise MappingError("unmapped_tax", tax=tax.name)
            rate = self.maps.rate_of(line.tax_line_id, code)
            out[rate] = out.get(rate, Decimal(0)) + _dec(line.amount_currency * sign)
        return {rate: amount.quantize(CENT) for rate, amount in out.items()}

    def _term_id(self, term):
        if not term:
            return None
        name = term.with_context(lang="en_US").name.casefold()
        return next((qbo_id for qbo_id, (qbo_name, _days) in (self.connection.qbo_terms or {}).items()
                     if (qbo_name or "").casefold() == name), None)

    def values_payload(self, values, binding):
        return invoice_mapper.document_payload(values, self.maps.us)

    def changed_fields(self, old_payload, new_payload):
        return invoice_mapper.changed_fields(old_payload, new_payload)

    def pull_changes(self, current, pulled):
        changes = invoice_mapper.pull_changes(current, pulled, self.maps.us)
        if "term" in changes and not current.get("term"):
            del changes["term"]  # a QuickBooks term Odoo has no counterpart of: QuickBooks' stands
        return changes

    def check_synced(self, record, data):
        """QuickBooks' figures kept on the document; its total and tax compared with Odoo's."""
        remote = invoice_mapper.document_values(data)
        move = record.with_context(**{NO_PUSH: True})
        currency = move.currency_id
        differ = not remote["voided"] and move.state != "cancel" and (
            currency.compare_amounts(move.amount_total, float(remote["total"])) != 0
            or currency.compare_amounts(move.amount_tax, float(remote["total_tax"])) != 0)
        move.write({"qbo_total": float(remote["total"]), "qbo_total_tax": float(remote["total_tax"]),
                    "qbo_balance": float(remote["balance"]), "qbo_totals_differ": differ,
                    **({"qbo_doc_number": remote["doc_number"]} if remote["doc_number"] else {})})
        if self.connection.first_paid_enabled and not remote["voided"] and move.state == "posted":
            move._qbo_balance_paid()
        if not differ:
            return None
        return self.env._(
            "Totals differ: Odoo %(odoo_total)s (tax %(odoo_tax)s), QuickBooks %(qbo_total)s (tax %(qbo_tax)s).",
            odoo_total=currency.format(move.amount_total), odoo_tax=currency.format(move.amount_tax),
            qbo_total=currency.format(float(remote["total"])), qbo_tax=currency.format(float(remote["total_tax"])))

    def push_note(self, record, data):
        return None

    # -- QuickBooks → Odoo ---------------------------------------------------------------------
    def remote_values(self, data):
        return invoice_mapper.document_values(data)

    def _journal(self):
        return self.connection.sale_journal_id or self.env["account.journal"].search([
            ("type", "=", "sale"), ("company_id", "=", self.connection.company_id.id)], limit=1)

    def _line_commands(self, values, products):
        """invoice_line_ids commands of mapper values (lines replaced as a whole)."""
        maps, commands = self.maps, [Command.clear()]
        Tax = self.env["account.tax"]
        for line in values["lines"]:
            if line.get("amount") is None:
                commands.append(Command.create({"display_type": "line_note", "name": line["description"] or "-"}))
                continue
            code = line.get("tax_code")
            if maps.us:
                code = values.get("tax_code") if code == "TAX" else None
            elif line.get("discount"):
                code = None  # spread over the rates in QuickBooks: Odoo's tax is set to QuickBooks' below
            tax = Tax
            if code and code not in ("NON",):
                tax = Tax.browse(maps.to_tax.get(code))
                if not tax and not (not maps.us and code == maps.zero_code):
                    raise MappingError("unmapped_qbo_tax", tax_code=maps.codes.get(code, {}).get("name", code))
            qty, price, amount = _dec(line["qty"]), _dec(line["unit_price"]), _dec(line["amount"])
            name = line["description"]
            if (qty * price).quantize(CENT) != amount.quantize(CENT) or \
                    float_compare(float(price), round(float(price), 2), precision_digits=7):
                # Odoo's unit prices have the product price precision: the amount is kept exact.
                name = "%s (%s × %s)" % (name or "", qty.normalize(), price.normalize())
                qty, price = Decimal(1), amount
            vals = {"name": name or False, "quantity": float(qty), "price_unit": float(price), "discount": 0,
                    "tax_ids": [Command.set(tax.ids)]}
            product_id = products.get(line.get("item"))
            if product_id:
                vals["product_id"] = product_id
            commands.append(Command.create(vals))
        return commands

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
        items = [line["item"] for line in values["lines"] if line.get("item")]
        vals = {
            "partner_id": partner_id, "invoice_date": values["txn_date"], "date": values["txn_date"],
            "invoice_date_due": values["due_date"], "invoice_payment_term_id": False,
            "narration": values.get("memo") or False, "qbo_doc_number": values.get("doc_number") or False,
            "invoice_line_ids": self._line_commands(values, self.linked_records("product.product", items)),
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

