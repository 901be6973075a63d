"""What every sales document adapter shares (Invoice, CreditMemo, SalesReceipt on ``account.move``;
Estimate on ``sale.order``): lines, discounts and taxes both ways, in one place
(docs/ENGINE.md §9c). Field rules are in ``utils/mappers/invoice.py``; taxes in ``qbo_tax_maps.py``.

An adapter gives its document's lines as plain rows (``line_rows``): ``{"text": ...}`` for a
section or a note, else ``product``, ``name``, ``qty``, ``price_unit``, ``discount`` (percent),
``taxes``, ``subtotal`` and ``total`` (Odoo's own amounts); and turns QuickBooks' lines back into
its own line values from ``line_vals``."""

from decimal import ROUND_HALF_UP, Decimal

from odoo.tools import float_compare

from ..utils.mappers import invoice as invoice_mapper
from ..utils.mappers.common import MappingError
from .qbo_adapter import TRANSACTION, QBOAdapter
from .qbo_tax_maps import TaxMaps

CENT = Decimal("0.01")
STAND_IN = "quickbooks_online.product_qbo_line"


def stand_in(env):
    """The archived product of order lines QuickBooks gives no item (Odoo's order lines need
    one): QuickBooks' default item in QuickBooks, never uploaded."""
    return env.ref(STAND_IN, raise_if_not_found=False) or env["product.product"]


def dec(value):
    return Decimal(str(value or 0))


class SalesDocumentAdapter(QBOAdapter):
    """Mapping shared by the sales documents; the Odoo side (which model, which fields) is the
    subclass's."""

    kind = TRANSACTION
    depends = ("Customer", "Item")
    match_on_first_link = False
    name_field = "DocNumber"

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

    def _dated_in(self, day):
        start = self.history_start()
        return not start or (day and day >= start)

    def skip_remote(self, values):
        start = self.history_start()
        return bool(start and values.get("txn_date") and values["txn_date"] < start.isoformat())

    def product_dependencies(self, products):
        return [("Item", product) for product in products - stand_in(self.env)]

    def references(self, data):
        refs = [("Customer", str(data["CustomerRef"]["value"]))] if (data.get("CustomerRef") or {}).get("value") \
            else []
        for line in data.get("Line") or []:
            item = ((line.get("SalesItemLineDetail") or {}).get("ItemRef") or {}).get("value")
            if item and str(item).isdigit():
                refs.append(("Item", str(item)))
        return refs

    # -- Odoo → values -----------------------------------------------------------------------------
    def sales_values(self, rows, currency, price_include, total_tax, tax_lines):
        """Mapper values of a document's lines and tax: ``lines``, ``total_tax`` and (US)
        ``tax_code`` or (elsewhere) ``global_tax`` and ``tax_lines`` (``tax_lines()`` gives
        {TaxRate Id: amount}, called outside the US only)."""
        maps = self.maps
        products = self.linked_qbo_ids("product.product", [row["product"].id for row in rows if row.get("product")])
        priced = [row for row in rows if "text" not in row]
        discount = self._document_discount(priced, currency, price_include)
        lines, us_codes = [], set()
        for row in rows:
            if "text" in row:
                lines.append({"item": None, "description": row["text"] or "", "amount": None})
                continue
            qty, amount = dec(row["qty"]), dec(currency.round(row["subtotal"])).quantize(CENT)
            description = row["name"] or ""
            if discount:
                amount = self._gross(row)
            elif row["discount"]:
                description = self.env._("%(description)s (discount %(discount)s%%)", description=description,
                                         discount=("%f" % row["discount"]).rstrip("0").rstrip("."))
            code = None
            if row["taxes"]:
                code = maps.code_of(row["taxes"])
                if code is None:
                    unmapped = row["taxes"].filtered(lambda t: t.id not in maps.to_code) or row["taxes"]
                    raise MappingError("unmapped_tax", tax=", ".join(unmapped.mapped("name")))
                us_codes.add(code)
            lines.append({
                "item": products.get(row["product"].id), "description": description, "qty": qty,
                "unit_price": (amount / qty).quantize(invoice_mapper.UNIT_PRICE_PLACES).normalize() if qty
                else dec(row["price_unit"]),
                "amount": amount,
                "tax_code": ("TAX" if code else "NON") if maps.us else (code or self._zero_code()),
                "gross": dec(currency.round(row["total"])).quantize(CENT)
                if any(row["taxes"].mapped("price_include")) else None})
        if discount:
            percent, amount = discount
            lines.append({"item": None, "description": invoice_mapper.discount_label(percent), "qty": Decimal(1),
                          "unit_price": -amount, "amount": -amount, "percent": percent, "discount": True,
                          "tax_code": "TAX", "gross": None})
        values = {"lines": tuple(lines), "total_tax": dec(currency.round(total_tax)).quantize(CENT)}
        if maps.us:
            if len(us_codes) > 1:
                raise MappingError("us_one_rate", taxes=", ".join(
                    sorted(maps.codes.get(code, {}).get("name", code) for code in us_codes)))
            values["tax_code"] = next(iter(us_codes), None)
        else:
            values["global_tax"] = "TaxInclusive" if price_include else "TaxExcluded"
            values["tax_lines"] = tax_lines()
        return values

    def _gross(self, row):
        """A line's amount before its discount, as QuickBooks rounds it."""
        return (dec(row["qty"]) * dec(row["price_unit"])).quantize(CENT, rounding=ROUND_HALF_UP)

    def _document_discount(self, rows, currency, price_include):
        """(rate, amount) when every line has the same discount and QuickBooks' document discount
        (the company allowing discounts) comes to Odoo's amount to the cent, else None: the lines
        then carry their own discounts."""
        rates = {row["discount"] for row in rows}
        if len(rates) != 1 or not next(iter(rates)) or price_include \
                or not (self.connection.qbo_sales_prefs or {}).get("AllowDiscount"):
            return None
        percent = dec(next(iter(rates))).normalize()
        gross = sum((self._gross(row) for row in rows), Decimal(0))
        net = sum((dec(currency.round(row["subtotal"])).quantize(CENT) for row in rows), Decimal(0))
        if (gross * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP) != gross - net:
            return None
        return percent, gross - net

    def _zero_code(self):
        if not self.maps.zero_code:
            raise MappingError("no_exempt_code")
        return self.maps.zero_code

    def rate_amounts(self, pairs):
        """{TaxRate Id: amount} of [(Odoo tax, amount)] (outside the US)."""
        out = {}
        for tax, group, amount in pairs:
            code = self.maps.to_code.get((group or tax).id)
            if code is None:
                raise MappingError("unmapped_tax", tax=(group or tax).name)
            rate = self.maps.rate_of(tax, code)
            out[rate] = out.get(rate, Decimal(0)) + dec(amount)
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

    def totals_message(self, currency, odoo_total, odoo_tax, remote):
        """The "totals differ" message when QuickBooks' total or tax is not Odoo's, else None."""
        if not currency.compare_amounts(odoo_total, float(remote["total"])) and \
                not currency.compare_amounts(odoo_tax, float(remote["total_tax"])):
            return None
        return self.env._(
            "Totals differ: Odoo %(odoo_total)s (tax %(odoo_tax)s), QuickBooks %(qbo_total)s (tax %(qbo_tax)s).",
            odoo_total=currency.format(odoo_total), odoo_tax=currency.format(odoo_tax),
            qbo_total=currency.format(float(remote["total"])), qbo_tax=currency.format(float(remote["total_tax"])))

    # -- QuickBooks → Odoo ---------------------------------------------------------------------
    def line_vals(self, values):
        """QuickBooks' lines as ``("note", text)`` or ``("line", {name, quantity, price_unit,
        taxes, product_id})``: an amount Odoo's unit price cannot hold exactly is kept exact as
        one unit of it, the quantity and price said in the description."""
        maps = self.maps
        Tax = self.env["account.tax"]
        products = self.linked_records("product.product", [line["item"] for line in values["lines"]
                                                           if line.get("item")])
        out = []
        for line in values["lines"]:
            if line.get("amount") is None:
                out.append(("note", line["description"] or "-"))
                continue
            code = line.get("tax_code")
            if maps.us:
                code = values.get("tax_code") if code == "TAX" else None
            elif line.get("discount"):
                code = None  # spread over the rates in QuickBooks: Odoo's tax is set to QuickBooks' after
            tax = Tax
            if code and code not in ("NON",):
                tax = Tax.browse(maps.to_tax.get(code))
                if not tax and not (not maps.us and code == maps.zero_code):
                    raise MappingError("unmapped_qbo_tax", tax_code=maps.codes.get(code, {}).get("name", code))
            qty, price, amount = dec(line["qty"]), dec(line["unit_price"]), dec(line["amount"])
            name = line["description"]
            if (qty * price).quantize(CENT) != amount.quantize(CENT) or \
                    float_compare(float(price), round(float(price), 2), precision_digits=7):
                name = "%s (%s × %s)" % (name or "", qty.normalize(), price.normalize())
                qty, price = Decimal(1), amount
            out.append(("line", {"name": name or False, "quantity": float(qty), "price_unit": float(price),
                                 "taxes": tax, "product_id": products.get(line.get("item"))}))
        return out
