"""QuickBooks Online webhooks: signature check and payload parsing (pure Python, no ORM, no HTTP).

Two payload shapes reach the endpoint (docs/QBO_API.md §7):

* legacy: ``{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [
  {"name", "id", "operation", "lastUpdated"[, "deletedId"]}]}}]}``
* CloudEvents (mandatory from 2026): a JSON array of ``{"type": "qbo.<entity>.<verb>.v1",
  "intuitaccountid": realm, "intuitentityid": id, "time", "data": {"deletedid"?}}``

Error policy of :func:`parse_notifications`: a body that is not a notification at all (not JSON,
too large, too deeply nested, neither shape) raises :class:`WebhookPayloadError`; inside a valid
envelope, an entry that cannot be used (unknown entity or operation, missing or malformed id) is
skipped and logged, because Intuit batches events and one odd entry must not hide the others.
Ids are opaque tokens of ``[A-Za-z0-9*._-]`` (at most 64 characters): Intuit's own documentation
samples mask digits with ``*``, and such a realm is simply unknown to the caller.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass

_logger = logging.getLogger(__name__)

# Every entity Intuit documents for webhooks; CloudEvents spell them in lower case.
ENTITIES = (
    "Account", "Bill", "BillPayment", "Budget", "Class", "CreditMemo", "Currency", "Customer",
    "Department", "Deposit", "Employee", "Estimate", "Invoice", "Item", "JournalCode", "JournalEntry",
    "Payment", "PaymentMethod", "Preferences", "Purchase", "PurchaseOrder", "RefundReceipt",
    "SalesReceipt", "TaxAgency", "Term", "TimeActivity", "Transfer", "Vendor", "VendorCredit",
)
_ENTITY_BY_KEY = {name.lower(): name for name in ENTITIES}
OPERATIONS = ("Create", "Update", "Delete", "Merge", "Void", "Emailed")
_OPERATION_BY_KEY = {op.lower(): op for op in OPERATIONS}
_CLOUD_VERBS = {"created": "Create", "updated": "Update", "deleted": "Delete", "merged": "Merge",
                "voided": "Void", "emailed": "Emailed"}
_CLOUD_TYPE = re.compile(r"qbo\.([a-z]+)\.([a-z]+)\.v[0-9]+")
_ID = re.compile(r"[A-Za-z0-9*._-]{1,64}")
_TIME = re.compile(r"[0-9T:.+\-Z ]{1,64}")
# Intuit batches a few events per request; a megabyte is far beyond any real notification.
MAX_BODY_BYTES = 1024 * 1024


class WebhookPayloadError(ValueError):
    """The body is not a QuickBooks notification; the message says why (safe to log)."""


@dataclass(frozen=True)
class Event:
    """One change notified by QuickBooks; ids only, the entity must be read or pulled by CDC."""

    realm_id: str
    entity: str  # canonical QuickBooks name, e.g. "Customer", "CreditMemo"
    entity_id: str
    operation: str  # Create, Update, Delete, Merge, Void or Emailed
    last_updated: str | None = None
    deleted_id: str | None = None  # the merged-away record on a Merge


def verify_signature(raw_body: bytes, signature_header: str | None, verifier_token: str) -> bool:
    """True when ``signature_header`` is base64(HMAC-SHA256(verifier_token, raw_body)).

    ``raw_body`` must be the exact bytes received (re-serialised JSON never matches). Returns
    False, never raises, for a missing or garbled header, an empty token or a non-bytes body.
    The decoded digests are compared with :func:`hmac.compare_digest` (constant time).
    """
    if not isinstance(raw_body, bytes | bytearray) or not verifier_token or not isinstance(verifier_token, str):
        return False
    if not signature_header or not isinstance(signature_header, str):
        return False
    try:
        received = base64.b64decode(signature_header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(verifier_token.encode(), bytes(raw_body), hashlib.sha256).digest()
    return hmac.compare_digest(expected, received)


def parse_notifications(raw_body: bytes) -> list[Event]:
    """The events of a legacy or CloudEvents body, in the order received.

    Raises :class:`WebhookPayloadError` when the body as a whole is unusable; skips (and logs)
    unusable entries inside a valid envelope. Never raises any other exception type.
    """
    payload = _load(raw_body)
    if isinstance(payload, dict) and "eventNotifications" in payload:
        return _legacy_events(payload["eventNotifications"])
    if isinstance(payload, dict) and "specversion" in payload:
        payload = [payload]  # a single CloudEvent in structured mode
    if isinstance(payload, list):
        return [event for index, item in enumerate(payload) if (event := _cloud_event(index, item))]
    raise WebhookPayloadError("neither a legacy (eventNotifications) nor a CloudEvents (array) payload")


def _load(raw_body):
    if not isinstance(raw_body, bytes | bytearray):
        raise WebhookPayloadError("the body must be bytes")
    if len(raw_body) > MAX_BODY_BYTES:
        raise WebhookPayloadError("body larger than %d bytes" % MAX_BODY_BYTES)
    try:
        return json.loads(raw_body)
    except RecursionError:
        raise WebhookPayloadError("JSON nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, huge integers
        raise WebhookPayloadError("body is not valid JSON: %s" % exc) from None


def _legacy_events(notifications):
    if not isinstance(notifications, list):
        raise WebhookPayloadError("eventNotifications must be a list")
    events = []
    for n_index, notification in enumerate(notifications):
        realm = notification.get("realmId") if isinstance(notification, dict) else None
        change = notification.get("dataChangeEvent") if isinstance(notification, dict) else None
        entities = change.get("entities") if isinstance(change, dict) else None
        if not _as_id(realm) or not isinstance(entities, list):
            _skip("eventNotifications[%d]" % n_index, "no realmId or no dataChangeEvent.entities list")
            continue
        for e_index, entry in enumerate(entities):
            where = "eventNotifications[%d].entities[%d]" % (n_index, e_index)
            if not isinstance(entry, dict):
                _skip(where, "not an object")
                continue
            event = _event(where, realm, _ENTITY_BY_KEY.get(_key(entry.get("name"))), entry.get("id"),
                           _OPERATION_BY_KEY.get(_key(entry.get("operation"))),
                           entry.get("lastUpdated"), entry.get("deletedId"))
            if event:
                events.append(event)
    return events


def _cloud_event(index, item):
    where = "event[%d]" % index
    if not isinstance(item, dict):
        return _skip(where, "not an object")
    match = _CLOUD_TYPE.fullmatch(item.get("type")) if isinstance(item.get("type"), str) else None
    if not match:
        return _skip(where, "type is not qbo.<entity>.<verb>.v<n>")
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    return _event(where, item.get("intuitaccountid"), _ENTITY_BY_KEY.get(match[1]), item.get("intuitentityid"),
                  _CLOUD_VERBS.get(match[2]), item.get("time"), data.get("deletedid"))


def _event(where, realm, entity, entity_id, operation, last_updated, deleted_id):
    """An Event from raw fields, or None (logged) when a required one is missing or malformed."""
    realm, entity_id, deleted_id = _as_id(realm), _as_id(entity_id), _as_id(deleted_id)
    if not (realm and entity and entity_id and operation):
        return _skip(where, "unknown entity or operation, or missing/malformed realm or entity id")
    if not (isinstance(last_updated, str) and _TIME.fullmatch(last_updated)):
        last_updated = None
    return Event(realm, entity, entity_id, operation, last_updated, deleted_id)


def _as_id(value):
    """Ids arrive as strings; integers are accepted (bool is not) and turned into strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def _key(value):
    return value.lower() if isinstance(value, str) else None


def _skip(where, reason):
    _logger.warning("QuickBooks webhook: %s skipped: %s", where, reason)
