"""OAuth 2 as Intuit runs it: discovery, consent page, token endpoint (two grants, rotation),
revoke, userinfo and a minimal JWKS.

A grant ties an authorization to a realm; revoking either of its tokens ends the grant.
Every refresh issues a new refresh token and invalidates the one used (rule 13).
"""
import base64
import html
import json
import secrets
import threading
from datetime import timedelta
from urllib.parse import urlencode

ACCESS_TTL = 3600
REFRESH_TTL = 8726400          # 101 days, as Intuit answers today
HARD_TTL = 5 * 365 * 86400
CODE_TTL = 600


class OAuthError(Exception):
    def __init__(self, status, error, description=None):
        super().__init__(error)
        self.status, self.error, self.description = status, error, description

    def body(self):
        out = {"error": self.error}
        if self.description:
            out["error_description"] = self.description
        return out


class OAuth:
    def __init__(self, clock, client_id, client_secret):
        self.clock = clock
        self.client_id, self.client_secret = client_id, client_secret
        self.lock = threading.Lock()
        self.codes = {}     # code -> dict(redirect_uri, realm, scope, expires)
        self.access = {}    # token -> dict(grant, realm, expires)
        self.refresh = {}   # token -> dict(grant, realm, scope, expires, hard)
        self.revoked_grants = set()

    # --- documents ---------------------------------------------------------------------------
    @staticmethod
    def discovery(base):
        return {"issuer": "https://oauth.platform.intuit.com/op/v1",
                "authorization_endpoint": f"{base}/connect/oauth2",
                "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
                "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
                "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
                "jwks_uri": f"{base}/op/v1/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile", "address", "phone"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"]}

    # --- authorize -----------------------------------------------------------------------------
    def check_authorize(self, args):
        """The authorize parameters, or OAuthError (shown as an HTML page, never redirected)."""
        for key in ("client_id", "response_type", "scope", "redirect_uri"):
            if not args.get(key):
                raise OAuthError(400, "invalid_request", f"Missing parameter {key}")
        if args["client_id"] != self.client_id:
            raise OAuthError(400, "invalid_client", "Unknown client_id")
        if args["response_type"] != "code":
            raise OAuthError(400, "unsupported_response_type", "response_type must be code")
        return {k: args.get(k, "") for k in ("client_id", "scope", "redirect_uri", "state")}

    def approve(self, params, realm):
        code = "AB" + secrets.token_urlsafe(36)
        with self.lock:
            self.codes[code] = {"redirect_uri": params["redirect_uri"], "realm": realm,
                                "scope": params["scope"], "expires": self._at(CODE_TTL)}
        return f"{params['redirect_uri']}?" + urlencode({"code": code, "state": params["state"], "realmId": realm})

    @staticmethod
    def deny(params):
        return f"{params['redirect_uri']}?" + urlencode({"error": "access_denied", "state": params["state"]})

    @staticmethod
    def consent_page(params, company_name):
        hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in params.items())
        scopes = "".join(f"<li>{html.escape(s)}</li>" for s in params["scope"].split())
        return (f"<!DOCTYPE html><html><head><title>Connect to QuickBooks (fake)</title></head><body>"
                f"<h1>Connect to {html.escape(company_name)}</h1><p>The app asks for:</p><ul>{scopes}</ul>"
                f'<form method="post" action="/connect/oauth2/decision">{hidden}'
                f'<button type="submit" name="decision" value="approve">Connect</button> '
                f'<button type="submit" name="decision" value="deny">Cancel</button></form></body></html>')

    # --- token endpoint ------------------------------------------------------------------------
    def check_client(self, authorization):
        try:
            kind, _, value = (authorization or "").partition(" ")
            cid, _, secret = base64.b64decode(value).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            cid = secret = kind = None
        if kind != "Basic" or cid != self.client_id or secret != self.client_secret:
            raise OAuthError(401, "invalid_client")

    def token(self, form, authorization, want_hard):
        self.check_client(authorization)
        grant = form.get("grant_type")
        with self.lock:
            if grant == "authorization_code":
                return self._exchange_code(form, want_hard)
            if grant == "refresh_token":
                return self._rotate(form.get("refresh_token", ""), want_hard)
        raise OAuthError(400, "unsupported_grant_type")

    def _exchange_code(self, form, want_hard):
        code = self.codes.pop(form.get("code", ""), None)     # single use
        if code is None or code["expires"] < self.clock.now() or code["redirect_uri"] != form.get("redirect_uri"):
            raise OAuthError(400, "invalid_grant")
        grant = secrets.token_hex(8)
        return self._issue(grant, code["realm"], code["scope"], self._at(HARD_TTL), want_hard)

    def _rotate(self, token, want_hard):
        entry = self.refresh.pop(token, None)
        if entry is None or entry["expires"] < self.clock.now() or entry["hard"] < self.clock.now():
            raise OAuthError(400, "invalid_grant", "Incorrect or invalid refresh token")
        return self._issue(entry["grant"], entry["realm"], entry["scope"], entry["hard"], want_hard)

    def _issue(self, grant, realm, scope, hard, want_hard):
        access, refresh = "eyJ" + secrets.token_urlsafe(48), "RT1-" + secrets.token_urlsafe(36)
        self.access[access] = {"grant": grant, "realm": realm, "expires": self._at(ACCESS_TTL)}
        self.refresh[refresh] = {"grant": grant, "realm": realm, "scope": scope,
                                 "expires": self._at(REFRESH_TTL), "hard": hard}
        out = {"token_type": "bearer", "expires_in": ACCESS_TTL, "refresh_token": refresh,
               "x_refresh_token_expires_in": REFRESH_TTL, "access_token": access}
        if "openid" in scope.split():
            out["id_token"] = _unsigned_jwt({"sub": grant, "realmid": realm, "aud": [self.client_id],
                                             "iss": "https://oauth.platform.intuit.com/op/v1"})
        if want_hard:
            out["x_refresh_token_hard_expires_in"] = int((hard - self.clock.now()).total_seconds())
        return out

    def revoke(self, token, authorization):
        self.check_client(authorization)
        with self.lock:
            entry = self.access.get(token) or self.refresh.get(token)
            if entry is None:
                raise OAuthError(400, "invalid_request", "Token not found")
            grant = entry["grant"]
            for table in (self.access, self.refresh):
                for key in [k for k, v in table.items() if v["grant"] == grant]:
                    del table[key]

    # --- resource side -------------------------------------------------------------------------
    def check_access(self, token):
        """The realm of a live access token, or a reason string for the 401 detail."""
        entry = self.access.get(token)
        if entry is None:
            return None, f"Token invalid: {token[:50]}"
        if entry["expires"] < self.clock.now():
            return None, f"Token expired: {token[:50]}"
        return entry["realm"], None

    def expire(self, kind):
        past = self.clock.now() - timedelta(seconds=1)
        with self.lock:
            tables = {"access": [self.access], "refresh": [self.refresh], "all": [self.access, self.refresh]}[kind]
            for table in tables:
                for entry in table.values():
                    entry["expires"] = past

    def _at(self, seconds):
        return self.clock.now() + timedelta(seconds=seconds)


def _unsigned_jwt(claims):
    """Minimal id_token (not signed): the fake serves no RSA keys."""
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{enc({'alg': 'none'})}.{enc(claims)}."
