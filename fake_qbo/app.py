"""WSGI front: routing, bearer auth, throttling, fault injection, request log, requestid replay
and the `intuit_tid` header. No Python traceback ever reaches a client: anything unexpected is
answered as QuickBooks' SystemFault 10000 (and logged).
"""
import json
import logging
import socket
import time
import uuid
from decimal import Decimal

from werkzeug.wrappers import Request, Response

from . import admin, api, entities, errors
from .oauth import OAuthError

log = logging.getLogger("fake_qbo")
DROP = object()     # a reply that closes the socket without answering


def parse_json(data):
    """Decode a request body as QuickBooks would: UTF-8 only (else 500), JSON (else 2010)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.unsupported("Request body is not valid UTF-8; only UTF-8 encoded content is supported.") from None
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError as e:
        raise errors.bad_request(f"Error parsing request body as JSON: {e}") from None


def _number(value):
    return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)


def dumps(body):
    return json.dumps(body, default=_number, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_response(status, body, headers=None):
    return Response(dumps(body), status=status, headers=headers, content_type="application/json;charset=UTF-8")


class App:
    def __init__(self, fake):
        self.fake = fake

    def __call__(self, environ, start_response):
        request = Request(environ)
        tid = f"1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"
        try:
            response = self.route(request, tid)
        except Exception:       # the one place that turns a bug into QuickBooks' 500 shape
            log.exception("fake_qbo internal error on %s %s", request.method, request.path)
            response = self.fault_response(500, errors.system_error())
        if response is DROP:
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
            return []
        response.headers["intuit_tid"] = tid
        return response(environ, start_response)

    def route(self, request, tid):
        path = request.path
        if path.startswith("/v3/company/"):
            return self.api(request, tid)
        if path.startswith("/_fake/"):
            status, body = admin.handle(self.fake, request)
            return json_response(status, body)
        if path.startswith("/.well-known/openid"):
            return json_response(200, self.fake.oauth.discovery(self.fake.url))
        handler = OAUTH_ROUTES.get((request.method, path.rstrip("/")))
        if handler is None:
            return self.fault_response(404, errors.unsupported_operation(path, request.url))
        return handler(self, request)

    # --- OAuth endpoints -------------------------------------------------------------------------
    def authorize(self, request):
        try:
            params = self.fake.oauth.check_authorize(request.args)
        except OAuthError as e:
            return Response(f"<html><body><h1>Error</h1><p>{e.error}: {e.description}</p></body></html>",
                            status=400, content_type="text/html")
        mode = self.fake.consent_mode()
        if mode == "ask":
            return Response(self.fake.oauth.consent_page(params, self.fake.consent_company().name),
                            content_type="text/html")
        return self._decide(params, mode == "approve")

    def decision(self, request):
        params = {k: request.form.get(k, "") for k in ("client_id", "scope", "redirect_uri", "state")}
        try:
            params = self.fake.oauth.check_authorize(dict(params, response_type="code"))
        except OAuthError as e:
            return Response(f"<html><body>{e.error}</body></html>", status=400, content_type="text/html")
        return self._decide(params, request.form.get("decision") == "approve")

    def _decide(self, params, approve):
        oauth = self.fake.oauth
        target = oauth.approve(params, self.fake.consent_company().realm_id) if approve else oauth.deny(params)
        return Response("", status=302, headers={"Location": target})

    def token(self, request):
        entry = self.fake.requests.start(request, "", "")
        want_hard = request.headers.get("x-include-refresh-token-hard-expires-in", "").lower() == "true"
        try:
            status, body = 200, self.fake.oauth.token(request.form, request.headers.get("Authorization"), want_hard)
        except OAuthError as e:
            status, body = e.status, e.body()
        self.fake.requests.finish(entry, status, operation=request.form.get("grant_type"))
        return json_response(status, body, {"Cache-Control": "no-store"})

    def revoke(self, request):
        try:
            data = parse_json(request.get_data()) if request.data else {}
            token = data.get("token") if isinstance(data, dict) else None
            self.fake.oauth.revoke(token or request.form.get("token", ""), request.headers.get("Authorization"))
        except OAuthError as e:
            return json_response(e.status, e.body())
        except errors.QBOFault:
            return json_response(400, {"error": "invalid_request"})
        return Response("", status=200)

    def userinfo(self, request):
        realm, reason = self.fake.oauth.check_access(_bearer(request))
        if realm is None:
            return json_response(401, {"error": "invalid_token"})
        return json_response(200, {"sub": realm, "email": "user@fake-qbo.invalid", "emailVerified": True,
                                   "givenName": "Fake", "familyName": "User"})

    def jwks(self, request):
        return json_response(200, {"keys": []})

    # --- accounting API ----------------------------------------------------------------------------
    def api(self, request, tid):
        parts = request.path.strip("/").split("/")
        realm, rest = parts[2] if len(parts) > 2 else "", parts[3:]
        fake = self.fake
        entry = fake.requests.start(request, realm, tid)
        injected = fake.faults.take(request.path)
        if injected is not None and injected["kind"] == "slow":
            time.sleep(float(injected.get("delay", 5)))     # then answer normally
            injected = None
        if injected is not None:
            response = self.injected(injected)
            fake.requests.finish(entry, 0 if response is DROP else response.status_code, injected=injected["kind"])
            return response
        with fake.throttle.slot(realm, rest[:1] == ["batch"]) as allowed:
            if not allowed:
                fake.requests.finish(entry, 429, throttled=True)
                return self.throttled()
            status, payload, info = self.api_call(request, realm, rest)
        fake.requests.finish(entry, status, **info)
        if isinstance(payload, Response):
            return payload
        return Response(payload, status=status, content_type="application/json;charset=UTF-8")

    def api_call(self, request, realm, rest):
        """(status, body bytes or Response, log info) of one authenticated API call."""
        fake, info = self.fake, describe(request, rest)
        token_realm, reason = fake.oauth.check_access(_bearer(request))
        if token_realm is None:
            return 401, unauthorized(reason), info
        co = fake.state.companies.get(realm)
        if token_realm != realm or co is None:
            fault = errors.authorization(f"Token is not authorized for company {realm}")
            return 403, dumps(errors.fault_body(fault, fake.state.clock.time())), info
        requestid = request.args.get("requestid")
        key = (request.method, request.path, requestid)
        if requestid and request.method == "POST":
            with fake.state.lock:
                stored = co.requestids.get(key)
            if stored is not None:
                return stored[0], stored[1], dict(info, replayed=True)
        try:
            status, body = dispatch(fake, co, request, rest)
        except errors.QBOFault as fault:
            status, body = fault.status, errors.fault_body(fault, fake.state.clock.time())
        data = dumps(body)
        if requestid and request.method == "POST":
            with fake.state.lock:
                co.requestids[key] = (status, data)
        if isinstance(body, dict) and "BatchItemResponse" in body:
            info["batch_items"] = len(body["BatchItemResponse"])
        return status, data, info

    def injected(self, fault):
        kind = fault["kind"]
        if kind == "drop":
            return DROP
        if kind == "429":
            return self.throttled()
        if kind == "401":
            return unauthorized("Token expired: injected")
        if kind == "503":
            return Response("<html><body><h1>503 Service Unavailable</h1></body></html>", status=503,
                            content_type="text/html")
        return self.fault_response(500, errors.system_error())

    def fault_response(self, status, fault):
        """A JSON Fault reply stamped with the company clock."""
        return json_response(status, errors.fault_body(fault, self.fake.state.clock.time()))

    def throttled(self):
        body = errors.THROTTLE_XML.format(time=self.fake.state.clock.time())
        return Response(body, status=429, content_type="application/xml")


def dispatch(fake, co, request, rest):
    """Route /v3/company/<realm>/<rest…> to its handler."""
    head = rest[0].lower() if rest else ""
    method = request.method
    if len(rest) == 1 and head == "query" and method in ("GET", "POST"):
        return api.query(fake, co, request)
    if len(rest) == 1 and head == "cdc" and method == "GET":
        return api.cdc(fake, co, request)
    if len(rest) == 1 and head == "batch" and method == "POST":
        return api.batch(fake, co, request)
    if rest == ["taxservice", "taxcode"] and method == "POST":
        return api.taxcode_create(fake, co, request)
    entity = entities.BY_PATH.get(head)
    if entity is not None and len(rest) == 1:
        if method == "POST":
            return api.entity_post(fake, co, request, entity)
        if method == "GET" and entity == "Preferences":
            return api.reply(fake, entity, co.get(entity, "1"))
    if entity is not None and len(rest) == 2 and method == "GET":
        if entity == "CompanyInfo" and rest[1] == co.realm_id:
            return api.reply(fake, entity, co.get(entity, "1"))
        return api.entity_get(fake, co, entity, rest[1])
    raise errors.unsupported_operation(request.path, request.url)


def describe(request, rest):
    """Entity and operation of a request, for the request log."""
    head = rest[0].lower() if rest else ""
    entity = entities.BY_PATH.get(head, head)
    if request.method == "GET":
        operation = "read" if len(rest) == 2 else head
    else:
        operation = request.args.get("operation") or (head if head in ("query", "batch") else "write")
        if request.args.get("include") == "void":
            operation = "void"
    info = {"entity": entity, "operation": operation, "requestid": request.args.get("requestid"),
            "minorversion": request.args.get("minorversion")}
    if operation == "query":
        # The statement (POST body or ?query=): tests check what a client asked for.
        info["statement"] = (request.args.get("query") or request.get_data(as_text=True))[:4000]
    elif request.method == "POST":
        # What a client wrote (tests check that a sparse update sends the changed fields alone).
        info["body"] = request.get_json(silent=True)
    return info


def unauthorized(detail):
    """QuickBooks' 401: the lower-case body and the `WWW-Authenticate` challenge."""
    body = errors.auth_401_body(detail, int(time.time() * 1000))
    return json_response(401, body, {"WWW-Authenticate": 'Bearer realm="Intuit", error="invalid_token"'})


def _bearer(request):
    kind, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if kind.lower() == "bearer" else ""


OAUTH_ROUTES = {
    ("GET", "/connect/oauth2"): App.authorize,
    ("POST", "/connect/oauth2/decision"): App.decision,
    ("POST", "/oauth2/v1/tokens/bearer"): App.token,
    ("POST", "/v2/oauth2/tokens/revoke"): App.revoke,
    ("GET", "/v1/openid_connect/userinfo"): App.userinfo,
    ("GET", "/op/v1/jwks"): App.jwks,
}
