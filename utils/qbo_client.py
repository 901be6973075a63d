"""QuickBooks Online transport: OAuth 2 (intuit-oauth) and the Accounting API (python-quickbooks).

The only module of the addon that imports ``intuitlib`` and ``quickbooks``. Plain Python, no ORM:
the caller (``models/qbo_connection.py``) owns the tokens and their storage; this module only
talks HTTP, always with a timeout, and turns every failure into one of the exception classes of
``qbo_errors`` (re-exported here) so that callers never see a library exception.
"""

import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from urllib.parse import quote, urlsplit

import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks

from .. import const
from . import qbo_errors, qbo_requests
from .qbo_errors import (
    QBOAuthError,
    QBOClientCredentialsError,
    QBODuplicateError,
    QBOError,
    QBONotFoundError,
    QBOStaleError,
    QBOThrottledError,
    QBOTransportError,
    QBOValidationError,
)
from .qbo_requests import BATCH_LIMIT, PARAM_API_TIMEOUT, api_timeout, entity_name, qbo_value

# Error classes and pure helpers live in qbo_errors and qbo_requests; callers import them from here.
__all__ = [
    "BATCH_LIMIT", "PARAM_API_TIMEOUT", "CDCResult", "QBOAuthError", "QBOClient", "QBOClientCredentialsError",
    "QBODuplicateError", "QBOError", "QBONotFoundError", "QBOStaleError", "QBOThrottledError", "QBOTokens",
    "QBOTransportError", "QBOValidationError", "api_timeout", "check_custom_base_url", "qbo_value",
]

_logger = logging.getLogger(__name__)
# requests-oauthlib logs the bearer token of every API call at DEBUG level ("Adding token",
# "Supplying headers"): tokens must never reach a log, whatever the log configuration.
for _name in ("requests_oauthlib", "oauthlib"):
    logging.getLogger(_name).setLevel(logging.INFO)


@dataclass
class QBOTokens:
    """Tokens of one grant, as Intuit returns them (lifetimes in seconds from now)."""

    access_token: str
    refresh_token: str
    expires_in: int
    refresh_expires_in: int | None = None
    refresh_hard_expires_in: int | None = None


# ---------------------------------------------------------------------------------------------
# intuit-oauth with timeouts and a cached discovery document
# ---------------------------------------------------------------------------------------------
_discovery_cache = {}  # url -> (fetched_at, document)
_discovery_lock = threading.Lock()


def _fetch_discovery(url, allowed_host):
    """Return the OpenID discovery document at ``url``, from a per-process cache when fresh.

    Its endpoints receive the client secret, the tokens and the user's browser: they must be
    served over https (or plain http on loopback) by ``allowed_host`` itself, or by a subdomain
    of it (Intuit's ``*.intuit.com``). A document naming another host is refused, so a hostile
    or hijacked server cannot send the secrets elsewhere nor make the OAuth start an open redirect.

    :raises QBOTransportError: when it cannot be read
    :raises QBOError: when an endpoint is on another host
    """
    with _discovery_lock:
        cached = _discovery_cache.get(url)
        if cached and time.monotonic() - cached[0] < const.DISCOVERY_CACHE_SECONDS:
            return cached[1]
    try:
        response = requests.get(url, timeout=const.TIMEOUT_OAUTH, allow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as e:
        raise QBOTransportError(f"Cannot read the QuickBooks OAuth discovery document {url}: {e}") from e
    if not isinstance(document, dict):
        raise QBOTransportError(f"The discovery document {url} is not a JSON object")
    missing = {"authorization_endpoint", "token_endpoint", "revocation_endpoint"} - set(document)
    if missing:
        raise QBOTransportError(f"The discovery document {url} lacks {', '.join(sorted(missing))}")
    for key in _DISCOVERY_ENDPOINTS:
        if document.get(key) and not _endpoint_allowed(document[key], allowed_host):
            raise QBOError(f"The discovery document {url} sends {key} to {document[key]!r}, not to "
                           f"{allowed_host}: refused")
    with _discovery_lock:
        _discovery_cache[url] = (time.monotonic(), document)
    return document




# Endpoints of a discovery document that receive secrets or the user's browser.
_DISCOVERY_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "revocation_endpoint", "userinfo_endpoint")


def _endpoint_allowed(url, allowed_host):
    """Whether ``url`` is on ``allowed_host`` (or a subdomain), over https or loopback http."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and host not in const.LOOPBACK_HOSTS):
        return False
    if allowed_host in const.LOOPBACK_HOSTS:
        return host in const.LOOPBACK_HOSTS
    return host == allowed_host or host.endswith("." + allowed_host)


class _AuthClient(AuthClient):
    """``AuthClient`` that reads its endpoints from the cached discovery document (the original
    GETs it on every construction, without a timeout) and sets a timeout on every request
    (``AuthClient`` is a ``requests.Session``; all its token calls go through ``request()``)."""

    def __init__(self, client_id, client_secret, redirect_uri, discovery_url, allowed_host):  # pylint: disable=super-init-not-called
        requests.Session.__init__(self)  # skip AuthClient.__init__: it GETs the document again
        document = _fetch_discovery(discovery_url, allowed_host)
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.environment = discovery_url
        self.state_token = None
        self.auth_endpoint = document["authorization_endpoint"]
        self.token_endpoint = document["token_endpoint"]
        self.revoke_endpoint = document["revocation_endpoint"]
        self.issuer_uri = document.get("issuer")
        self.jwks_uri = document.get("jwks_uri")
        self.user_info_url = document.get("userinfo_endpoint")
        self.realm_id = None
        self.access_token = None
        self.expires_in = None
        self.refresh_token = None
        self.x_refresh_token_expires_in = None
        self.id_token = None
        # intuit-oauth 1.2.6 has no switch for the hard expiry; the header is what 1.2.7 sends.
        self.headers[const.HARD_EXPIRY_HEADER] = "true"

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", const.TIMEOUT_OAUTH)
        return super().request(method, url, *args, **kwargs)


class _QuickBooks(QuickBooks):
    """python-quickbooks client whose single HTTP seam sets a timeout, logs one line per request
    and turns a network failure into ``QBOTransportError``. ``timeout`` is set by ``QBOClient``."""

    timeout = None
    last_intuit_tid = None
    sent = 0  # API requests made (sent, whatever came back): the health block's API use

    def process_request(self, request_type, url, headers="", params="", data=""):
        self.sent += 1
        headers.update({"Authorization": "Bearer " + self.session.access_token})
        path = urlsplit(url).path  # never the query string: only the path is logged
        started = time.monotonic()
        try:
            # requests.Session's own request: the bearer header is set above, and OAuth2Session's
            # would refuse plain http unless OAUTHLIB_INSECURE_TRANSPORT is set for the whole
            # process. QBOClient allows http only for a loopback server (check_custom_base_url).
            response = requests.Session.request(
                self.session, request_type, url, headers=headers, params=params, data=data,
                timeout=self.timeout or const.TIMEOUT_API)
        except requests.RequestException as e:
            # Timeout, refused or reset connection, RemoteDisconnected, ChunkedEncodingError.
            self.last_intuit_tid = None
            _logger.info("QuickBooks %s %s failed after %.2fs: %s", request_type, path,
                         time.monotonic() - started, type(e).__name__)
            raise QBOTransportError(f"QuickBooks unreachable ({type(e).__name__}): {e}") from e
        self.last_intuit_tid = response.headers.get("intuit_tid")
        level = logging.DEBUG if response.status_code == 200 else logging.INFO
        _logger.log(level, "QuickBooks %s %s -> %s in %.2fs intuit_tid=%s", request_type, path,
                    response.status_code, time.monotonic() - started, self.last_intuit_tid)
        return response


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------
def check_custom_base_url(url, allowed_hosts=()):
    """Return ``url`` without a trailing slash if it can serve as a custom QuickBooks server.

    A custom server is for local testing: it must be on the loopback interface, unless its host
    is one of ``allowed_hosts`` (a system parameter an administrator sets on purpose), and then
    over https only: tokens must never travel in clear text.

    :raises ValueError: with a message for the user otherwise
    """
    parts = urlsplit((url or "").strip())
    try:
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        host = ""
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password \
            or parts.query or parts.fragment:
        raise ValueError(f"{url!r} is not an http(s) server address")
    if host not in const.LOOPBACK_HOSTS:
        if host not in {h.strip().lower() for h in allowed_hosts if h.strip()}:
            raise ValueError(f"{url!r}: a custom server must be on 127.0.0.1 or localhost (other hosts only "
                             f"when listed in the system parameter {const.PARAM_ALLOWED_CUSTOM_HOSTS})")
        if parts.scheme == "http":
            raise ValueError(f"{url!r}: plain http:// is only allowed for 127.0.0.1 or localhost")
    return url.strip().rstrip("/")


class QBOClient:
    """One QuickBooks Online app in one environment, and optionally one connected company.

    :param environment: ``sandbox``, ``production`` or ``custom``
    :param base_url: origin of the custom server (``custom`` only), e.g. ``http://127.0.0.1:8765``
    :param realm_id: QuickBooks company id, for API calls
    :param access_token: a valid access token, for API calls (the caller refreshes it)
    :param timeout: ``(connect, read)`` seconds of every API call (default ``const.TIMEOUT_API``)
    """

    def __init__(self, client_id, client_secret, redirect_uri, environment, base_url=None,
                 realm_id=None, access_token=None, timeout=None, allowed_hosts=()):
        if not client_id or not client_secret:
            raise QBOClientCredentialsError("The QuickBooks app client id and client secret are not set")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.environment = environment
        self.realm_id = realm_id
        self.access_token = access_token
        self.timeout = timeout
        self._qb = self._qb_token = None
        self._sent = 0  # requests of the python-quickbooks clients of earlier access tokens
        self.preview = None  # a PreviewWrites (utils/qbo_preview.py): writes answered there, never sent
        if environment == "custom":
            self.base_url = check_custom_base_url(base_url, allowed_hosts)
            self.discovery_url = self.base_url + const.CUSTOM_DISCOVERY_PATH
            self.api_base = self.base_url + const.CUSTOM_API_PATH
            self.allowed_host = urlsplit(self.base_url).hostname.lower()
        elif environment in const.DISCOVERY_URLS:
            self.base_url = None
            self.discovery_url = const.DISCOVERY_URLS[environment]
            self.api_base = const.API_BASES[environment]
            self.allowed_host = const.INTUIT_HOST
        else:
            raise ValueError(f"Unknown QuickBooks environment {environment!r}")

    # -- OAuth ---------------------------------------------------------------------------------
    def _auth_client(self):
        return _AuthClient(self.client_id, self.client_secret, self.redirect_uri, self.discovery_url,
                           self.allowed_host)

    def authorization_url(self, state):
        """Return the URL of Intuit's consent page; Intuit sends the user back to ``redirect_uri``.

        :raises QBOTransportError: when the discovery document cannot be read
        """
        return self._auth_client().get_authorization_url(_scopes(), state_token=state)

    def exchange_code(self, code, realm_id):
        """Exchange an authorization code for tokens.

        :return: QBOTokens
        :raises QBOAuthError: code unknown, used or expired (``invalid_grant``)
        :raises QBOClientCredentialsError: client id or secret refused
        :raises QBOTransportError: network failure or 5xx
        """
        ac = self._auth_client()
        with _translate_auth_errors():
            ac.get_bearer_token(code, realm_id=realm_id)
        return _tokens(ac)

    def refresh(self, refresh_token):
        """Get a new access token; Intuit may rotate the refresh token: persist the returned one.

        :return: QBOTokens
        :raises QBOAuthError: refresh token expired, reused or revoked (``invalid_grant``)
        :raises QBOClientCredentialsError: client id or secret refused
        :raises QBOTransportError: network failure or 5xx
        """
        ac = self._auth_client()
        with _translate_auth_errors():
            ac.refresh(refresh_token=refresh_token)
        return _tokens(ac)

    def revoke(self, token):
        """Revoke the grant the token (refresh or access) belongs to.

        :return: True
        :raises QBOError: (one of its subclasses) when Intuit refuses or cannot be reached
        """
        ac = self._auth_client()
        with _translate_auth_errors():
            return ac.revoke(token=token)

    # -- Accounting API ------------------------------------------------------------------------
    # No retries here: the engine owns retries and backoff. A caller retrying a write passes
    # the same request_id again, so QuickBooks replays its first answer instead of writing twice.
    def _quickbooks(self):
        """The python-quickbooks client for the current access token (one per access token, reused)."""
        if not (self.realm_id and self.access_token):
            raise QBOAuthError("Not connected to a QuickBooks company")
        if self._qb is not None and self._qb_token == self.access_token:
            return self._qb
        ac = self._auth_client()
        ac.access_token = self.access_token  # given: QuickBooks() would otherwise refresh on its own
        ac.realm_id = self.realm_id
        qb = _QuickBooks(auth_client=ac, company_id=self.realm_id, minorversion=const.MINOR_VERSION)
        # python-quickbooks only knows the two Intuit bases and decides with a case-sensitive test.
        qb.sandbox = self.environment == "sandbox"
        qb.api_url_v3 = qb.sandbox_api_url_v3 = self.api_base
        qb.timeout = self.timeout
        self._sent += self._qb.sent if self._qb is not None else 0
        self._qb, self._qb_token = qb, self.access_token
        return qb

    @property
    def requests_sent(self):
        """API requests this client made (OAuth calls aside)."""
        return self._sent + (self._qb.sent if self._qb is not None else 0)

    @property
    def last_intuit_tid(self):
        """``intuit_tid`` of the last API reply (None before the first, or after a network failure)."""
        return self._qb.last_intuit_tid if self._qb is not None else None

    def _call(self, method, path, body=None, params=None, request_id=None, content_type="application/json"):
        """Send one API request to ``…/company/<realm>/<path>`` and return the parsed JSON reply.

        Built as python-quickbooks' ``make_request`` builds it (``minorversion``, ``requestid``),
        sent through its ``process_request`` seam, but the reply is checked here: ``make_request``
        loses the HTTP status and raises ``TypeError`` on a Fault without code.

        :raises QBOError: (a subclass, per ``qbo_errors.error_from_reply``)
        """
        if self.preview is not None and method != "GET" and path != "query":
            raise RuntimeError("A preview only reads from QuickBooks: %s %s" % (method, path))
        qb = self._quickbooks()
        url = f"{qb.api_url}/company/{self.realm_id}/{path}"
        if isinstance(body, dict):
            body = json.dumps(body)
        data = body.encode("utf-8") if body else None  # str bodies would go out as Latin-1
        params = dict(params or {}, minorversion=qb.minorversion)
        if request_id:
            params["requestid"] = request_id
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        response = qb.process_request(method, url, headers=headers, params=params, data=data)
        error, reply = qbo_errors.error_from_reply(response.status_code, response.text, qb.last_intuit_tid)
        if error:
            raise error
        return reply

    def company_info(self):
        """Read the connected company's CompanyInfo.

        :return: dict with ``name``, ``legal_name``, ``country`` (QuickBooks' code, e.g. ``US``)
        :raises QBOError: (one of its subclasses)
        """
        data = self._call("GET", f"companyinfo/{self.realm_id}")["CompanyInfo"]
        return {
            "name": data.get("CompanyName") or data.get("LegalName") or "",
            "legal_name": data.get("LegalName") or "",
            "country": data.get("Country") or "",
        }

    # Not ORM methods (pylint-odoo only sees the names read/create).
    def read(self, entity, qbo_id):  # pylint: disable=method-required-super
        """Read one object by Id.

        :return: the object as a dict (``{"Id": …, "SyncToken": …, …}``)
        :raises QBONotFoundError: no such object; other QBOError subclasses as ``_call``
        """
        path = f"{entity_name(entity).lower()}/{quote(str(qbo_id), safe='')}"
        return self._call("GET", path)[entity]

    def query(self, statement):
        """Run one query statement (one page: QuickBooks' default is 100 rows, at most 1000).

        :return: list of object dicts (empty when nothing matches)
        :raises QBOValidationError: the statement is refused (4000, 4001)
        """
        reply = self._call("POST", "query", statement, content_type="application/text")
        rows = reply.get("QueryResponse") or {}
        return next((value for value in rows.values() if isinstance(value, list)), [])

    def query_all(self, entity, where=None, page_size=1000):
        """Yield every object of ``entity`` matching ``where``, page after page until a short one.

        :param where: a condition string (``"Active IN (true, false)"``; quote values with
            ``qbo_value``) or a dict ``{field: value}`` joined with AND, values quoted here
        :return: iterator of object dicts
        :raises QBOError: (a subclass) as ``query``, when a page fails
        """
        start = 1
        while True:
            rows = self.query_page(entity, where, start, page_size)
            yield from rows
            if len(rows) < page_size:
                return
            start += page_size

    def query_page(self, entity, where=None, start=1, page_size=1000):
        """One page of ``query_all``: the objects from position ``start`` (1-based); a page shorter
        than ``page_size`` is the last.

        :raises QBOError: (a subclass) as ``query``
        """
        if not 0 < page_size <= 1000:
            raise ValueError("page_size must be between 1 and 1000")
        statement = qbo_requests.select_statement(entity, where)
        return self.query(f"{statement} STARTPOSITION {int(start)} MAXRESULTS {page_size}")

    def create(self, entity, payload, request_id):  # pylint: disable=method-required-super
        """Create one object from a plain dict (never python-quickbooks objects: their defaults
        would be sent too).

        :param request_id: unique per write (≤ 50 chars); reuse it when retrying the same write
        :return: the created object dict (``Id``, ``SyncToken``, ``MetaData``…)
        :raises QBOValidationError: (also for a 610 on a referenced object), ``QBODuplicateError``
        """
        if self.preview is not None:
            return self.preview.answer(entity_name(entity), "create", payload)
        path, request_id = entity_name(entity).lower(), qbo_requests.request_id(request_id, 50)
        try:
            return self._call("POST", path, payload, request_id=request_id)[entity]
        except QBONotFoundError as e:
            raise qbo_requests.as_reference_error(e) from e

    def update(self, entity, payload, request_id):
        """Update one object; sparse unless ``payload`` says ``"sparse": False`` (a full update
        blanks every field it omits).

        :param payload: dict with ``Id``, ``SyncToken`` and the fields to change
        :param request_id: as ``create``
        :return: the updated object dict (new ``SyncToken``)
        :raises QBOStaleError: the SyncToken is not the current one
        :raises QBONotFoundError: no object with that Id; other QBOError subclasses as ``create``
        """
        if not payload.get("Id") or payload.get("SyncToken") in (None, ""):
            raise ValueError("An update needs the Id and the SyncToken")
        body = {"sparse": True, **payload}
        if self.preview is not None:
            return self.preview.answer(entity_name(entity), "update", body)
        path, request_id = entity_name(entity).lower(), qbo_requests.request_id(request_id, 50)
        return self._call("POST", path, body, request_id=request_id)[entity]

    def void(self, entity, payload, request_id):
        """Void a transaction: QuickBooks keeps it with its amounts at zero (Invoice and CreditMemo
        ``?operation=void``; Payment and SalesReceipt ``?operation=update&include=void``).

        :param payload: dict with ``Id`` and ``SyncToken``
        :return: the voided object dict (new ``SyncToken``)
        :raises QBOStaleError, QBOValidationError: as ``update`` (6210 closed books...)
        """
        name = entity_name(entity)
        if self.preview is not None:
            return self.preview.answer(name, "void", payload)
        params = {"operation": "update", "include": "void"} if name in ("Payment", "SalesReceipt") \
            else {"operation": "void"}
        body = {"Id": payload["Id"], "SyncToken": payload["SyncToken"], **(
            {"sparse": True} if name in ("Payment", "SalesReceipt") else {})}
        return self._call("POST", name.lower(), body, params=params,
                          request_id=qbo_requests.request_id(request_id, 50))[name]

    def delete(self, entity, payload, request_id):
        """Delete a transaction (name lists are made inactive instead).

        :return: ``{"status": "Deleted", "Id": …}``
        """
        name = entity_name(entity)
        if self.preview is not None:
            return self.preview.answer(name, "delete", payload)
        return self._call("POST", name.lower(), {"Id": payload["Id"], "SyncToken": payload["SyncToken"]},
                          params={"operation": "delete"}, request_id=qbo_requests.request_id(request_id, 50))[name]

    def batch(self, items, request_id):
        """Send up to 30 create/update/delete operations in one request.

        :param items: ``[{"bId": "≤ 10 chars", "operation": "create"|"update"|"delete",
            "<Entity>": payload}, …]`` (updates are sent as given: put ``"sparse": True`` in them)
        :param request_id: ≤ 36 chars; reuse it, with the same items and bIds, when retrying
        :return: ``{bId: object dict or QBOError instance}`` for every item
        :raises ValueError: more than 30 items, a bad bId, operation or entity
        :raises QBOError: (a subclass) when the whole request fails
        """
        checked = qbo_requests.check_batch(items)
        if self.preview is not None:
            return self.preview.batch(items)
        reply = self._call("POST", "batch", {"BatchItemRequest": list(items)},
                           request_id=qbo_requests.request_id(request_id, 36))
        return qbo_requests.batch_results(reply, checked, self.last_intuit_tid)

    def cdc(self, entities, changed_since):
        """Changes of ``entities`` since ``changed_since`` (at most 30 days back; QuickBooks sends
        at most 1,000 objects in all, without saying it cut: shorten the window at that size).

        :param changed_since: a datetime; naive means UTC (Odoo's convention); the offset is sent
        :return: ``CDCResult(changes={entity: [object dicts]}, server_time=aware datetime)``;
            deleted objects carry ``"status": "Deleted"`` and only ``Id``/``MetaData``;
            ``server_time`` is QuickBooks' clock at the reply: use it as the next watermark
        :raises QBOValidationError: a window over 30 days or an entity CDC does not serve
        """
        names = [entity_name(entity) for entity in entities]
        params = {"entities": ",".join(names), "changedSince": qbo_requests.iso_with_offset(changed_since)}
        reply = self._call("GET", "cdc", params=params)
        return CDCResult(qbo_requests.cdc_changes(reply, names), qbo_requests.server_time(reply.get("time")))


class CDCResult(NamedTuple):
    """What ``QBOClient.cdc`` returns; unpacks as ``changes, server_time = client.cdc(…)``."""

    changes: dict
    server_time: datetime


def _scopes():
    return [Scopes(scope) for scope in const.OAUTH_SCOPES]


def _tokens(ac):
    return QBOTokens(
        access_token=ac.access_token,
        refresh_token=ac.refresh_token,
        expires_in=int(ac.expires_in or 3600),
        refresh_expires_in=_int_or_none(ac.x_refresh_token_expires_in),
        refresh_hard_expires_in=_int_or_none(getattr(ac, "x_refresh_token_hard_expires_in", None)),
    )


def _int_or_none(value):
    return int(value) if value not in (None, "") else None


class _translate_auth_errors:
    """Context manager: intuit-oauth and requests failures -> QBOError subclasses."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        if isinstance(exc, AuthClientError):
            raise _auth_client_error(exc) from exc
        if isinstance(exc, requests.RequestException):
            raise QBOTransportError(f"QuickBooks OAuth server unreachable: {exc}") from exc
        return False


def _auth_client_error(exc):
    try:
        body = json.loads(exc.content or b"{}")
    except ValueError:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    description = (body.get("error_description") if isinstance(body, dict) else None) or error or ""
    args = {"intuit_tid": exc.intuit_tid, "status_code": exc.status_code, "code": error}
    if error == "invalid_client" or exc.status_code == 401:
        return QBOClientCredentialsError(
            f"QuickBooks refused the app credentials (client id or client secret): {description}", **args)
    if error == "invalid_grant":
        return QBOAuthError(f"QuickBooks refused the authorization: {description}", **args)
    if exc.status_code >= 500:
        return QBOTransportError(f"QuickBooks OAuth server error (HTTP {exc.status_code})", **args)
    return QBOError(f"QuickBooks OAuth error (HTTP {exc.status_code}): {description}", **args)
