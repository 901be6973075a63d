"""Sales-form lines and totals: line Ids/LineNum, SubTotalLine, discount, TxnTaxDetail, TotalAmt.

US companies: line TaxCodeRef is TAX/NON and TxnTaxDetail.TxnTaxCodeRef picks the combined rate.
Other countries: every line names a TaxCode Id; one TaxLine per rate, GlobalTaxCalculation
TaxExcluded | TaxInclusive | NotApplicable. Amounts are Decimal, rounded half-up to cents.

Tax is rounded as the company's region does (QBO_API.md §10 Tax): line by line then summed
(``co.tax_rounding == "line"``, QuickBooks Canada) or once per rate on the sum of the lines
("total"). A tax given by the request is kept: US ``TxnTaxDetail.TotalTax`` (prorated over the
rates, as automated sales tax does), elsewhere the ``TaxLine`` amounts per TaxRateRef.
"""
from . import errors, lists
from .values import ZERO, cents, dec, money, present

DETAIL_TYPES = ("SalesItemLineDetail", "DiscountLineDetail", "DescriptionOnly", "SubTotalLineDetail")
GLOBAL_TAX = ("TaxExcluded", "TaxInclusive", "NotApplicable")
HUNDRED = dec(100, "x")
MAX_LINES = 750  # lines of a taxable sales form (QBO_API.md §10)


def compute(co, body, obj, old, customer):
    raw = body.get("Line")
    if not isinstance(raw, list):
        raise errors.required("Line") if raw is None else errors.bad_request("Line must be a list")
    if len(raw) > MAX_LINES:
        raise errors.business(f"A transaction can have at most {MAX_LINES} lines; this one has {len(raw)}.")
    old_ids = [int(line["Id"]) for line in (old or {}).get("Line", []) if str(line.get("Id", "")).isdigit()]
    next_id = max(old_ids, default=0)
    known = {str(i) for i in old_ids}
    items, discount, out = [], None, []
    us = co.country == "US"
    for line in raw:
        if not isinstance(line, dict):
            raise errors.bad_request("Each Line must be an object")
        kind = line.get("DetailType")
        if kind not in DETAIL_TYPES:
            raise errors.required("Line.DetailType") if not kind else errors.invalid_enum("DetailType", kind)
        if kind == "SubTotalLineDetail":
            continue   # QuickBooks computes the subtotal line itself
        if kind == "DiscountLineDetail":
            if discount is not None:
                raise errors.business("Only one discount line is allowed per transaction")
            discount = line
            continue
        line_id = str(line.get("Id")) if str(line.get("Id")) in known else None
        if line_id is None:
            next_id += 1
            line_id = str(next_id)
        built = (_item_line if kind == "SalesItemLineDetail" else _description_line)(co, line, us, customer)
        out.append(dict({"Id": line_id, "LineNum": len(out) + 1}, **built))
        if kind == "SalesItemLineDetail":
            items.append(built)
    if not items:
        raise errors.required("Line")
    subtotal = sum((line["Amount"] for line in items), ZERO)
    out.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
    disc_amount = ZERO
    if discount is not None:
        disc_line = _discount_line(co, discount, subtotal)
        disc_amount = disc_line["Amount"]
        out.append(disc_line)
    obj["Line"] = out
    after = obj["ApplyTaxAfterDiscount"]
    factor = (subtotal - disc_amount) / subtotal if after and subtotal else 1
    tax = _us_tax(co, body, items, factor) if us else _global_tax(co, body, obj, items, factor)
    obj["TxnTaxDetail"] = tax
    # Line amounts are net of tax in every mode (TaxInclusiveAmt carries the gross of a line).
    obj["TotalAmt"] = subtotal - disc_amount + tax["TotalTax"]


def _item_line(co, line, us, customer):
    detail = line.get("SalesItemLineDetail") or {}
    item = lists.ref(co, detail, "ItemRef", "Item") or co.default_item_ref()
    qty, price = dec(detail.get("Qty"), "Qty"), dec(detail.get("UnitPrice"), "UnitPrice")
    amount = money(line.get("Amount"))
    if amount is None:
        if qty is None or price is None:
            raise errors.required("Line.Amount")
        amount = cents(qty * price)
    out = {"ItemRef": item}
    for key, value in (("UnitPrice", price), ("Qty", qty)):
        if value is not None:
            out[key] = value
    for key in ("ServiceDate", "ClassRef", "ItemAccountRef", "TaxInclusiveAmt", "DiscountAmt"):
        if present(detail, key) and detail[key] != 0:
            out[key] = detail[key]
    out["TaxCodeRef"] = {"value": _line_tax_code(co, detail, item, us, customer)}
    built = {"Amount": amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": out}
    if present(line, "Description"):
        built = {"Description": line["Description"], **built}
    return built


def _line_tax_code(co, detail, item_ref, us, customer):
    value = (detail.get("TaxCodeRef") or {}).get("value")
    item = co.get("Item", item_ref["value"]) or {}
    if us:
        if value in ("TAX", "NON"):
            return value
        if value:
            raise errors.invalid_reference("TaxCodeRef", value)
        taxable = item.get("Taxable") and (customer or {}).get("Taxable", True)
        return "TAX" if taxable else "NON"
    value = value or (item.get("SalesTaxCodeRef") or {}).get("value") or \
        ((customer or {}).get("DefaultTaxCodeRef") or {}).get("value")
    if not value:
        raise errors.business("Make sure all your transactions have a GST/HST rate before you save.")
    lists.ref(co, {"TaxCodeRef": {"value": value}}, "TaxCodeRef", "TaxCode")
    return str(value)


def _description_line(co, line, us, customer):
    return {"Description": line.get("Description", ""), "DetailType": "DescriptionOnly",
            "DescriptionLineDetail": line.get("DescriptionLineDetail") or {}}


def _discount_line(co, line, subtotal):
    if not co.preference("SalesFormsPrefs", "AllowDiscount"):
        raise errors.business("Discounts are turned off in this company (SalesFormsPrefs.AllowDiscount)")
    detail = line.get("DiscountLineDetail") or {}
    percent_based = bool(detail.get("PercentBased"))
    out = {"PercentBased": percent_based}
    if percent_based:
        percent = dec(detail.get("DiscountPercent"), "DiscountPercent")
        if percent is None:
            raise errors.required("DiscountPercent")
        out["DiscountPercent"] = percent
        amount = cents(subtotal * percent / HUNDRED)
    else:
        amount = money(line.get("Amount"))
        if amount is None:
            raise errors.required("Line.Amount")
    if amount < 0 or amount > subtotal:
        raise errors.business("The discount cannot be negative or more than the subtotal")
    account = lists.ref(co, detail, "DiscountAccountRef", "Account") or co.discount_account_ref()
    out["DiscountAccountRef"] = account
    return {"Amount": amount, "DetailType": "DiscountLineDetail", "DiscountLineDetail": out}


def _rate_lines(co, code_id, nets):
    """One TaxLine per rate of a TaxCode's SalesTaxRateList on the line amounts ``nets``: each
    line's tax rounded then summed, or the sum's tax rounded once (``co.tax_rounding``)."""
    code = co.get("TaxCode", code_id) or {}
    out = []
    for detail in (code.get("SalesTaxRateList") or {}).get("TaxRateDetail", []):
        rate = co.get("TaxRate", detail["TaxRateRef"]["value"])
        percent = dec(rate.get("RateValue", 0), "RateValue")
        if co.tax_rounding == "line":
            amount = sum((cents(net * percent / HUNDRED) for net in nets), ZERO)
        else:
            amount = cents(sum(nets, ZERO) * percent / HUNDRED)
        out.append({"Amount": amount, "DetailType": "TaxLineDetail",
                    "TaxLineDetail": {"TaxRateRef": {"value": rate["Id"]}, "PercentBased": True,
                                      "TaxPercent": percent, "NetAmountTaxable": cents(sum(nets, ZERO))}})
    return out


def _given_tax(given):
    """The request's TotalTax (Decimal) and {TaxRateRef: Amount} of its TaxLines, if any."""
    total = money(given.get("TotalTax"), "TotalTax") if present(given, "TotalTax") else None
    lines_ = {}
    for line in given.get("TaxLine") or []:
        rate = ((line.get("TaxLineDetail") or {}).get("TaxRateRef") or {}).get("value")
        amount = money(line.get("Amount"), "TaxLine.Amount")
        if rate is None or amount is None:
            raise errors.required("TaxLine.TaxLineDetail.TaxRateRef" if rate is None else "TaxLine.Amount")
        lines_[str(rate)] = lines_.get(str(rate), ZERO) + amount
    return total, lines_


def _us_tax(co, body, items, factor):
    taxable = [line["Amount"] * factor for line in items
               if line["SalesItemLineDetail"]["TaxCodeRef"]["value"] == "TAX"]
    given = body.get("TxnTaxDetail") or {}
    code = lists.ref(co, given, "TxnTaxCodeRef", "TaxCode")
    code_id = code["value"] if code else None
    if code_id is None and taxable:
        code_id = ((co.preference("TaxPrefs") or {}).get("TaxGroupCodeRef") or {}).get("value")
    total, _lines = _given_tax(given)
    if code_id is None:
        if total:
            raise errors.business("A sales tax amount needs a taxable line and a tax rate.")
        return {"TotalTax": ZERO}
    tax_lines = _rate_lines(co, code_id, taxable)
    if total is not None:
        _prorate(tax_lines, total)
    return {"TxnTaxCodeRef": {"value": code_id},
            "TotalTax": sum((t["Amount"] for t in tax_lines), ZERO), "TaxLine": tax_lines}


def _prorate(tax_lines, total):
    """Spread an overridden US total over the rates as computed (the last takes the rest)."""
    computed = sum((t["Amount"] for t in tax_lines), ZERO)
    left = total
    for i, line in enumerate(tax_lines):
        share = left if i == len(tax_lines) - 1 else (
            cents(total * line["Amount"] / computed) if computed else ZERO)
        line["Amount"], left = share, left - share


def _global_tax(co, body, obj, items, factor):
    mode = body.get("GlobalTaxCalculation") or "TaxExcluded"
    if mode not in GLOBAL_TAX:
        raise errors.invalid_enum("GlobalTaxCalculation", mode)
    obj["GlobalTaxCalculation"] = mode
    if mode == "NotApplicable":
        return {"TotalTax": ZERO}
    nets = {}
    for line in items:
        code = line["SalesItemLineDetail"]["TaxCodeRef"]["value"]
        nets.setdefault(code, []).append(line["Amount"] * factor)
    tax_lines = []
    for code, amounts in nets.items():
        tax_lines += _rate_lines(co, code, amounts)
    total, given = _given_tax(body.get("TxnTaxDetail") or {})
    if given:
        rates = {t["TaxLineDetail"]["TaxRateRef"]["value"] for t in tax_lines}
        unknown = sorted(set(given) - rates)
        if unknown:
            raise errors.business(f"TaxRateRef {', '.join(unknown)} is not a rate of this transaction's tax codes.")
        shares = {}  # a rate in several codes: the override spread over its lines, the last the rest
        for line in tax_lines:
            shares.setdefault(line["TaxLineDetail"]["TaxRateRef"]["value"], []).append(line)
        for rate, rate_lines in shares.items():
            if rate in given:
                rate_lines[0]["Amount"] = given[rate]
                for line in rate_lines[1:]:
                    line["Amount"] = ZERO
    computed = sum((t["Amount"] for t in tax_lines), ZERO)
    if total is not None and given and total != computed:
        raise errors.business(f"TotalTax {total} is not the sum of the TaxLine amounts ({computed}).")
    return {"TotalTax": computed, "TaxLine": tax_lines}


def zeroed(line):
    """A voided line: amount 0; item lines keep ItemRef/TaxCodeRef, quantities drop to 0."""
    out = dict(line, Amount=ZERO) if "Amount" in line else dict(line)
    detail = line.get("SalesItemLineDetail")
    if detail is not None:
        out["SalesItemLineDetail"] = dict(detail, **{k: ZERO for k in ("Qty", "UnitPrice") if k in detail})
    return out
