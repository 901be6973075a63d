"""QuickBooks Online errors: the exception classes and the rules that classify a reply.

Plain Python (no python-quickbooks): ``qbo_client`` raises these, the engine acts on the class
(``../shared/ARCHITECTURE.md`` §4). Classification looks at the HTTP status, QuickBooks' code AND
its message, because python-quickbooks loses the status and Intuit reuses codes (QBO_API.md §12).
"""

import json
import re

# QuickBooks asks to wait 60 s after a throttle (QBO_API.md §8); it sends no Retry-After header.
THROTTLE_WAIT_SECONDS = 60

_AUTH_CODES = {"100", "120", "3100", "3200"}
_THROTTLE_MARKERS = ("ThrottleExceeded", "errorCode=003001", 'code="3001"')
_XML_ERROR = re.compile(r'<Error[^>]*code="(\d+)"[^>]*>\s*<Message>(.*?)</Message>\s*(?:<Detail>(.*?)</Detail>)?',
                        re.DOTALL)


class QBOError(Exception):
    """Any failure talking to QuickBooks.

    ``code`` is QuickBooks' error code as a string (``"6240"``) or the OAuth error
    (``"invalid_grant"``); ``detail`` QuickBooks' Detail text; ``intuit_tid`` Intuit's trace id
    (support asks for it); ``status_code`` the HTTP status when one was received.
    """

    def __init__(self, message, intuit_tid=None, status_code=None, code=None, detail=None):
        super().__init__(message)
        self.message = message
        self.intuit_tid = intuit_tid
        self.status_code = status_code
        self.code = code
        self.detail = detail

    def __str__(self):
        if self.intuit_tid:
            return f"{self.message} (intuit_tid {self.intuit_tid})"
        return self.message


class QBOAuthError(QBOError):
    """The grant is gone: refresh token expired, reused or revoked (``invalid_grant``), or the
    access token is refused (HTTP 401, codes 100/120/3100/3200). The user has to connect again
    (or the caller refreshes the access token once)."""


class QBOClientCredentialsError(QBOError):
    """The app credentials (client id / client secret) are refused (``invalid_client``)."""


class QBOTransportError(QBOError):
    """Network failure, timeout, 5xx, code 10000 or a reply that is not JSON: retry later."""


class QBOThrottledError(QBOError):
    """HTTP 429 / code 3001 ``ThrottleExceeded``: stop and come back after ``retry_after`` seconds."""

    retry_after = THROTTLE_WAIT_SECONDS


class QBOStaleError(QBOError):
    """Code 5010: the SyncToken sent is not the current one; re-read and re-apply."""


class QBOValidationError(QBOError):
    """QuickBooks refused the payload (2xxx, 4000/4001, 500, 6xxx, a missing or inactive
    referenced object): the record is wrong until someone edits it."""


class QBODuplicateError(QBOValidationError):
    """Code 6240: the name is already used (by a Customer, Vendor or Employee)."""


class QBONotFoundError(QBOError):
    """Code 610 about the object itself: it does not exist (read, update of a missing Id)."""


def error_from_reply(status, text, intuit_tid):
    """Return the QBOError a QuickBooks HTTP reply stands for, with its parsed JSON body.

    :return: ``(error or None, body dict or None)``; the error is None for a 200 without Fault
    """
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _error_without_json(status, text, intuit_tid), None
    fault = body.get("Fault") or body.get("fault")
    if status == 401 or status == 429 or status >= 500 or fault:
        return error_from_fault(fault or {}, status, intuit_tid), body
    if status != 200:
        return QBOTransportError(f"QuickBooks answered HTTP {status} without an error", intuit_tid, status), body
    return None, body


def _error_without_json(status, text, intuit_tid):
    """Throttles often come as XML even for JSON requests; 503 as an HTML page."""
    match = _XML_ERROR.search(text or "")
    code, message, detail = match.groups() if match else (None, None, None)
    if status == 401:
        return QBOAuthError("QuickBooks refused the access token", intuit_tid, status, code or "401", detail)
    if status == 429 or code == "3001" or any(marker in (text or "") for marker in _THROTTLE_MARKERS):
        return QBOThrottledError("QuickBooks throttled the request (ThrottleExceeded)", intuit_tid, status,
                                 code or "3001", detail)
    message = message or f"QuickBooks answered HTTP {status} with a body that is not JSON"
    return QBOTransportError(message, intuit_tid, status, code, detail or (text or "")[:200])


def error_from_fault(fault, status, intuit_tid):
    """Return the QBOError for a Fault (``{"Error": [...]}`` or the lower-case 401 shape).

    Only the first error is classified (QuickBooks puts the cause first); ``status`` is the HTTP
    status (200 for an item of a batch reply).
    """
    errors = fault.get("Error") or fault.get("error") or [{}]
    first = errors[0]
    code = str(first.get("code") or "") or None
    message = first.get("Message") or first.get("message") or ""
    detail = first.get("Detail") or first.get("detail") or ""
    cls = _classify(status, code, message, detail, first.get("element"))
    text = f"QuickBooks error {code}: {message}" if code else f"QuickBooks error: {message or f'HTTP {status}'}"
    return cls(text, intuit_tid, status, code, detail)


def _classify(status, code, message, detail, element):
    """The class for one error: status first (QuickBooks' meaning of a status never changes),
    then the code, checked against the message where Intuit reuses codes."""
    words = f"{message} {detail}"
    if status == 401 or code in _AUTH_CODES:
        return QBOAuthError
    if status == 429 or code == "3001" or "ThrottleExceeded" in words:
        return QBOThrottledError
    if status >= 500 or (code and code.isdigit() and int(code) >= 10000):
        return QBOTransportError
    if code == "5010" or "Stale Object" in message:
        return QBOStaleError
    if code == "6240" or "Duplicate Name" in message:
        return QBODuplicateError
    # 610 names the field (``element``) when a referenced object is missing or inactive.
    if code == "610" and not element:
        return QBONotFoundError
    return QBOValidationError
