"""Pure helpers of the QuickBooks client: request checks, query literals, reply parsing.

No HTTP and no python-quickbooks here (``qbo_client`` sends the requests): what is here can be
tested and reused without a server.
"""

import re
from datetime import datetime, timezone

from .. import const
from .qbo_errors import QBONotFoundError, QBOTransportError, QBOValidationError, error_from_fault

BATCH_LIMIT = 30
BATCH_OPERATIONS = ("create", "update", "delete")
# ir.config_parameter: read timeout (seconds) of API calls; tests and slow links shorten/lengthen it.
PARAM_API_TIMEOUT = "quickbooks_online.api_timeout"
_ENTITY_NAME = re.compile(r"[A-Za-z]+\Z")


def qbo_value(value):
    """``value`` as a QuickBooks query literal: strings quoted with ``\\`` escapes, booleans
    ``true``/``false``, numbers quoted (``TotalAmt > '10.5'``), datetimes with their offset
    (naive = UTC), lists and tuples as ``(a, b)`` for ``IN``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_list(value):
        return "(" + ", ".join(qbo_value(v) for v in value) + ")"
    if isinstance(value, datetime):
        value = iso_with_offset(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def select_statement(entity, where=None):
    """``SELECT * FROM <entity> [WHERE …]``; ``where`` is a condition string or a dict
    ``{field: value}`` (values quoted by ``qbo_value``, lists as ``IN``) joined with AND."""
    if isinstance(where, dict):
        where = " AND ".join(f"{field} {'IN' if _is_list(v) else '='} {qbo_value(v)}" for field, v in where.items())
    # Not SQL: a QuickBooks statement; the entity name is checked, values quoted by qbo_value.
    return f"SELECT * FROM {entity_name(entity)}" + (f" WHERE {where}" if where else "")  # noqa: S608


def iso_with_offset(moment):
    """ISO 8601 with its offset (naive = UTC, Odoo's convention): QuickBooks reads a time
    without offset in the company's zone."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat(timespec="seconds")


def server_time(text):
    """QuickBooks' reply ``time`` as an aware UTC datetime (now when absent or unreadable)."""
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc)
    except (TypeError, ValueError):
        return datetime.now(timezone.utc)


def api_timeout(value):
    """Parse the ``quickbooks_online.api_timeout`` parameter (read timeout in seconds).

    :return: ``(connect, read)`` for ``QBOClient(timeout=…)``, or None when unset or not a
        positive number (then ``const.TIMEOUT_API`` applies)
    """
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    return (min(const.TIMEOUT_API[0], seconds), seconds)


def entity_name(entity):
    """``entity`` checked: it goes into URLs and statements.

    :raises ValueError: when it is not a bare name such as ``Customer``
    """
    if not isinstance(entity, str) or not _ENTITY_NAME.match(entity):
        raise ValueError(f"{entity!r} is not a QuickBooks entity name")
    return entity


def request_id(value, limit):
    """``value`` checked as a ``requestid`` (QuickBooks: ≤ 50 chars, ≤ 36 for a batch).

    :raises ValueError: when empty or too long
    """
    if not value or len(str(value)) > limit:
        raise ValueError(f"A write needs a request_id of 1 to {limit} characters")
    return str(value)


def check_batch(items):
    """Return ``{bId: (entity, operation)}`` of the items of a batch.

    :raises ValueError: no item, more than 30, a repeated bId or an item QuickBooks would refuse
        for its shape
    """
    checked = {item.get("bId"): _check_batch_item(item) for item in items}
    if not items or len(items) > BATCH_LIMIT or len(checked) != len(items):
        raise ValueError(f"A batch has 1 to {BATCH_LIMIT} items with distinct bIds ({len(items)} given)")
    return checked


def _check_batch_item(item):
    bid, operation = item.get("bId"), item.get("operation")
    entity_keys = [key for key in item if key not in ("bId", "operation", "optionsData")]
    if not isinstance(bid, str) or not 0 < len(bid) <= 10:
        raise ValueError(f"Batch bId {bid!r} must be a string of 1 to 10 characters")
    if operation not in BATCH_OPERATIONS or len(entity_keys) != 1:
        raise ValueError(f"Batch item {bid}: one of {BATCH_OPERATIONS} on exactly one entity")
    return entity_name(entity_keys[0]), operation


def batch_results(reply, checked, intuit_tid):
    """``{bId: object dict or QBOError}`` from a batch reply, matched by bId (QuickBooks does
    not promise the order)."""
    answers = {answer.get("bId"): answer for answer in reply.get("BatchItemResponse") or []}
    return {bid: _batch_result(answers.get(bid), entity, operation, intuit_tid)
            for bid, (entity, operation) in checked.items()}


def _batch_result(answer, entity, operation, intuit_tid):
    if answer is None:
        return QBOTransportError("QuickBooks' batch reply has no answer for this item", intuit_tid, 200)
    if "Fault" not in answer:
        return answer.get(entity)
    error = error_from_fault(answer["Fault"], 200, intuit_tid)
    if operation == "create" and isinstance(error, QBONotFoundError):
        return as_reference_error(error)
    return error


def as_reference_error(error):
    """A 610 met by a create is about a referenced object (a create has no object of its own)."""
    return QBOValidationError(error.message, error.intuit_tid, error.status_code, error.code, error.detail)


def cdc_changes(reply, names):
    """``{entity: [object dicts]}`` of a CDC reply, every asked entity present."""
    changes = {name: [] for name in names}
    for response in reply.get("CDCResponse") or []:
        for page in response.get("QueryResponse") or []:
            for name, rows in page.items():
                if name in changes and isinstance(rows, list):
                    changes[name].extend(rows)
    return changes


def _is_list(value):
    return isinstance(value, list | tuple | set | frozenset)
