"""Customer payments ⇄ QuickBooks Payment: pure functions, no ORM (docs/ENGINE.md §9d).

Mapper values (one shape for Odoo's side and QuickBooks'; money is Decimal):

``customer`` (Customer Id), ``txn_date`` (ISO date), ``total`` (the amount received),
``currency``, ``exchange_rate`` (None outside multi-currency), ``number`` (PaymentRefNum: Odoo's
payment number, upload only), ``memo`` (PrivateNote), ``deposit_account`` (Account Id or None:
QuickBooks' Undeposited Funds), ``method`` (PaymentMethod Id or None), ``applied`` (a sorted
tuple of ``(TxnType, TxnId, amount)``: what the payment pays of each invoice, and the credit
memos it uses), ``voided``; read only:
``unapplied`` (QuickBooks' UnappliedAmt: the customer's credit).

Decisions:

* What the payment applies is the reconciliation in Odoo and the lines in QuickBooks: one line
  per document, its amount exact; the rest of the payment is QuickBooks' unapplied amount,
  Odoo's outstanding credit. Lines are all or nothing on update, as QuickBooks requires.
* A voided payment is kept by QuickBooks with zero amounts and the note "Voided".
"""

from decimal import Decimal

from .common import MappingError, money, number, text
from .invoice import CENT, VOIDED_NOTE, _ref, _value

REF_NUM_MAX = 21
MEMO_MAX = 4000
DOCUMENT_TYPES = ("Invoice", "CreditMemo")
HEADER_FIELDS = ("CustomerRef", "TxnDate", "TotalAmt", "CurrencyRef", "ExchangeRate", "PaymentRefNum",
                 "PrivateNote", "DepositToAccountRef", "PaymentMethodRef")
READ_ONLY_KEYS = ("unapplied", "number")


def cents(amount):
    return (amount or Decimal(0)).quantize(CENT)


def applied_lines(pairs):
    """The ``applied`` value of ``[(TxnType, TxnId, amount)]``: one entry per document, summed,
    without zero amounts, sorted."""
    out = {}
    for kind, txn_id, amount in pairs:
        out[(kind, str(txn_id))] = out.get((kind, str(txn_id)), Decimal(0)) + amount
    return tuple(sorted((kind, txn_id, cents(amount)) for (kind, txn_id), amount in out.items() if cents(amount)))


def payment_payload(values):
    """The Payment payload (no Id/SyncToken) of mapper values.

    :raises MappingError: a negative amount, more applied than received
    """
    total = cents(values.get("total"))
    if total < 0:
        raise MappingError("not_a_number", value=str(total))
    applied = values.get("applied") or ()
    net = sum((amount if kind == "Invoice" else -amount for kind, _txn, amount in applied), Decimal(0))
    if net > total:
        raise MappingError("over_applied", applied=number(net), total=number(total))
    memo = text(values.get("memo"))
    payload = {
        "CustomerRef": _ref(values.get("customer")),
        "TxnDate": values.get("txn_date"),
        "TotalAmt": number(total),
        "CurrencyRef": _ref(values.get("currency")),
        "ExchangeRate": number(values.get("exchange_rate")),
        "PaymentRefNum": text(values.get("number"))[:REF_NUM_MAX] or None,
        "PrivateNote": memo[:MEMO_MAX] or None,
        "DepositToAccountRef": _ref(values.get("deposit_account")),
        "PaymentMethodRef": _ref(values.get("method")),
        "Line": [{"Amount": number(amount), "LinkedTxn": [{"TxnId": txn_id, "TxnType": kind}]}
                 for kind, txn_id, amount in applied],
    }
    return {key: value for key, value in payload.items() if value is not None}


def payment_values(data):
    """Mapper values of a QuickBooks Payment."""
    pairs = []
    for line in data.get("Line") or []:
        amount = money(line.get("Amount")) or Decimal(0)
        for link in line.get("LinkedTxn") or []:
            if link.get("TxnType") in DOCUMENT_TYPES and link.get("TxnId"):
                pairs.append((link["TxnType"], str(link["TxnId"]), amount))
    voided = is_voided(data)
    return {
        "customer": _value(data, "CustomerRef"),
        "txn_date": data.get("TxnDate"),
        "total": money(data.get("TotalAmt")) or Decimal(0),
        "currency": _value(data, "CurrencyRef"),
        "exchange_rate": money(data.get("ExchangeRate")),
        "number": text(data.get("PaymentRefNum")) or None,
        # Odoo has one memo: QuickBooks' note, else its reference number.
        "memo": None if voided else text(data.get("PrivateNote")) or text(data.get("PaymentRefNum")) or None,
        "deposit_account": _value(data, "DepositToAccountRef"),
        "method": _value(data, "PaymentMethodRef"),
        "applied": applied_lines(pairs),
        "voided": voided,
        "unapplied": money(data.get("UnappliedAmt")) or Decimal(0),
    }


def is_voided(data):
    return data.get("PrivateNote") == VOIDED_NOTE and not money(data.get("TotalAmt"))


def _same(key, mine, theirs):
    if key == "total":
        return cents(mine) == cents(theirs)
    if key == "exchange_rate":
        return mine is None or theirs is None or mine == theirs
    if key in ("deposit_account", "method"):  # Odoo without a mapped one: QuickBooks' choice stands
        return not mine or mine == theirs
    return (mine or None) == (theirs or None)


def pull_changes(current, pulled):
    """The mapper values of ``pulled`` that differ from ``current`` (read-only figures aside)."""
    return {key: value for key, value in pulled.items()
            if key not in READ_ONLY_KEYS and not _same(key, current.get(key), value)}


def changed_fields(old_payload, new_payload):
    """The sparse-update delta: changed header fields, the lines as a whole when any changed."""
    delta = {}
    for field in HEADER_FIELDS:
        before, after = old_payload.get(field), new_payload.get(field)
        if field in ("ExchangeRate", "TotalAmt") and before is not None and after is not None \
                and money(before) == money(after):
            continue
        if before != after and after is not None:
            delta[field] = after
        elif before != after and field == "PrivateNote":
            delta[field] = ""
    if _lines_key(old_payload) != _lines_key(new_payload):
        delta["Line"] = new_payload.get("Line") or []
    return delta


def _lines_key(payload):
    return sorted((link.get("TxnType"), str(link.get("TxnId")), cents(money(line.get("Amount"))))
                  for line in payload.get("Line") or [] for link in line.get("LinkedTxn") or [])
