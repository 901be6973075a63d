"""Name lists: Customer, Vendor, Employee, Item, Account, Term, PaymentMethod, TaxCode, TaxRate.

A builder `(company, body, old) -> (object, commit)` validates and computes without writing;
`commit(stored)` then updates the name index. Names are unique per namespace, compared
case-insensitively; Customer, Vendor and Employee share one namespace (rule 10).
"""
from . import errors, schema
from .values import ZERO, boolean, check_name, present, ref_value

DELETED = " (deleted)"
NAMESPACE = {"Customer": "party", "Vendor": "party", "Employee": "party"}
ACCOUNT_TYPES = {
    "Bank": "Asset", "Other Current Asset": "Asset", "Fixed Asset": "Asset", "Other Asset": "Asset",
    "Accounts Receivable": "Asset", "Equity": "Equity", "Expense": "Expense",
    "Other Expense": "Expense", "Cost of Goods Sold": "Expense", "Accounts Payable": "Liability",
    "Credit Card": "Liability", "Long Term Liability": "Liability",
    "Other Current Liability": "Liability", "Income": "Revenue", "Other Income": "Revenue"}
ITEM_TYPES = ("Inventory", "NonInventory", "Service", "Category")


def name_key(entity, name):
    return (NAMESPACE.get(entity, entity), name.casefold())


def index_key(entity, obj):
    """The key under which a stored object is held in the company's name index (`co.names`)."""
    return name_key(entity, obj[name_field(entity)])


def ref(co, body, field, entity, required=False):
    """Validate a reference: missing → 2020 (when required), unknown → 2500, inactive → 610."""
    value = ref_value(body, field)
    if value is None:
        if required:
            raise errors.required(field)
        return None
    target = co.get(entity, value)
    if target is None:
        raise errors.invalid_reference(field, value)
    if target.get("Active") is False:
        raise errors.inactive_reference(field)
    return {"value": value, "name": display_name(target)}


def display_name(obj):
    return obj.get("FullyQualifiedName") or obj.get("DisplayName") or obj.get("Name") or ""


def _active_name(name, active):
    """Deactivation adds ' (deleted)' (as recorded by QBO), reactivation removes it."""
    base = name.removesuffix(DELETED)
    return base if active else base + DELETED


def _unique(co, entity, name, id_):
    owner = co.names.get(name_key(entity, name))
    if owner is not None and owner != id_:
        raise errors.duplicate_name()


def _committer(co, entity, old):
    def commit(obj):
        if old is not None:
            co.names.pop(index_key(entity, old), None)
        co.names[index_key(entity, obj)] = obj["Id"]
    return commit


def name_field(entity):
    if entity in NAMESPACE:
        return "DisplayName"
    return "FullyQualifiedName" if entity in ("Item", "Account") else "Name"


def _hierarchy(co, entity, body, obj, name, old):
    """ParentRef → Level and FullyQualifiedName 'Parent:Child' (max 5 levels)."""
    parent = ref(co, body, "ParentRef", entity) if present(body, "ParentRef") else None
    if parent is None:
        obj.update(Level=0, FullyQualifiedName=name)
        return None
    if old is not None and parent["value"] == old["Id"]:
        raise errors.business("An object cannot be its own parent")
    p = co.get(entity, parent["value"])
    if old is not None and _descends_from(co, entity, p, old["Id"]):
        raise errors.business("An object cannot be the parent of its own parent")  # wording UNCONFIRMED
    if p.get("Level", 0) >= 4:
        raise errors.business("Hierarchy is limited to 5 levels")
    obj.update(ParentRef={"value": parent["value"]}, Level=p.get("Level", 0) + 1,
               FullyQualifiedName=f"{p['FullyQualifiedName']}:{name}")
    return p


def _descends_from(co, entity, obj, ancestor_id):
    """Whether `ancestor_id` is up `obj`'s ParentRef chain (stops on a loop already stored)."""
    seen = set()
    while obj is not None and obj["Id"] not in seen:
        seen.add(obj["Id"])
        parent_id = (obj.get("ParentRef") or {}).get("value")
        if parent_id == ancestor_id:
            return True
        obj = co.get(entity, parent_id) if parent_id else None
    return False


def _base(co, entity, body, old):
    obj = {"domain": "QBO", "sparse": False}
    active = boolean(body, "Active", True)
    obj["Active"] = active
    if old is not None:
        obj["Id"] = old["Id"]
    return obj, active


def build_party(entity):
    def build(co, body, old):
        obj, active = _base(co, entity, body, old)
        for field, limit in schema.NAME_LIMITS.items():
            if present(body, field):
                check_name(field, body[field].removesuffix(DELETED) if field == "DisplayName" else body[field], limit)
                obj[field] = body[field]
        if "DisplayName" not in obj:
            parts = [body.get(f) for f in ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")]
            built = " ".join(p for p in parts if p) or body.get("CompanyName")
            if not built:
                raise errors.required("DisplayName")
            obj["DisplayName"] = built
        obj["DisplayName"] = _active_name(obj["DisplayName"], active)
        obj.setdefault("PrintOnCheckName", obj["DisplayName"].removesuffix(DELETED))
        _unique(co, entity, obj["DisplayName"], obj.get("Id"))
        email = (body.get("PrimaryEmailAddr") or {}).get("Address")
        if email and ("@" not in email or "." not in email):
            raise errors.invalid_value("PrimaryEmailAddr",
                                       "Email Address does not conform to the syntax rules of RFC 822.", "6000")
        for key in schema.FIELDS[entity] - schema.READ_ONLY - set(schema.NAME_LIMITS) - schema.COMMON:
            if key not in obj and present(body, key) and not key.endswith("Ref"):
                obj[key] = body[key]
        _currency(co, body, obj, old)
        EXTRAS[entity](co, body, obj, old)
        return obj, _committer(co, entity, old)
    return build


def _currency(co, body, obj, old):
    home = co.home_currency()
    value = ref_value(body, "CurrencyRef") or home
    if value != home and not co.multicurrency:
        raise errors.business(f"Multicurrency is not enabled; CurrencyRef must be {home}")
    if old is not None and old.get("CurrencyRef", {}).get("value", value) != value:
        raise errors.business("You can't change the currency of a name that has been used")
    obj["CurrencyRef"] = {"value": value, "name": co.currency_name(value)}


def _customer(co, body, obj, old):
    obj.setdefault("Taxable", True)
    obj.setdefault("PreferredDeliveryMethod", "Print")
    obj["BillWithParent"] = boolean(body, "BillWithParent", False)
    obj["Balance"] = (old or {}).get("Balance", ZERO)
    obj["BalanceWithJobs"] = (old or {}).get("BalanceWithJobs", ZERO)
    for field, target in (("SalesTermRef", "Term"), ("PaymentMethodRef", "PaymentMethod"),
                          ("DefaultTaxCodeRef", "TaxCode"), ("ARAccountRef", "Account")):
        if present(body, field):
            obj[field] = {"value": ref(co, body, field, target)["value"]}
    parent = _hierarchy(co, "Customer", body, obj, obj["DisplayName"], old)
    obj["Job"] = parent is not None


def _vendor(co, body, obj, old):
    obj.setdefault("Vendor1099", False)
    obj["Balance"] = (old or {}).get("Balance", ZERO)
    for field, target in (("TermRef", "Term"), ("APAccountRef", "Account")):
        if present(body, field):
            obj[field] = ref(co, body, field, target)


def _employee(co, body, obj, old):
    obj.pop("CurrencyRef", None)
    obj.pop("CompanyName", None)


EXTRAS = {"Customer": _customer, "Vendor": _vendor, "Employee": _employee}


def build_named(entity, extra):
    """Item, Account, Term, PaymentMethod: `Name` required, unique, no ':'."""
    def build(co, body, old):
        obj, active = _base(co, entity, body, old)
        if not present(body, "Name"):
            raise errors.required("Name")
        name = body["Name"].removesuffix(DELETED)
        check_name("Name", name, schema.NAME_LIST_NAME_LIMIT)
        for key in schema.FIELDS[entity] - schema.READ_ONLY - schema.COMMON:
            if present(body, key) and not key.endswith("Ref"):
                obj[key] = body[key]
        obj["Name"] = _active_name(name, active)
        extra(co, body, obj, old)
        _unique(co, entity, obj[name_field(entity)], obj.get("Id"))
        return obj, _committer(co, entity, old)
    return build


def _item(co, body, obj, old):
    obj.setdefault("Type", "NonInventory")
    if obj["Type"] not in ITEM_TYPES:
        raise errors.invalid_enum("Type", obj["Type"])
    obj.setdefault("Taxable", False)
    obj.setdefault("UnitPrice", 0)
    needs = {"Service": ("IncomeAccountRef",), "NonInventory": ("IncomeAccountRef",),
             "Inventory": ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"),
             "Category": ()}[obj["Type"]]
    for field in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
        r = ref(co, body, field, "Account", required=field in needs)
        if r:
            obj[field] = r
    for field in ("SalesTaxCodeRef", "PurchaseTaxCodeRef"):
        r = ref(co, body, field, "TaxCode")
        if r:
            obj[field] = r
    if obj["Type"] == "Inventory":
        obj["TrackQtyOnHand"] = True
        for field in ("QtyOnHand", "InvStartDate"):
            if not present(body, field):
                raise errors.required(field)
    else:
        obj["TrackQtyOnHand"] = False
    obj["SubItem"] = present(body, "ParentRef")
    _hierarchy(co, "Item", body, obj, obj["Name"], old)


def _account(co, body, obj, old):
    kind = obj.get("AccountType")
    if not kind:
        raise errors.required("AccountType")
    if kind not in ACCOUNT_TYPES:
        raise errors.invalid_enum("AccountType", kind)
    obj["Classification"] = ACCOUNT_TYPES[kind]
    obj["SubAccount"] = present(body, "ParentRef")
    obj["CurrentBalance"] = (old or {}).get("CurrentBalance", 0)
    obj["CurrentBalanceWithSubAccounts"] = (old or {}).get("CurrentBalanceWithSubAccounts", 0)
    _currency(co, body, obj, old)
    _hierarchy(co, "Account", body, obj, obj["Name"], old)


def _term(co, body, obj, old):
    obj.setdefault("Type", "STANDARD")
    if obj["Type"] not in ("STANDARD", "DATE_DRIVEN"):
        raise errors.invalid_enum("Type", obj["Type"])


def _payment_method(co, body, obj, old):
    obj.setdefault("Type", "NON_CREDIT_CARD")
    if obj["Type"] not in ("CREDIT_CARD", "NON_CREDIT_CARD"):
        raise errors.invalid_enum("Type", obj["Type"])


def _tax(co, body, obj, old):
    """TaxCode/TaxRate are created by the company bootstrap or taxservice, kept as given."""
    for key in ("SalesTaxRateList", "PurchaseTaxRateList", "AgencyRef", "RateValue"):
        if key in body:
            obj[key] = body[key]


def build_tax_code(co, name):
    """(TaxCode, commit) of a sales tax code named `name`, validated; `set_sales_rates` fills it in
    (separately, so a bad name is refused before any new TaxRate is stored)."""
    return BUILDERS["TaxCode"](co, {"Name": name, "Description": name}, None)


def set_sales_rates(code, rates):
    """Apply `rates` [(TaxRate Id, name), ...] to sales, as the company bootstrap and
    `taxservice/taxcode` do: no purchase rates, a tax group when there are several."""
    details = [{"TaxRateRef": {"value": id_, "name": rate_name}, "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}
               for id_, rate_name in rates]
    code.update(Taxable=True, TaxGroup=len(details) > 1, SalesTaxRateList={"TaxRateDetail": details},
                PurchaseTaxRateList={"TaxRateDetail": []})
    return code


BUILDERS = {
    "Customer": build_party("Customer"), "Vendor": build_party("Vendor"),
    "Employee": build_party("Employee"), "Item": build_named("Item", _item),
    "Account": build_named("Account", _account), "Term": build_named("Term", _term),
    "PaymentMethod": build_named("PaymentMethod", _payment_method),
    "TaxCode": build_named("TaxCode", _tax), "TaxRate": build_named("TaxRate", _tax),
}
