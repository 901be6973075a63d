"""Sales transactions: Estimate, Invoice, CreditMemo, SalesReceipt (lines, tax, totals, numbering,
links) and Payment (application to invoices and credit memos).

Builders return `(object, commit)`; `commit(stored)` performs the side effects on other records
(invoice balances, estimate status, customer balances) once the object itself is stored.
"""
from datetime import date, timedelta

from . import errors, lines, lists
from .values import ZERO, boolean, cents, dec, money, present, ref_value

INPUT_READ_ONLY = {"Payment": ("TotalAmt",)}
PRINT_STATUS = ("NotSet", "NeedToPrint", "PrintComplete")
EMAIL_STATUS = ("NotSet", "NeedToSend", "EmailSent")
TXN_STATUS = ("Pending", "Accepted", "Closed", "Rejected", "Converted")
NUMBERED_UNIQUE = ("Invoice", "SalesReceipt", "CreditMemo")     # 6140 on duplicates
COPIED = ("PrivateNote", "CustomerMemo", "ShipAddr", "ShipFromAddr", "ShipDate", "TrackingNum",
          "CustomField", "DeliveryInfo", "BillEmailCc", "BillEmailBcc", "PaymentRefNum",
          "ExpirationDate", "AcceptedBy", "AcceptedDate", "ClassRef", "DepartmentRef",
          "ShipMethodRef", "PONumber", "FOB", "TxnSource")


def _enum(obj, body, field, allowed, default):
    obj[field] = body.get(field) or default
    if obj[field] not in allowed:
        raise errors.invalid_enum(field, obj[field])


def _txn_date(body, field, default):
    value = body.get(field)
    if not value:
        return default
    try:
        date.fromisoformat(str(value)[:10])
    except ValueError:
        raise errors.invalid_value(field, f"Invalid date format for {field}: {value}", "2080",
                                   "Illegal date format") from None
    return str(value)[:10]


def check_books_open(co, *txn_dates):
    """6210 when a transaction is written on or before the books' close date
    (``AccountingInfoPrefs.BookCloseDate``), whether it is dated there now or is moved there."""
    closed = co.preference("AccountingInfoPrefs", "BookCloseDate")
    if closed and any(d and str(d)[:10] <= closed for d in txn_dates):
        raise errors.period_closed(closed)


def _currency(co, body, obj, customer):
    home = co.home_currency()
    value = ref_value(body, "CurrencyRef") or (customer or {}).get("CurrencyRef", {}).get("value") or home
    if customer and customer.get("CurrencyRef", {}).get("value", home) != value:
        raise errors.business("The currency of the transaction must match the customer's currency")
    if value != home and not co.multicurrency:
        raise errors.business(f"Multicurrency is not enabled; CurrencyRef must be {home}")
    obj["CurrencyRef"] = {"value": value, "name": co.currency_name(value)}
    rate = dec(body.get("ExchangeRate"), "ExchangeRate")
    if co.multicurrency:
        obj["ExchangeRate"] = 1 if value == home or not rate else rate


def _home(obj, amount):
    """`amount` in the home currency (multi-currency companies), at the transaction's ExchangeRate."""
    return cents(amount * dec(obj["ExchangeRate"], "ExchangeRate"))


def _deposit_to(co, body):
    """DepositToAccountRef as given, else the company's Undeposited Funds (SalesReceipt, Payment)."""
    return lists.ref(co, body, "DepositToAccountRef", "Account") or co.account_ref("Undeposited Funds")


def _invoice_links(invoice_ids):
    """An estimate's LinkedTxn: the invoices made from it, by Id."""
    return [{"TxnId": i, "TxnType": "Invoice"} for i in sorted(invoice_ids, key=int)]


def _docnumber(co, entity, body, old):
    """Auto-number when CustomTxnNumbers is off (or on AUTO_GENERATE); 6140 on duplicates."""
    given = body.get("DocNumber")
    custom = co.preference("SalesFormsPrefs", "CustomTxnNumbers")
    if given == "AUTO_GENERATE" or (not given and not custom and old is None):
        return co.next_docnumber(entity)
    if not given:
        return (old or {}).get("DocNumber") if not custom else None
    given = str(given)
    if len(given) > 21:
        raise errors.length_exceeded("DocNumber", 21)
    owner = co.docnums.get((entity, given))
    if (entity in NUMBERED_UNIQUE and owner is not None and owner != (old or {}).get("Id")
            and not co.allow_duplicate_docnum):
        raise errors.duplicate_docnum(given)
    return given


def _due_date(co, body, obj, customer, txn_date):
    term = lists.ref(co, body, "SalesTermRef", "Term")
    if term is None:
        default = (ref_value(customer or {}, "SalesTermRef")
                   or ref_value(co.preference("SalesFormsPrefs") or {}, "DefaultTerms"))
        term = {"value": default} if default and co.get("Term", default) else None
    if term:
        obj["SalesTermRef"] = {"value": term["value"]}
    days = int((co.get("Term", term["value"]) or {}).get("DueDays") or 0) if term else 0
    default_due = (date.fromisoformat(txn_date) + timedelta(days=days)).isoformat()
    obj["DueDate"] = _txn_date(body, "DueDate", default_due)


def _header(co, entity, body, old):
    """Fields common to the sales forms: customer, dates, currency, number, addresses."""
    obj = {"domain": "QBO", "sparse": False}
    if old is not None:
        obj["Id"] = old["Id"]
    cust_ref = lists.ref(co, body, "CustomerRef", "Customer", required=entity != "SalesReceipt")
    customer = co.get("Customer", cust_ref["value"]) if cust_ref else None
    if cust_ref:
        obj["CustomerRef"] = cust_ref
    obj["TxnDate"] = _txn_date(body, "TxnDate", co.clock.today())
    check_books_open(co, obj["TxnDate"], (old or {}).get("TxnDate"))
    _currency(co, body, obj, customer)
    if entity != "Payment":
        number = _docnumber(co, entity, body, old)
        if number is not None:
            obj["DocNumber"] = number
    for field in COPIED:
        if present(body, field):
            obj[field] = body[field]
    if entity != "Payment":
        obj.setdefault("CustomField", [])
    return obj, customer


def _addresses(body, obj, customer):
    for field, source in (("BillAddr", "BillAddr"), ("ShipAddr", "ShipAddr")):
        value = body.get(field) or (customer or {}).get(source)
        if value:
            obj[field] = value
    email = body.get("BillEmail") or (customer or {}).get("PrimaryEmailAddr")
    if email and email.get("Address"):
        obj["BillEmail"] = {"Address": email["Address"]}


def build_sales(entity):
    def build(co, body, old):
        obj, customer = _header(co, entity, body, old)
        _addresses(body, obj, customer)
        _enum(obj, body, "PrintStatus", PRINT_STATUS, "NotSet")
        _enum(obj, body, "EmailStatus", EMAIL_STATUS, "NotSet")
        if obj["EmailStatus"] == "NeedToSend" and "BillEmail" not in obj:
            raise errors.business("Need to send requires a BillEmail address", "6000")
        obj["ApplyTaxAfterDiscount"] = boolean(body, "ApplyTaxAfterDiscount", False)
        lines.compute(co, body, obj, old, customer)
        if co.multicurrency:
            obj["HomeTotalAmt"] = _home(obj, obj["TotalAmt"])
        SALES_EXTRAS[entity](co, body, obj, old, customer)
        return obj, lambda stored: _commit_txn(co, entity, stored, old)
    return build


def _invoice(co, body, obj, old, customer):
    _due_date(co, body, obj, customer, obj["TxnDate"])
    for flag in ("AllowIPNPayment", "AllowOnlinePayment", "AllowOnlineCreditCardPayment", "AllowOnlineACHPayment"):
        obj[flag] = boolean(body, flag, False)
    obj["Deposit"] = ZERO
    estimates = []
    for link in body.get("LinkedTxn") or []:
        if link.get("TxnType") == "Estimate":
            est = co.get("Estimate", str(link.get("TxnId")))
            if est is None:
                raise errors.invalid_reference("LinkedTxn", link.get("TxnId"))
            estimates.append({"TxnId": est["Id"], "TxnType": "Estimate"})
    obj["LinkedTxn"] = estimates
    _apply_balance(co, "Invoice", obj)


def _estimate(co, body, obj, old, customer):
    _due_date(co, body, obj, customer, obj["TxnDate"]) if present(body, "DueDate") else None
    linked = co.links.get(("Estimate", obj.get("Id")), set())
    _enum(obj, body, "TxnStatus", TXN_STATUS, "Closed" if linked else "Pending")
    obj["LinkedTxn"] = _invoice_links(linked)


def _credit_memo(co, body, obj, old, customer):
    _apply_balance(co, "CreditMemo", obj)


def _sales_receipt(co, body, obj, old, customer):
    obj["Balance"] = ZERO
    obj["DepositToAccountRef"] = _deposit_to(co, body)
    pm = lists.ref(co, body, "PaymentMethodRef", "PaymentMethod")
    if pm:
        obj["PaymentMethodRef"] = pm


def _apply_balance(co, entity, obj):
    """Balance (and RemainingCredit) = total minus what payments applied to it."""
    used = sum(co.applied.get((entity, obj.get("Id")), {}).values(), ZERO)
    if used > obj["TotalAmt"]:
        raise errors.business(f"The {entity} total cannot be less than the {used} already applied to it")
    obj["Balance"] = obj["TotalAmt"] - used
    if entity == "CreditMemo":
        obj["RemainingCredit"] = obj["Balance"]
    else:
        obj["LinkedTxn"] = obj.get("LinkedTxn", []) + [
            {"TxnId": src_id, "TxnType": src} for src, src_id in co.applied.get((entity, obj.get("Id")), {})]
    if co.multicurrency:
        obj["HomeBalance"] = _home(obj, obj["Balance"])


SALES_EXTRAS = {"Invoice": _invoice, "Estimate": _estimate, "CreditMemo": _credit_memo,
                "SalesReceipt": _sales_receipt}


def _commit_txn(co, entity, stored, old):
    """After storing a sales form: number index, estimate links, customer balance."""
    if old is not None and old.get("DocNumber"):
        co.docnums.pop((entity, old["DocNumber"]), None)
    if stored.get("DocNumber"):
        co.docnums.setdefault((entity, stored["DocNumber"]), stored["Id"])
    if entity == "Invoice":
        before = {link["TxnId"] for link in (old or {}).get("LinkedTxn", []) if link["TxnType"] == "Estimate"}
        after = {link["TxnId"] for link in stored["LinkedTxn"] if link["TxnType"] == "Estimate"}
        for est_id in before ^ after:
            _link_estimate(co, est_id, stored["Id"], est_id in after)
    adjust_customer(co, old, stored)


def _link_estimate(co, est_id, inv_id, add):
    links = co.links.setdefault(("Estimate", est_id), set())
    links.add(inv_id) if add else links.discard(inv_id)
    est = co.get("Estimate", est_id)
    if est is None:
        return
    est = dict(est, LinkedTxn=_invoice_links(links), TxnStatus="Closed" if links else "Pending")
    co.replace("Estimate", est)


# --- Payment --------------------------------------------------------------------------------

def build_payment(co, body, old):
    obj, customer = _header(co, "Payment", body, old)
    total = money(body.get("TotalAmt"), "TotalAmt")
    if total is None:
        raise errors.required("TotalAmt")
    if total < 0:
        raise errors.business("Payment TotalAmt cannot be negative")
    obj["TotalAmt"] = total
    for field, target in (("PaymentMethodRef", "PaymentMethod"), ("ARAccountRef", "Account")):
        r = lists.ref(co, body, field, target)
        if r:
            obj[field] = r
    obj["DepositToAccountRef"] = _deposit_to(co, body)
    obj["Line"], applied = _payment_lines(co, body, obj, old)
    net = sum((a if kind == "Invoice" else -a for (kind, _), a in applied.items()), ZERO)
    if net > total:
        raise errors.business(f"The amount applied ({net}) is more than the payment total ({total})")
    obj["UnappliedAmt"] = total - net
    obj["ProcessPayment"] = False
    if co.multicurrency:
        obj["HomeTotalAmt"] = _home(obj, total)
    return obj, lambda stored: _commit_payment(co, stored, old, applied)


def _payment_lines(co, body, obj, old):
    """Each line applies `Amount` to the invoices / credit memos of its LinkedTxn."""
    out, applied = [], {}
    mine = ("Payment", (old or {}).get("Id"))
    for line in body.get("Line") or []:
        amount = money(line.get("Amount"), "Line.Amount")
        if amount is None:
            raise errors.required("Line.Amount")
        links = []
        for link in line.get("LinkedTxn") or []:
            kind, txn_id = link.get("TxnType"), str(link.get("TxnId"))
            if kind not in ("Invoice", "CreditMemo"):
                raise errors.invalid_enum("LinkedTxn.TxnType", kind)
            target = co.get(kind, txn_id)
            if target is None:
                raise errors.not_found()
            if target.get("CustomerRef", {}).get("value") != obj["CustomerRef"]["value"]:
                continue  # another customer's: not applied, the amount stays unapplied (QBO_API.md §10)
            open_amount = target["Balance"] + co.applied.get((kind, txn_id), {}).get(mine, ZERO)
            if amount + applied.get((kind, txn_id), ZERO) > open_amount:
                raise errors.business(f"The payment amount exceeds the open balance of {kind} {txn_id}")
            applied[(kind, txn_id)] = applied.get((kind, txn_id), ZERO) + amount
            links.append({"TxnId": txn_id, "TxnType": kind})
        if links:
            out.append({"Amount": amount, "LinkedTxn": links})
    return out, applied


def _commit_payment(co, stored, old, applied):
    key = ("Payment", stored["Id"])
    touched = set(applied)
    for target, sources in co.applied.items():
        if sources.pop(key, None) is not None:
            touched.add(target)
    for target, amount in applied.items():
        co.applied.setdefault(target, {})[key] = amount
    for kind, txn_id in sorted(touched):
        rebalance(co, kind, txn_id)
    adjust_customer(co, old, stored)


def rebalance(co, kind, txn_id):
    """Recompute an invoice's / credit memo's Balance after payments changed (SyncToken+1)."""
    current = co.get(kind, txn_id)
    if current is None:
        return
    obj = dict(current)
    if kind == "Invoice":
        obj["LinkedTxn"] = [link for link in obj["LinkedTxn"] if link["TxnType"] != "Payment"]
    _apply_balance(co, kind, obj)
    co.replace(kind, obj)
    adjust_customer(co, current, obj)


def _contribution(obj):
    """What a transaction adds to its customer's open balance."""
    if obj is None or "CustomerRef" not in obj:
        return None, ZERO
    if "RemainingCredit" in obj:
        amount = -obj["RemainingCredit"]
    elif "UnappliedAmt" in obj:
        amount = -obj["UnappliedAmt"]
    elif "DueDate" in obj and "Balance" in obj and "TxnStatus" not in obj:
        amount = obj["Balance"]
    else:
        amount = ZERO
    return obj["CustomerRef"]["value"], amount


def adjust_customer(co, old, new):
    """Keep Customer.Balance / BalanceWithJobs in step (read-only fields: no SyncToken change)."""
    for obj, sign in ((old, -1), (new, 1)):
        cust_id, amount = _contribution(obj)
        if not amount:
            continue
        customer = co.get("Customer", cust_id)
        first = True
        while customer is not None:
            changed = dict(customer, BalanceWithJobs=customer["BalanceWithJobs"] + sign * amount)
            if first:
                changed["Balance"] = customer["Balance"] + sign * amount
            co.replace("Customer", changed, bump=False)
            first = False
            customer = co.get("Customer", ref_value(customer, "ParentRef") or "")


# --- Deposit --------------------------------------------------------------------------------

DEPOSITABLE = ("Payment", "SalesReceipt")


def build_deposit(co, body, old):
    """A bank deposit of payments / sales receipts held in Undeposited Funds: each line names one
    (LinkedTxn) for its whole amount. Once deposited, they cannot change (6540)."""
    obj = {"domain": "QBO", "sparse": False}
    if old is not None:
        obj["Id"] = old["Id"]
    obj["TxnDate"] = _txn_date(body, "TxnDate", co.clock.today())
    check_books_open(co, obj["TxnDate"], (old or {}).get("TxnDate"))
    obj["DepositToAccountRef"] = lists.ref(co, body, "DepositToAccountRef", "Account", required=True)
    obj["CurrencyRef"] = {"value": co.home_currency(), "name": co.currency_name(co.home_currency())}
    for field in ("PrivateNote",):
        if present(body, field):
            obj[field] = body[field]
    out, taken = [], set()
    mine = (old or {}).get("Id")
    for line in body.get("Line") or []:
        links = line.get("LinkedTxn") or []
        if len(links) != 1 or links[0].get("TxnType") not in DEPOSITABLE:
            raise errors.business("Each deposit line must link one Payment or SalesReceipt", "6000")
        kind, txn_id = links[0]["TxnType"], str(links[0].get("TxnId"))
        target = co.get(kind, txn_id)
        if target is None:
            raise errors.invalid_reference("LinkedTxn", txn_id)
        if co.deposited.get((kind, txn_id)) not in (None, mine) or (kind, txn_id) in taken:
            raise errors.business(f"{kind} {txn_id} is already deposited", "6000")
        amount = target["TotalAmt"]
        taken.add((kind, txn_id))
        out.append({"Amount": amount, "LinkedTxn": [{"TxnId": txn_id, "TxnType": kind, "TxnLineId": "0"}],
                    "DetailType": "DepositLineDetail", "DepositLineDetail": {}})
    if not out:
        raise errors.required("Line")
    obj["Line"] = out
    obj["TotalAmt"] = sum((line["Amount"] for line in out), ZERO)

    def commit(stored):
        _release_deposit(co, stored["Id"])
        for kind, txn_id in taken:
            co.deposited[(kind, txn_id)] = stored["Id"]
    return obj, commit


def _release_deposit(co, deposit_id):
    for key in [key for key, owner in co.deposited.items() if owner == deposit_id]:
        del co.deposited[key]


# --- delete and void ------------------------------------------------------------------------

def before_delete(co, entity, old):
    """Validate a delete; return what to do once the object is gone."""
    check_books_open(co, old.get("TxnDate"))
    if entity in ("Invoice", "CreditMemo") and co.applied.get((entity, old["Id"])):
        raise errors.business(f"This {entity} has payments applied; delete or unlink them first")

    def commit():
        if entity == "Deposit":
            _release_deposit(co, old["Id"])
            return
        if entity == "Payment":
            _commit_payment(co, {"Id": old["Id"]}, old, {})
            return
        if old.get("DocNumber"):
            co.docnums.pop((entity, old["DocNumber"]), None)
        for link in old.get("LinkedTxn", []):
            if entity == "Invoice" and link["TxnType"] == "Estimate":
                _link_estimate(co, link["TxnId"], old["Id"], False)
        adjust_customer(co, old, None)
    return commit


def build_void(co, entity, old):
    """Void keeps the document with zero amounts and PrivateNote 'Voided' (fixtures)."""
    check_books_open(co, old.get("TxnDate"))
    if entity in ("Invoice", "CreditMemo") and co.applied.get((entity, old["Id"])):
        raise errors.business(f"This {entity} has payments applied; unlink them before voiding")
    obj = dict(old, PrivateNote="Voided", TotalAmt=ZERO)
    obj["Line"] = [lines.zeroed(line) for line in old.get("Line", [])]
    if entity == "Payment":
        obj["UnappliedAmt"] = ZERO
        return obj, lambda stored: _commit_payment(co, stored, old, {})
    obj["TxnTaxDetail"] = {"TotalTax": ZERO}
    obj["Balance"] = ZERO
    if entity == "CreditMemo":
        obj["RemainingCredit"] = ZERO
    for key in ("HomeTotalAmt", "HomeBalance"):
        if key in obj:
            obj[key] = ZERO
    return obj, lambda stored: adjust_customer(co, old, stored)


BUILDERS = {"Estimate": build_sales("Estimate"), "Invoice": build_sales("Invoice"),
            "CreditMemo": build_sales("CreditMemo"), "SalesReceipt": build_sales("SalesReceipt"),
            "Payment": build_payment, "Deposit": build_deposit}
