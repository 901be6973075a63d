"""Quotations and orders (``sale.order``) ⇄ QuickBooks Estimate: pure functions, no ORM.

An estimate is a sales document (``invoice.py``: customer, number, lines, discounts, taxes, memo)
with its own header: ``expiration_date`` (ExpirationDate ⇄ the quotation's validity),
``status`` (TxnStatus) and, read from QuickBooks, ``accepted_by`` and ``accepted_date``. It has
no due date and no terms of payment, and is never voided (QuickBooks voids only what posts):
a cancelled order is a Rejected estimate.

Status both ways (``STATUS_OF_STATE``, ``order_status``): a quotation (draft, sent) is Pending,
a confirmed order Accepted, a fully invoiced order Closed, a cancelled one Rejected.
"""

from . import invoice as invoice_mapper
from .common import text

PENDING, ACCEPTED, CLOSED, REJECTED = "Pending", "Accepted", "Closed", "Rejected"
STATUSES = (PENDING, ACCEPTED, CLOSED, REJECTED)
ACCEPTED_BY_MAX = 100
# What an estimate's header sends and compares besides the sales documents' own fields.
HEADER_FIELDS = tuple(f for f in invoice_mapper.HEADER_FIELDS if f not in ("DueDate", "SalesTermRef")) + (
    "ExpirationDate", "TxnStatus", "AcceptedBy", "AcceptedDate")
READ_ONLY_KEYS = ("accepted_by", "accepted_date")
NOT_ESTIMATE_KEYS = ("due_date", "term", "estimates", "voided")


def order_status(state, fully_invoiced):
    """QuickBooks' TxnStatus of an Odoo order in ``state``."""
    if state == "cancel":
        return REJECTED
    if state == "sale":
        return CLOSED if fully_invoiced else ACCEPTED
    return PENDING


def estimate_payload(values, us):
    """The Estimate payload (no Id/SyncToken) of mapper values.

    :raises MappingError: a number too long, too many lines
    """
    payload = invoice_mapper.document_payload({k: v for k, v in values.items() if k not in NOT_ESTIMATE_KEYS}, us)
    extra = {
        "ExpirationDate": values.get("expiration_date"),
        "TxnStatus": values.get("status") or PENDING,
        "AcceptedBy": text(values.get("accepted_by"))[:ACCEPTED_BY_MAX] or None,
        "AcceptedDate": values.get("accepted_date"),
    }
    payload.update({key: value for key, value in extra.items() if value is not None})
    return payload


def estimate_values(data):
    """Mapper values of a QuickBooks Estimate."""
    values = {k: v for k, v in invoice_mapper.document_values(data).items() if k not in NOT_ESTIMATE_KEYS}
    status = data.get("TxnStatus")
    values.update({
        "expiration_date": data.get("ExpirationDate") or None,
        # "Converted" (an older name of Closed, EST-REF) and unknown values read as what they do.
        "status": status if status in STATUSES else CLOSED if status == "Converted" else PENDING,
        "accepted_by": text(data.get("AcceptedBy")) or None,
        "accepted_date": data.get("AcceptedDate") or None,
    })
    return values


def pull_changes(current, pulled, us):
    """The mapper values of ``pulled`` that differ from ``current`` (QuickBooks' own figures aside)."""
    changes = invoice_mapper.pull_changes(current, {k: v for k, v in pulled.items() if k not in READ_ONLY_KEYS}, us)
    if changes.get("status") == CLOSED and current.get("status") == ACCEPTED:
        # Closed in QuickBooks when converted there: Odoo's order is confirmed already, and is
        # invoiced when the invoice comes down.
        del changes["status"]
    return changes


def changed_fields(old_payload, new_payload):
    """The sparse-update delta (``invoice.changed_fields`` with an estimate's header)."""
    return invoice_mapper.changed_fields(old_payload, new_payload, HEADER_FIELDS)
