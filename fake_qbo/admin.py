"""Server side of the control API (`/_fake/…`): JSON in, JSON out, no auth.

`handle(fake, request) -> (status, body)`; errors answer {"error": "..."} with 400/404.
The client of this API is `fake_qbo.control.Control`.
"""
import json

from . import entities, errors, lists


class ControlError(Exception):
    pass


def handle(fake, request):
    path = request.path[len("/_fake/"):].strip("/")
    parts = path.split("/")
    handler = ROUTES.get((request.method, parts[0]))
    if handler is None:
        return 404, {"error": f"unknown control call {request.method} /_fake/{path}"}
    try:
        raw = request.get_data(parse_form_data=False)     # curl -d sends a form content type
        body = json.loads(raw) if raw.strip() else {}
        if not isinstance(body, dict):
            raise ControlError("control calls take a JSON object")
        return 200, handler(fake, request, body, parts[1:])
    except (ControlError, ValueError, KeyError, TypeError) as e:
        return 400, {"error": str(e)}
    except errors.QBOFault as fault:
        return fault.status, {"Fault": fault.fault()}


def reset(fake, request, body, rest):
    fake.reset()
    return {"realm_id": fake.realm_id}


def seed(fake, request, body, rest):
    return fake.seed_company(body, body.get("realm"))


def companies(fake, request, body, rest):
    realm = fake.add_company(body.get("country", "US"), bool(body.get("multicurrency")), body.get("name"))
    return {"realm_id": realm}


def consent(fake, request, body, rest):
    mode = body.get("mode", "ask")
    if mode not in ("ask", "approve", "deny"):
        raise ControlError("mode must be ask, approve or deny")
    if body.get("realm") and body["realm"] not in fake.state.companies:
        raise ControlError(f"unknown realm {body['realm']}")
    fake.consent.update(mode=mode, realm=body.get("realm"))
    return dict(fake.consent)


def add_fault(fake, request, body, rest):
    fake.faults.add(str(body["kind"]), body.get("count", 1), body.get("match", ""), body.get("delay", 5))
    return {"pending": len(fake.faults.pending)}


def clear_faults(fake, request, body, rest):
    fake.faults.clear()
    return {"pending": 0}


def tokens(fake, request, body, rest):
    kind = body.get("expire", "access")
    if kind not in ("access", "refresh", "all"):
        raise ControlError("expire must be access, refresh or all")
    fake.oauth.expire(kind)
    return {"expired": kind}


def requests_log(fake, request, body, rest):
    return {"requests": fake.requests.since(int(request.args.get("since", 0)))}


def clear_requests(fake, request, body, rest):
    fake.requests.clear()
    return {"cleared": True}


def clock(fake, request, body, rest):
    c = fake.state.clock
    with fake.state.lock:
        if "advance" in body:
            c.advance(body["advance"])
        if "set" in body:
            c.set(body["set"])
    return {"now": c.stamp()}


def config(fake, request, body, rest):
    hooks = fake.webhooks
    for key, attr in (("webhook_url", "url"), ("webhook_format", "format"), ("verifier_token", "verifier_token")):
        if key in body:
            setattr(hooks, attr, body[key])
    if "webhook_retry_delays" in body:
        hooks.delays = [float(d) for d in body["webhook_retry_delays"]]
    if "throttle" in body:
        fake.throttle.enabled = bool(body["throttle"])
    if "limits" in body:
        unknown = set(body["limits"]) - set(fake.throttle.limits)
        if unknown:
            raise ControlError(f"unknown limits {sorted(unknown)}")
        fake.throttle.limits.update({k: int(v) for k, v in body["limits"].items()})
    if "tax_rounding" in body:
        if body["tax_rounding"] not in ("line", "total"):
            raise ControlError("tax_rounding is 'line' or 'total'")
        fake.company(body.get("realm")).tax_rounding = body["tax_rounding"]
    return {"webhook_url": hooks.url, "webhook_format": hooks.format, "webhook_retry_delays": hooks.delays,
            "throttle": fake.throttle.enabled, "limits": fake.throttle.limits}


def webhook_deliveries(fake, request, body, rest):
    return {"deliveries": fake.webhooks.snapshot()}


def merge(fake, request, body, rest):
    """QBO merge: `from` disappears (CDC Deleted), `to` survives with SyncToken+1."""
    entity = body.get("entity", "Customer")
    if entity not in ("Customer", "Vendor", "Employee", "Item", "Account"):
        raise ControlError(f"cannot merge {entity}")
    co = fake.company(body.get("realm"))
    src, dst = str(body["from"]), str(body["to"])
    with fake.state.lock:
        if src == dst or co.get(entity, src) is None or co.get(entity, dst) is None:
            raise ControlError("from and to must be two existing objects")
        gone = co.get(entity, src)
        co.names.pop(lists.index_key(entity, gone), None)
        co.remove(entity, src)
        survivor = co.replace(entity, dict(co.get(entity, dst)), operation="Merge", extra={"deleted_id": src})
    return {"entity": entity, "deleted": src, "survivor": survivor}


def entity_call(fake, request, body, rest):
    """Act as a QuickBooks user: create/sparse-update (POST) or read (GET), still validated."""
    if not rest or rest[0] not in entities.ENTITIES:
        raise ControlError(f"unknown entity {rest[:1]}")
    entity = rest[0]
    co = fake.company(request.args.get("realm") or body.get("realm"))
    body = {k: v for k, v in body.items() if k != "realm"}
    with fake.state.lock:
        if request.method == "GET":
            return {entity: entities.read(co, entity, rest[1])}
        if "Id" in body:
            current = co.get(entity, str(body["Id"]))
            if current is None:
                raise errors.not_found()
            operation = body.pop("operation", None)
            if operation in ("void", "delete"):  # the user voids or deletes it in QuickBooks' screens
                return {entity: getattr(entities, operation)(co, entity, {"Id": current["Id"],
                                                                          "SyncToken": current["SyncToken"]})}
            body = dict(body, SyncToken=current["SyncToken"], sparse=True)
            return {entity: entities.update(co, entity, body)}
        return {entity: entities.create(co, entity, body)}


def raw_write(fake, request, body, rest):
    """Store fields on an existing object as given, unchecked: data QuickBooks' API refuses but a
    company may hold anyway (e.g. two customers each other's ParentRef). A new version as any
    change (SyncToken+1, LastUpdatedTime, CDC, webhook); a field given as null is removed."""
    if not rest or rest[0] not in entities.ENTITIES:
        raise ControlError(f"unknown entity {rest[:1]}")
    entity = rest[0]
    co = fake.company(request.args.get("realm") or body.get("realm"))
    fields = {k: v for k, v in body.items() if k not in ("realm", "Id", "SyncToken", "MetaData")}
    with fake.state.lock:
        current = co.get(entity, str(body.get("Id")))
        if current is None:
            raise errors.not_found()
        obj = co.replace(entity, {k: v for k, v in {**current, **fields}.items() if v is not None})
        if entity in lists.BUILDERS:  # a name list: keep the name index in step (a nameless one has none)
            co.names.pop(lists.index_key(entity, current), None)
            if obj.get(lists.name_field(entity)):
                co.names[lists.index_key(entity, obj)] = obj["Id"]
        return {entity: obj}


ROUTES = {
    ("POST", "reset"): reset, ("POST", "seed"): seed, ("POST", "companies"): companies,
    ("POST", "consent"): consent, ("POST", "faults"): add_fault, ("DELETE", "faults"): clear_faults,
    ("POST", "tokens"): tokens, ("GET", "requests"): requests_log, ("DELETE", "requests"): clear_requests,
    ("POST", "clock"): clock, ("POST", "config"): config, ("GET", "webhooks"): webhook_deliveries,
    ("POST", "merge"): merge, ("POST", "entity"): entity_call, ("GET", "entity"): entity_call,
    ("POST", "raw"): raw_write,
}
