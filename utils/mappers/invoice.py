"""Sales documents (Invoice, CreditMemo) ⇄ mapper values: pure functions, no ORM.

Mapper values (one shape for Odoo's side and QuickBooks'; money is Decimal):

``customer`` (Customer Id), ``doc_number`` (None: QuickBooks numbers it), ``txn_date``,
``due_date`` (ISO dates), ``term`` (Term Id or None), ``currency``, ``exchange_rate`` (None
outside multi-currency), ``bill_email``, ``memo`` (CustomerMemo), ``lines`` (tuple of dicts:
``item`` (Item Id, None for QuickBooks' default item), ``description``, ``qty``, ``unit_price``,
``amount`` (net of tax), ``tax_code``, ``gross`` (tax-inclusive amount, or None); a text line
has ``item`` None and ``amount`` None), ``tax_code`` (US: the document's TxnTaxCodeRef),
``tax_lines`` ({TaxRate Id: amount}, outside the US), ``total_tax``, ``global_tax`` (outside
the US: TaxExcluded, TaxInclusive), ``estimates`` (an invoice's: the Estimate Ids it was made
from, its LinkedTxn), ``voided``; read only: ``total``, ``balance``.

Decisions:

* Odoo's amounts are sent, never QuickBooks' computation: each line's net amount, and the tax
  (US ``TxnTaxDetail.TotalTax``; elsewhere every rate's TaxLine), so that QuickBooks' total is
  Odoo's to the cent whatever its rounding (QBO_API.md §10 Tax). The adapter compares after the
  write.
* A discount stays visible, never folded silently: one rate on every line (the company allowing
  discounts) is QuickBooks' document discount line, when its amount is Odoo's to the cent;
  otherwise each line carries its discounted amount and unit price and says "(discount 10%)".
* Lines are all or nothing in QuickBooks: a change of any line sends them all, with the tax.
"""

from decimal import Decimal

from .common import MappingError, money, number, text

DOC_NUMBER_MAX = 21
MAX_LINES = 750
DESCRIPTION_MAX = 4000
MEMO_MAX = 1000
UNIT_PRICE_PLACES = Decimal("0.0000001")
CENT = Decimal("0.01")
# What a push compares and sends (the rest is QuickBooks' own: TotalAmt, Balance...).
HEADER_FIELDS = ("CustomerRef", "DocNumber", "TxnDate", "DueDate", "SalesTermRef", "CurrencyRef", "ExchangeRate",
                 "BillEmail", "CustomerMemo", "GlobalTaxCalculation", "ApplyTaxAfterDiscount")
READ_ONLY_KEYS = ("total", "balance")
VOIDED_NOTE = "Voided"
# US line codes (the document names the rate): not codes an Odoo tax maps to.
US_PSEUDO_CODES = ("TAX", "NON")


def _ref(value):
    return {"value": str(value)} if value else None


def _value(data, field):
    ref = data.get(field)
    return str(ref.get("value")) if isinstance(ref, dict) and ref.get("value") not in (None, "") else None


def discount_label(percent):
    """The description of a document discount (QuickBooks' discount line has none of its own)."""
    return "Discount %s%%" % number(percent) if percent is not None else "Discount"


def line_payload(line):
    """One line of mapper values as QuickBooks' Line."""
    description = text(line.get("description"))[:DESCRIPTION_MAX]
    if line.get("discount"):
        percent = line.get("percent")
        detail = {"PercentBased": percent is not None, **({"DiscountPercent": number(percent)} if percent else {})}
        return {"Amount": number(-line["amount"]), "DetailType": "DiscountLineDetail", "DiscountLineDetail": detail}
    if line.get("amount") is None:
        return {"Description": description, "DetailType": "DescriptionOnly", "DescriptionLineDetail": {}}
    detail = {"Qty": number(line["qty"]), "UnitPrice": number(line["unit_price"])}
    if line.get("item"):
        detail["ItemRef"] = _ref(line["item"])
    if line.get("tax_code"):
        detail["TaxCodeRef"] = _ref(line["tax_code"])
    if line.get("gross") is not None:
        detail["TaxInclusiveAmt"] = number(line["gross"])
    out = {"Amount": number(line["amount"]), "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}
    return {"Description": description, **out} if description else out


def document_payload(values, us):
    """The Invoice / CreditMemo payload (no Id/SyncToken) of mapper values.

    :raises MappingError: a number too long, too many lines
    """
    doc_number = text(values.get("doc_number"))
    if len(doc_number) > DOC_NUMBER_MAX:
        raise MappingError("too_long", field="DocNumber", length=len(doc_number), limit=DOC_NUMBER_MAX)
    lines = values.get("lines") or ()
    if len(lines) > MAX_LINES:
        raise MappingError("too_many_lines", count=len(lines), limit=MAX_LINES)
    payload = {
        "CustomerRef": _ref(values.get("customer")),
        "TxnDate": values.get("txn_date"),
        "DueDate": values.get("due_date"),
        "SalesTermRef": _ref(values.get("term")),
        "DocNumber": doc_number or None,
        "CurrencyRef": _ref(values.get("currency")),
        "ExchangeRate": number(values.get("exchange_rate")),
        "BillEmail": {"Address": values["bill_email"]} if values.get("bill_email") else None,
        "CustomerMemo": {"value": text(values.get("memo"))[:MEMO_MAX]} if text(values.get("memo")) else None,
        "Line": [line_payload(line) for line in lines],
        # A document discount (one rate on every line) lowers the taxable amount, as Odoo's does.
        "ApplyTaxAfterDiscount": True if any(line.get("discount") for line in lines) else None,
        "LinkedTxn": estimate_links(values.get("estimates")) or None,
    }
    total_tax = values.get("total_tax") or Decimal(0)
    if us:
        payload["TxnTaxDetail"] = {"TotalTax": number(total_tax), **(
            {"TxnTaxCodeRef": _ref(values["tax_code"])} if values.get("tax_code") else {})}
    else:
        payload["GlobalTaxCalculation"] = values.get("global_tax") or "TaxExcluded"
        payload["TxnTaxDetail"] = {"TotalTax": number(total_tax), "TaxLine": [
            {"Amount": number(amount), "DetailType": "TaxLineDetail",
             "TaxLineDetail": {"TaxRateRef": {"value": rate}, "PercentBased": True}}
            for rate, amount in sorted((values.get("tax_lines") or {}).items())]}
    return {key: value for key, value in payload.items() if value is not None}


def estimate_links(estimate_ids):
    return [{"TxnId": str(estimate_id), "TxnType": "Estimate"} for estimate_id in estimate_ids or ()]


def linked_estimates(data):
    """The Ids of the estimates a document was made from (its LinkedTxn also names payments)."""
    return id_tuple(link["TxnId"] for link in data.get("LinkedTxn") or []
                    if link.get("TxnType") == "Estimate" and link.get("TxnId"))


def id_tuple(qbo_ids):
    """QuickBooks Ids in one order (numeric strings)."""
    return tuple(sorted({str(qbo_id) for qbo_id in qbo_ids}, key=lambda qbo_id: (len(qbo_id), qbo_id)))


def document_values(data):
    """Mapper values of a QuickBooks Invoice or CreditMemo (a discount line becomes a line of
    its negative amount, without item)."""
    lines = []
    for line in data.get("Line") or []:
        kind = line.get("DetailType")
        if kind == "SalesItemLineDetail":
            detail = line.get("SalesItemLineDetail") or {}
            amount = money(line.get("Amount")) or Decimal(0)
            qty = money(detail.get("Qty"))
            price = money(detail.get("UnitPrice"))
            lines.append({
                "item": _value(detail, "ItemRef"), "description": text(line.get("Description")),
                "qty": qty if qty is not None else Decimal(1),
                "unit_price": price if price is not None else amount,
                "amount": amount, "tax_code": _value(detail, "TaxCodeRef"),
                "gross": money(detail.get("TaxInclusiveAmt"))})
        elif kind == "DescriptionOnly":
            lines.append({"item": None, "description": text(line.get("Description")), "amount": None})
        elif kind == "DiscountLineDetail":
            amount = -(money(line.get("Amount")) or Decimal(0))
            detail = line.get("DiscountLineDetail") or {}
            percent = money(detail.get("DiscountPercent")) if detail.get("PercentBased") else None
            lines.append({"item": None, "description": discount_label(percent), "qty": Decimal(1),
                          "unit_price": amount, "amount": amount, "percent": percent, "discount": True,
                          "tax_code": "TAX" if data.get("ApplyTaxAfterDiscount") else None, "gross": None})
    tax = data.get("TxnTaxDetail") or {}
    tax_lines = {}
    for tax_line in tax.get("TaxLine") or []:
        rate = _value(tax_line.get("TaxLineDetail") or {}, "TaxRateRef")
        if rate:
            tax_lines[rate] = tax_lines.get(rate, Decimal(0)) + (money(tax_line.get("Amount")) or Decimal(0))
    memo = data.get("CustomerMemo")
    return {
        "customer": _value(data, "CustomerRef"),
        "doc_number": text(data.get("DocNumber")) or None,
        "txn_date": data.get("TxnDate"),
        "due_date": data.get("DueDate") or data.get("TxnDate"),
        "term": _value(data, "SalesTermRef"),
        "currency": _value(data, "CurrencyRef"),
        "exchange_rate": money(data.get("ExchangeRate")),
        "bill_email": text((data.get("BillEmail") or {}).get("Address")) or None,
        "memo": text(memo.get("value") if isinstance(memo, dict) else memo) or None,
        "lines": tuple(lines),
        "tax_code": _value(tax, "TxnTaxCodeRef"),
        "tax_lines": tax_lines,
        "total_tax": money(tax.get("TotalTax")) or Decimal(0),
        "global_tax": data.get("GlobalTaxCalculation"),
        "estimates": linked_estimates(data),
        "voided": is_voided(data),
        "total": money(data.get("TotalAmt")) or Decimal(0),
        "balance": money(data.get("Balance")) or Decimal(0),
    }


def is_voided(data):
    """QuickBooks keeps a voided document with zero amounts and the note "Voided"."""
    return data.get("PrivateNote") == VOIDED_NOTE and not money(data.get("TotalAmt"))


def _line_key(line):
    """A line as compared: what the mapping keeps."""
    if line.get("amount") is None:
        return ("text", text(line.get("description")))
    return ("item", text(line.get("description")), (line.get("qty") or Decimal(0)).normalize(),
            _cents(line.get("amount")), line.get("tax_code") or None)


def same_lines(mine, theirs):
    """Whether two line tuples say the same (a line without item, QuickBooks' default item, is
    the same as one with any item)."""
    mine, theirs = mine or (), theirs or ()
    return len(mine) == len(theirs) and all(
        _line_key(a) == _line_key(b) and (not a.get("item") or not b.get("item") or a["item"] == b["item"])
        for a, b in zip(mine, theirs, strict=True))


def _cents(amount):
    return (amount or Decimal(0)).quantize(CENT)


def _same(key, mine, theirs, us, total_tax):
    """Whether the mapper value ``key`` says the same on both sides."""
    if key == "lines":
        return same_lines(mine, theirs)
    if key == "total_tax":
        return _cents(mine) == _cents(theirs)
    if key == "tax_lines":
        return {r: _cents(a) for r, a in (mine or {}).items() if a} == \
            {r: _cents(a) for r, a in (theirs or {}).items() if a}
    if key == "estimates":
        return tuple(mine or ()) == tuple(theirs or ())
    if key == "exchange_rate":
        return mine is None or theirs is None or mine == theirs
    if key == "doc_number":  # QuickBooks numbers what Odoo does not
        return not theirs or theirs == mine
    if key == "global_tax":
        return us or (theirs or "TaxExcluded") == (mine or "TaxExcluded")
    if key == "tax_code":  # the US document's rate, when it has tax at all
        return not us or not _cents(total_tax) or (mine or None) == (theirs or None)
    return (mine or None) == (theirs or None)


def pull_changes(current, pulled, us):
    """The mapper values of ``pulled`` that differ from ``current`` (read-only figures aside)."""
    return {key: value for key, value in pulled.items() if key not in READ_ONLY_KEYS
            and not _same(key, current.get(key), value, us, pulled.get("total_tax"))}


def changed_fields(old_payload, new_payload, header_fields=HEADER_FIELDS):
    """The sparse-update delta: changed header fields; the lines (with the tax) as a whole when
    any line or the tax changed; the estimates an invoice was made from. A cleared memo or e-mail
    is sent empty."""
    delta = {}
    estimates = linked_estimates(new_payload)
    if estimates and estimates != linked_estimates(old_payload):
        delta["LinkedTxn"] = estimate_links(estimates)
    for field in header_fields:
        before, after = old_payload.get(field), new_payload.get(field)
        if field == "ExchangeRate" and before is not None and after is not None and money(before) == money(after):
            continue
        if before == after:
            continue
        if after is not None:
            delta[field] = after
        elif field == "CustomerMemo":
            delta[field] = {"value": ""}
        elif field == "BillEmail":
            delta[field] = {"Address": ""}
    old_lines = [_payload_line_key(line) for line in old_payload.get("Line") or []]
    new_lines = [_payload_line_key(line) for line in new_payload.get("Line") or []]
    if old_lines != new_lines or _payload_tax_key(old_payload) != _payload_tax_key(new_payload):
        delta["Line"] = new_payload.get("Line") or []
        delta["TxnTaxDetail"] = new_payload.get("TxnTaxDetail") or {}
        if "GlobalTaxCalculation" in new_payload:
            delta["GlobalTaxCalculation"] = new_payload["GlobalTaxCalculation"]
    return delta


def _payload_line_key(line):
    detail = line.get("SalesItemLineDetail") or {}
    if line.get("DetailType") == "DescriptionOnly":
        return ("text", text(line.get("Description")))
    return ("item", _value(detail, "ItemRef"), text(line.get("Description")), money(detail.get("Qty")),
            _cents(money(line.get("Amount"))), _value(detail, "TaxCodeRef"),
            _cents(money(detail.get("TaxInclusiveAmt"))) if detail.get("TaxInclusiveAmt") is not None else None)


def _payload_tax_key(payload):
    tax = payload.get("TxnTaxDetail") or {}
    return (_cents(money(tax.get("TotalTax"))), _value(tax, "TxnTaxCodeRef"),
            sorted((_value(t.get("TaxLineDetail") or {}, "TaxRateRef"), _cents(money(t.get("Amount"))))
                   for t in tax.get("TaxLine") or [] if money(t.get("Amount"))))
