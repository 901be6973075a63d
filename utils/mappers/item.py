"""QuickBooks Item ⇄ Odoo product.product and product.category values, as plain dicts (no ORM).

Product values (both directions) have the keys of :data:`PRODUCT_FIELDS`; category values those
of :data:`CATEGORY_FIELDS`. Money is :class:`~decimal.Decimal`; accounts and categories are
QuickBooks ids (the model layer maps them to Odoo records). Empty values: None.

* Names: Item ``Name`` holds at most 100 characters and no ':' (QuickBooks' sub-item path
  separator): cleaned and cut as for customers (``common.clean_name``), Odoo keeping its full
  name; :func:`pull_changes` knows QuickBooks' copy as ours.
* Types: Service ⇄ ``service``; NonInventory ⇄ ``consu``; Inventory ⇄ ``storable`` (Odoo's goods
  tracked in stock) when ``inventory`` is on (the stock app is installed), else ``consu``. Items
  Odoo has no kind for (Group, Bundle) come down as ``consu``. ``QtyOnHand`` is read, never sent.
* ``Sku`` may be missing from what QuickBooks sends (docs/QBO_API.md §3): then the pulled values
  have no ``sku`` key, and nothing is compared or written for it.
* Prices: sent as numbers; compared at the precision Odoo keeps (``digits``), so a price with more
  decimals than Odoo holds is no change in either direction unless someone changes it.
* The category (``category_qbo_id``) is the Item's ``ParentRef`` when ``SubItem``; a category's
  own parent (``parent_qbo_id``) likewise.
"""

from decimal import Decimal

from . import common
from .common import MappingError, clean_name, money, text
from .common import number as _number

ITEM_NAME_MAX = 100
SKU_MAX = 100
DESCRIPTION_MAX = 4000
PRODUCT_FIELDS = ("name", "sku", "description", "purchase_description", "unit_price", "purchase_cost", "type",
                  "taxable", "sales_tax_code", "income_account", "expense_account", "category_qbo_id", "active")
CATEGORY_FIELDS = ("name", "parent_qbo_id", "active")
_TYPES_OUT = {"service": "Service", "consu": "NonInventory", "storable": "Inventory"}
_TYPES_IN = {"Service": "service", "NonInventory": "consu", "Inventory": "storable"}
# The Item fields updates maintain: field -> sub-fields written (None: scalar).
ITEM_FIELDS = {
    "Name": None, "Sku": None, "Description": None, "PurchaseDesc": None, "UnitPrice": None, "PurchaseCost": None,
    "Type": None, "Taxable": None, "SalesTaxCodeRef": ("value",), "IncomeAccountRef": ("value",),
    "ExpenseAccountRef": ("value",), "Active": None, "SubItem": None, "ParentRef": ("value",),
}
# Never sent empty: QuickBooks needs them (or keeps its own when a sparse update omits them).
_NOT_CLEARABLE = {"Name", "Type", "IncomeAccountRef", "ExpenseAccountRef", "ParentRef", "UnitPrice",
                  "PurchaseCost", "Taxable", "Active", "SubItem", "SalesTaxCodeRef"}


def _ref(value):
    return {"value": text(str(value))} if value else None


def _name(values):
    name = clean_name(values.get("name"), ITEM_NAME_MAX)
    if not name:
        raise MappingError("empty_name")
    return name


def product_to_item(p, disambiguation=1):
    """The Item payload (no Id/SyncToken) of product values ``p``; empty fields omitted.

    :raises MappingError: an empty name, a too long SKU or description, a price that is no number
    """
    name = _name(p) if disambiguation <= 1 else common.disambiguate_display_name(
        p.get("name"), disambiguation, ITEM_NAME_MAX)
    category = p.get("category_qbo_id")
    item = {
        "Name": name,
        "Sku": common.limited(p.get("sku"), SKU_MAX, "Internal Reference"),
        "Description": common.limited(common.plain_text(p.get("description")), DESCRIPTION_MAX, "Sales Description"),
        "PurchaseDesc": common.limited(common.plain_text(p.get("purchase_description")), DESCRIPTION_MAX,
                                       "Purchase Description"),
        "UnitPrice": _number(money(p.get("unit_price")) or Decimal(0)),
        "PurchaseCost": _number(money(p.get("purchase_cost")) or Decimal(0)),
        "Type": _TYPES_OUT.get(p.get("type"), "NonInventory"),
        "Taxable": bool(p.get("taxable")),
        "SalesTaxCodeRef": _ref(p.get("sales_tax_code")),
        "IncomeAccountRef": _ref(p.get("income_account")),
        "ExpenseAccountRef": _ref(p.get("expense_account")),
        "Active": p.get("active", True) is not False,
        "SubItem": bool(category),
        "ParentRef": _ref(category),
    }
    if item["Type"] == "Inventory":  # what creating one needs; no field of an update (ITEM_FIELDS)
        item.update(TrackQtyOnHand=True, QtyOnHand=0, InvStartDate=p.get("inventory_start"),
                    AssetAccountRef=_ref(p.get("asset_account")))
    return {key: value for key, value in item.items() if value is not None and value != ""}


def item_to_product(i, inventory=False):
    """Product values of an Item as read (plus ``qty_on_hand``, information only).

    :raises MappingError: the Item has no name
    """
    active = i.get("Active") is not False
    name = common.strip_deleted(i.get("Name"), active)
    if not name:
        raise MappingError("empty_name")
    kind = _TYPES_IN.get(i.get("Type"), "consu")
    values = {
        "name": name,
        "description": text(i.get("Description")) or None,
        "purchase_description": text(i.get("PurchaseDesc")) or None,
        "unit_price": money(i.get("UnitPrice")) or Decimal(0),
        "purchase_cost": money(i.get("PurchaseCost")) or Decimal(0),
        "type": "consu" if kind == "storable" and not inventory else kind,
        "taxable": bool(i.get("Taxable")),
        "sales_tax_code": _unwrap(i, "SalesTaxCodeRef"),
        "income_account": _unwrap(i, "IncomeAccountRef"),
        "expense_account": _unwrap(i, "ExpenseAccountRef"),
        "category_qbo_id": _unwrap(i, "ParentRef") if i.get("SubItem") else None,
        "active": active,
        "qty_on_hand": money(i.get("QtyOnHand")) if i.get("TrackQtyOnHand") else None,
    }
    if "Sku" in i:
        values["sku"] = text(i.get("Sku")) or None
    return values


def category_to_item(c, disambiguation=1):
    """The Item payload of Type Category for category values ``c``."""
    name = _name(c) if disambiguation <= 1 else common.disambiguate_display_name(
        c.get("name"), disambiguation, ITEM_NAME_MAX)
    parent = c.get("parent_qbo_id")
    return {key: value for key, value in {
        "Name": name, "Type": "Category", "Active": c.get("active", True) is not False,
        "SubItem": bool(parent), "ParentRef": _ref(parent)}.items() if value is not None}


def item_to_category(i):
    """Category values of an Item of Type Category."""
    active = i.get("Active") is not False
    name = common.strip_deleted(i.get("Name"), active)
    if not name:
        raise MappingError("empty_name")
    return {"name": name, "parent_qbo_id": _unwrap(i, "ParentRef") if i.get("SubItem") else None, "active": active}


def pull_changes(current, pulled, keys=PRODUCT_FIELDS, digits=2):
    """The values of ``pulled`` that differ from ``current``, our own mapping aside (a name
    cleaned, cut or disambiguated; prices beyond Odoo's ``digits``). Keys missing from
    ``pulled`` (an Item read without its Sku) are no change."""
    changes = {}
    for key in keys:
        if key not in pulled:
            continue
        mine, theirs = current.get(key), pulled.get(key)
        if key == "name":
            if text(mine) == text(theirs) or common.is_our_display_name(mine, theirs) or \
                    common.is_same_after_mapping(mine, theirs, ITEM_NAME_MAX) or \
                    _is_our_item_name(mine, theirs):
                continue
        elif key in ("unit_price", "purchase_cost"):
            if _rounded(mine, digits) == _rounded(theirs, digits):
                continue
        elif key in ("description", "purchase_description"):
            if common.plain_text(mine) == common.plain_text(theirs):
                continue
        elif key in ("active", "taxable"):
            if (mine is not False and mine is not None) == (theirs is not False and theirs is not None) \
                    if key == "active" else bool(mine) == bool(theirs):
                continue
        elif (mine or None) == (theirs or None):
            continue
        changes[key] = theirs
    return changes


def _is_our_item_name(odoo_name, qbo_name):
    """``qbo_name`` is our disambiguated copy of ``odoo_name``, "Name (2)" within 100 characters."""
    base = common.undisambiguated(text(qbo_name))
    if base == text(qbo_name):
        return False
    attempt = int(text(qbo_name)[len(base) + 2:-1])
    return common.disambiguate_display_name(odoo_name, attempt, ITEM_NAME_MAX) == text(qbo_name)


def _rounded(value, digits):
    amount = money(value) or Decimal(0)
    return amount.quantize(Decimal(1).scaleb(-digits))


def changed_fields(old_payload, new_payload):
    """The sparse-update delta from ``old_payload`` (what QuickBooks holds) to ``new_payload``;
    {} when nothing changed. A cleared text is sent as ""; fields QuickBooks needs are never
    cleared."""
    delta = {}
    for field, subfields in ITEM_FIELDS.items():
        before = common.owned(old_payload.get(field), subfields)
        after = common.owned(new_payload.get(field), subfields)
        if field in ("UnitPrice", "PurchaseCost") and before is not None and after is not None \
                and money(before) == money(after):
            continue
        if field == "Name" and before is not None:
            before = clean_name(common.strip_deleted(before, old_payload.get("Active") is not False), ITEM_NAME_MAX)
        if before == after:
            continue
        if after is not None:
            delta[field] = after
        elif field not in _NOT_CLEARABLE:
            delta[field] = ""
    if delta.get("SubItem") is False:
        delta.pop("ParentRef", None)  # a top-level item again: SubItem false is the whole change
    return delta


def match_keys(values):
    """First-link keys: the SKU, then the name (normalised as for customers: cleaned, case-folded)."""
    sku = text(values.get("sku")).casefold() or None
    name = " ".join(clean_name(values.get("name"), ITEM_NAME_MAX).casefold().split()) or None
    return [key for key in (("sku", sku), ("name", name)) if key[1]]


def _unwrap(i, field):
    value = i.get(field)
    return text(str(value.get("value") or "")) or None if isinstance(value, dict) else None
