"""QuickBooks Online transport: OAuth 2 (intuit-oauth) and the Accounting API (python-quickbooks).

The only module of the addon that imports ``intuitlib`` and ``quickbooks``. Plain Python, no ORM:
the caller (``models/qbo_connection.py``) owns the tokens and their storage; this module only
talks HTTP, always with a timeout, and turns every failure into one of the exception classes
below so that callers never see a library exception.
"""

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks import exceptions as qb_exceptions

from .. import const

_logger = logging.getLogger(__name__)
# requests-oauthlib logs the bearer token of every API call at DEBUG level ("Adding token",
# "Supplying headers"): tokens must never reach a log, whatever the log configuration.
for _name in ("requests_oauthlib", "oauthlib"):
    logging.getLogger(_name).setLevel(logging.INFO)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
class QBOError(Exception):
    """Any failure talking to QuickBooks. ``intuit_tid`` is Intuit's trace id (support asks for it)."""

    def __init__(self, message, intuit_tid=None, status_code=None, code=None):
        super().__init__(message)
        self.message = message
        self.intuit_tid = intuit_tid
        self.status_code = status_code
        self.code = code

    def __str__(self):
        if self.intuit_tid:
            return f"{self.message} (intuit_tid {self.intuit_tid})"
        return self.message


class QBOAuthError(QBOError):
    """The grant is gone: refresh token expired, reused or revoked (``invalid_grant``), or the
    access token is refused (HTTP 401). The user has to connect again."""


class QBOClientCredentialsError(QBOError):
    """The app credentials (client id / client secret) are refused (``invalid_client``)."""


class QBOTransportError(QBOError):
    """Network failure, timeout, 5xx or a reply that is not JSON: worth retrying later."""


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


def _fetch_discovery(url):
    """Return the OpenID discovery document at ``url``, from a per-process cache when fresh.

    :raises QBOTransportError: when it cannot be read
    """
    with _discovery_lock:
        cached = _discovery_cache.get(url)
        if cached and time.monotonic() - cached[0] < const.DISCOVERY_CACHE_SECONDS:
            return cached[1]
    try:
        response = requests.get(url, timeout=const.TIMEOUT_OAUTH)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as e:
        raise QBOTransportError(f"Cannot read the QuickBooks OAuth discovery document {url}: {e}") from e
    missing = {"authorization_endpoint", "token_endpoint", "revocation_endpoint"} - set(document)
    if missing:
        raise QBOTransportError(f"The discovery document {url} lacks {', '.join(sorted(missing))}")
    with _discovery_lock:
        _discovery_cache[url] = (time.monotonic(), document)
    return document


class _AuthClient(AuthClient):
    """``AuthClient`` that reads its endpoints from the cached discovery document (the original
    GETs it on every construction, without a timeout) and sets a timeout on every request
    (``AuthClient`` is a ``requests.Session``; all its token calls go through ``request()``)."""

    def __init__(self, client_id, client_secret, redirect_uri, discovery_url):  # pylint: disable=super-init-not-called
        requests.Session.__init__(self)  # skip AuthClient.__init__: it GETs the document again
        document = _fetch_discovery(discovery_url)
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
    """python-quickbooks client whose single HTTP seam sets a timeout and keeps ``intuit_tid``."""

    last_intuit_tid = None

    def process_request(self, request_type, url, headers="", params="", data=""):
        if self.session is None:
            raise qb_exceptions.QuickbooksException("No session manager")
        headers.update({"Authorization": "Bearer " + self.session.access_token})
        response = self.session.request(
            request_type, url, headers=headers, params=params, data=data, timeout=const.TIMEOUT_API
        )
        self.last_intuit_tid = response.headers.get("intuit_tid")
        return response


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------
def check_custom_base_url(url):
    """Return ``url`` without a trailing slash if it can serve as a custom QuickBooks server.

    Plain http:// is accepted only on the loopback interface (the local test server): tokens
    would otherwise travel in clear text.

    :raises ValueError: with a message for the user otherwise
    """
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    if parts.scheme == "http" and parts.hostname not in const.LOOPBACK_HOSTS:
        raise ValueError(f"{url!r}: plain http:// is only allowed for 127.0.0.1 or localhost")
    return url.strip().rstrip("/")


class QBOClient:
    """One QuickBooks Online app in one environment, and optionally one connected company.

    :param environment: ``sandbox``, ``production`` or ``custom``
    :param base_url: origin of the custom server (``custom`` only), e.g. ``http://127.0.0.1:8765``
    :param realm_id: QuickBooks company id, for API calls
    :param access_token: a valid access token, for API calls (the caller refreshes it)
    """

    def __init__(self, client_id, client_secret, redirect_uri, environment, base_url=None,
                 realm_id=None, access_token=None):
        if not client_id or not client_secret:
            raise QBOClientCredentialsError("The QuickBooks app client id and client secret are not set")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.environment = environment
        self.realm_id = realm_id
        self.access_token = access_token
        if environment == "custom":
            self.base_url = check_custom_base_url(base_url)
            self.discovery_url = self.base_url + const.CUSTOM_DISCOVERY_PATH
            self.api_base = self.base_url + const.CUSTOM_API_PATH
            if self.base_url.startswith("http://"):
                # requests-oauthlib refuses http:// unless told; check_custom_base_url allowed
                # http only on the loopback interface.
                os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        elif environment in const.DISCOVERY_URLS:
            self.base_url = None
            self.discovery_url = const.DISCOVERY_URLS[environment]
            self.api_base = const.API_BASES[environment]
        else:
            raise ValueError(f"Unknown QuickBooks environment {environment!r}")

    # -- OAuth ---------------------------------------------------------------------------------
    def _auth_client(self):
        return _AuthClient(self.client_id, self.client_secret, self.redirect_uri, self.discovery_url)

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
    def _quickbooks(self):
        if not (self.realm_id and self.access_token):
            raise QBOAuthError("Not connected to a QuickBooks company")
        ac = self._auth_client()
        ac.access_token = self.access_token  # given: QuickBooks() would otherwise refresh on its own
        ac.realm_id = self.realm_id
        qb = _QuickBooks(auth_client=ac, company_id=self.realm_id, minorversion=const.MINOR_VERSION)
        # python-quickbooks only knows the two Intuit bases and decides with a case-sensitive test.
        qb.sandbox = self.environment == "sandbox"
        qb.api_url_v3 = qb.sandbox_api_url_v3 = self.api_base
        return qb

    def company_info(self):
        """Read the connected company's CompanyInfo.

        :return: dict with ``name``, ``legal_name``, ``country`` (QuickBooks' code, e.g. ``US``)
        :raises QBOError: (one of its subclasses)
        """
        qb = self._quickbooks()
        with _translate_api_errors(qb):
            data = qb.get_single_object("CompanyInfo", self.realm_id)["CompanyInfo"]
        return {
            "name": data.get("CompanyName") or data.get("LegalName") or "",
            "legal_name": data.get("LegalName") or "",
            "country": data.get("Country") or "",
        }


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


class _translate_api_errors:
    """Context manager: python-quickbooks and requests failures -> QBOError subclasses.

    The next issue extends this into the full error classification (throttling, stale objects,
    validation); for now only what reading CompanyInfo can meet.
    """

    def __init__(self, qb):
        self.qb = qb

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None:
            return False
        tid = self.qb.last_intuit_tid
        if isinstance(exc, requests.RequestException):
            raise QBOTransportError(f"QuickBooks unreachable: {exc}", intuit_tid=tid) from exc
        if isinstance(exc, qb_exceptions.AuthorizationException):
            raise QBOAuthError(f"QuickBooks refused the access token: {exc.message}", intuit_tid=tid,
                               code=exc.error_code) from exc
        if isinstance(exc, qb_exceptions.QuickbooksException):
            cls = QBOTransportError if exc.error_code == 10000 else QBOError
            raise cls(f"QuickBooks error {exc.error_code}: {exc.message} {exc.detail}".strip(),
                      intuit_tid=tid, code=exc.error_code) from exc
        return False
