"""The accounting API under /v3/company/<realm>/: entity verbs, query, CDC, batch, taxservice.

Each handler gets (fake, company, request, parts) and returns (status, body dict) or raises
QBOFault. Callers hold no lock: handlers take `fake.state.lock` around anything that reads
several records or writes.
"""
from datetime import timedelta

from . import entities, errors, lists
from .store import parse_time

CDC_LIMIT = 1000
CDC_DAYS = 30
BATCH_LIMIT = 30


def reply(fake, entity, obj):
    return 200, {entity: obj, "time": fake.state.clock.time()}


def entity_post(fake, co, request, entity):
    """POST <entity>[?operation=delete|void|update&include=void]: create or update."""
    if entity in entities.READ_ONLY_ENTITIES:
        raise errors.unsupported(f"Operation create/update is not supported for {entity}; use taxservice/taxcode.")
    body = request_json(request)
    operation = request.args.get("operation", "")
    include = request.args.get("include", "")
    if operation == "update" and include == "void":
        operation = "void"
    with fake.state.lock:
        co.allow_duplicate_docnum = "allowduplicatedocnum" in include.lower()
        try:
            return reply(fake, entity, write(co, entity, operation, body))
        finally:
            co.allow_duplicate_docnum = False


def write(co, entity, operation, body):
    """One write, shared by the single-entity endpoint and batch items."""
    if operation in ("", "create", "update"):
        if not isinstance(body, dict):
            raise errors.bad_request(f"Request body for {entity} must be a JSON object")
        if operation == "update" or ("Id" in body and body.get("Id") not in (None, "", 0, "0")):
            return entities.update(co, entity, body)
        if entity in entities.SINGLETONS:
            raise errors.required("Id")
        return entities.create(co, entity, body)
    if operation == "delete":
        return entities.delete(co, entity, body)
    if operation == "void":
        return entities.void(co, entity, body)
    raise errors.unsupported(f"Operation {operation} is not supported.")


def entity_get(fake, co, entity, id_):
    if entity == "TaxCode" and id_ in ("TAX", "NON"):
        obj = co.get(entity, id_)
        if obj is None:
            raise errors.not_found()
        return reply(fake, entity, obj)
    return reply(fake, entity, entities.read(co, entity, id_))


def request_json(request):
    from .app import parse_json  # one JSON decoder for the whole server
    return parse_json(request.get_data())


def run_query(fake, co, text):
    """The QueryResponse body of one statement (QueryError → 4000/4001 Fault)."""
    from . import query as qmod
    try:
        q = qmod.parse(text, entities.ENTITIES)
        with fake.state.lock:
            records = co.all(q.entity)
        return qmod.execute(q, records)
    except qmod.QueryError as e:
        raise errors.QBOFault(400, e.code, e.message, e.detail) from None


def query(fake, co, request):
    text = request.get_data().decode("utf-8") if request.method == "POST" else request.args.get("query", "")
    if not text.strip():
        raise errors.QBOFault(400, "4000", "Error parsing query", "QueryParserError: Encountered <EOF>")
    return 200, {"QueryResponse": run_query(fake, co, text), "time": fake.state.clock.time()}


def cdc(fake, co, request):
    names = [n.strip() for n in request.args.get("entities", "").split(",") if n.strip()]
    since_text = request.args.get("changedSince", "")
    if not names:
        raise errors.required("entities")
    if not since_text:
        raise errors.required("changedSince")
    try:
        since = parse_time(since_text)
    except ValueError:
        raise errors.invalid_value("changedSince", f"Invalid changedSince: {since_text}", "2080",
                                   "Illegal date format") from None
    now = fake.state.clock.now()
    if since < now - timedelta(days=CDC_DAYS):
        raise errors.QBOFault(400, "6000", "A business validation error has occurred while processing your request",
                              f"Operation cdc with changedSince date {since_text} which is older than fixed "
                              "days is not supported.")
    by_lower = {e.lower(): e for e in entities.CDC_ENTITIES}
    out, budget = [], CDC_LIMIT
    with fake.state.lock:
        for name in names:
            entity = by_lower.get(name.lower())
            if entity is None:
                raise errors.QBOFault(400, "4001", "Invalid query",
                                      f"QueryValidationError: CDC is not supported for {name}")
            rows = co.changed_since(entity, since)[:budget]
            budget -= len(rows)
            out.append({entity: rows, "startPosition": 1, "maxResults": len(rows)} if rows else {})
    return 200, {"CDCResponse": [{"QueryResponse": out}], "time": fake.state.clock.time()}


def batch(fake, co, request):
    body = request_json(request)
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise errors.required("BatchItemRequest")
    if len(items) > BATCH_LIMIT:
        raise errors.QBOFault(400, "6000", "A business validation error has occurred while processing your request",
                              f"Batch request cannot contain more than {BATCH_LIMIT} items "
                              f"({len(items)} given).")
    return 200, {"BatchItemResponse": [batch_item(fake, co, item) for item in items],
                 "time": fake.state.clock.time()}


def batch_item(fake, co, item):
    """One batch item; its failure is a Fault inside the HTTP 200 (rule 9)."""
    bid = item.get("bId") if isinstance(item, dict) else None
    try:
        if not bid:
            raise errors.required("bId")
        if "Query" in item:
            return {"QueryResponse": run_query(fake, co, item["Query"]), "bId": bid}
        names = [k for k in item if k in entities.ENTITIES]
        if len(names) != 1:
            raise errors.QBOFault(400, "2010", "Request has invalid or unsupported property",
                                  f"Batch item {bid} must carry exactly one entity object")
        entity = names[0]
        operation = item.get("operation", "create")
        if operation == "update" and item.get("optionsData") == "void":
            operation = "void"
        if entity in entities.READ_ONLY_ENTITIES:
            raise errors.unsupported(f"Operation not supported for {entity}.")
        with fake.state.lock:
            obj = write(co, entity, operation, item[entity])
        return {entity: obj, "bId": bid}
    except errors.QBOFault as fault:
        return {"Fault": fault.fault(), "bId": bid}


def taxcode_create(fake, co, request):
    """POST taxservice/taxcode: {"TaxCode": name, "TaxRateDetails": [{TaxRateName, RateValue, ...}]}."""
    body = request_json(request)
    name = body.get("TaxCode") if isinstance(body, dict) else None
    details = body.get("TaxRateDetails") if isinstance(body, dict) else None
    if not name:
        raise errors.required("TaxCode")
    if not details:
        raise errors.required("TaxRateDetails")
    with fake.state.lock:
        built = []
        for d in details:
            if d.get("TaxRateId"):
                built.append((co.get("TaxRate", str(d["TaxRateId"])) or _bad_rate(d["TaxRateId"]), None))
                continue
            rate = {"Name": d.get("TaxRateName"), "RateValue": d.get("RateValue"),
                    "AgencyRef": {"value": str(d.get("TaxAgencyId", "1"))}}
            built.append(lists.BUILDERS["TaxRate"](co, rate, None))
        if len({b[0]["Name"].casefold() for b in built}) < len(built):
            raise errors.duplicate_name("Another tax rate is already using this \nname. Please use a different name.")
        code, code_commit = lists.build_tax_code(co, name)
        out = []
        for obj, commit in built:
            if commit is not None:
                commit(co.insert("TaxRate", obj))
            out.append({"TaxRateId": obj["Id"], "TaxRateName": obj["Name"], "RateValue": obj.get("RateValue"),
                        "TaxApplicableOn": "Sales"})
        lists.set_sales_rates(code, [(r["TaxRateId"], r["TaxRateName"]) for r in out])
        code_commit(co.insert("TaxCode", code))
    return 200, {"TaxCode": name, "TaxCodeId": code["Id"], "TaxRateDetails": out}


def _bad_rate(value):
    raise errors.invalid_reference("TaxRateId", value)
