"""Entity operations: create, read, full/sparse update, delete, void, with QuickBooks' rules.

Every operation validates completely before it touches the company (builders only read the
company and return a new object; `commit` functions write), so a rejected request never leaves
half a change behind. Callers hold the state lock.
"""
from . import errors, lists, sales, schema
from .values import present

NAME_LISTS = ("Customer", "Vendor", "Employee", "Item", "Account", "TaxCode", "TaxRate", "Term",
              "PaymentMethod")
TRANSACTIONS = ("Estimate", "Invoice", "CreditMemo", "SalesReceipt", "Payment", "Deposit")
SINGLETONS = ("CompanyInfo", "Preferences")
ENTITIES = NAME_LISTS + TRANSACTIONS + SINGLETONS
BY_PATH = {e.lower(): e for e in ENTITIES}
READ_ONLY_ENTITIES = ("TaxCode", "TaxRate")   # written through taxservice only
# CDC does not serve TaxCode/TaxRate (QBO_API.md §5).
CDC_ENTITIES = tuple(e for e in NAME_LISTS + TRANSACTIONS if e not in ("TaxCode", "TaxRate")) + ("Preferences",)
VOIDABLE = ("Invoice", "SalesReceipt", "Payment", "CreditMemo")

BUILDERS = {**lists.BUILDERS, **sales.BUILDERS}


def clean(entity, payload):
    """Check the body's fields (2010) and drop the read-only ones and unset values."""
    if not isinstance(payload, dict):
        raise errors.bad_request(f"Request body for {entity} must be a JSON object")
    known = schema.FIELDS[entity]
    for key in payload:
        if key not in known:
            raise errors.unsupported_property(key, entity, known)
    keep = sales.INPUT_READ_ONLY.get(entity, ())
    return {k: v for k, v in payload.items()
            if (k not in schema.READ_ONLY or k in keep) and v is not None and v != ""}


def read(co, entity, id_):
    check_id(id_)
    obj = co.get(entity, id_)
    if obj is None:
        raise errors.not_found()
    return obj


def check_id(id_):
    if not str(id_).isdigit():
        raise errors.invalid_id(id_)


def create(co, entity, payload):
    body = clean(entity, payload)
    body.pop("Id", None)
    obj, commit = BUILDERS[entity](co, body, None)
    obj = co.insert(entity, obj)
    commit(obj)
    return obj


def _current(co, entity, body):
    """The stored object an update/delete/void names, with its SyncToken checked (5010)."""
    if not present(body, "Id"):
        raise errors.required("Id")
    check_id(body["Id"])
    old = co.get(entity, str(body["Id"]))
    if old is None:
        raise errors.not_found()
    if not present(body, "SyncToken"):
        raise errors.required("SyncToken")
    if str(body["SyncToken"]) != old["SyncToken"]:
        raise errors.stale()
    if co.deposited.get((entity, old["Id"])):
        raise errors.deposited(entity, old["Id"])
    return old


def update(co, entity, payload):
    """Full update (omitted writable fields become null) or sparse update ("sparse": true)."""
    body = clean(entity, payload)
    old = _current(co, entity, body)
    if body.get("sparse") is True:
        writable = sales.INPUT_READ_ONLY.get(entity, ())   # e.g. a Payment's TotalAmt
        merged = {k: v for k, v in old.items() if k not in schema.READ_ONLY or k in writable}
        if "Line" in body and "TxnTaxDetail" not in body and "TxnTaxDetail" in merged:
            # New lines, no tax given: QuickBooks computes the tax again (a tax given for the
            # old lines is not kept); the document's tax code stays.
            merged["TxnTaxDetail"] = {k: v for k, v in merged["TxnTaxDetail"].items() if k == "TxnTaxCodeRef"}
        merged.update(body)
    else:
        merged = body
    merged["Id"] = old["Id"]
    obj, commit = BUILDERS[entity](co, merged, old)
    obj = co.replace(entity, obj)
    commit(obj)
    return obj


def delete(co, entity, payload):
    """Transactions are hard-deleted; name lists only ever become inactive (rule 11)."""
    if entity not in TRANSACTIONS:
        raise errors.unsupported(f"Operation Delete is not supported for {entity}. Use Active=false.")
    body = clean(entity, payload)
    old = _current(co, entity, body)
    commit = sales.before_delete(co, entity, old)
    stub = co.remove(entity, old["Id"])
    commit()
    return {"domain": "QBO", "status": "Deleted", "Id": stub["Id"]}


def void(co, entity, payload):
    if entity not in VOIDABLE:
        raise errors.unsupported(f"Operation Void is not supported for {entity}.")
    body = clean(entity, payload)
    old = _current(co, entity, body)
    obj, commit = sales.build_void(co, entity, old)
    obj = co.replace(entity, obj, operation="Void")
    commit(obj)
    return obj
