"""Products ⇄ Items and categories ⇄ Items of Type Category (docs/ENGINE.md §9): two adapters
sharing QuickBooks' Item entity, each taking its own objects. Field rules are in
``utils/mappers/item.py``; Odoo's side in ``product.py``; accounts in ``qbo_account.py``."""

from odoo import fields
from odoo.tools import SQL

from ..utils.mappers import item as item_mapper
from ..utils.mappers.common import MappingError
from .qbo_adapter import QBOAdapter, register
from .qbo_sales_document import stand_in
from .qbo_sync_mixin import NO_PUSH, QBODependencyPending
from .qbo_tax_maps import TaxMaps

# 6240 (name taken by another item): "Name (2)" ... up to this attempt.
MAX_DISAMBIGUATION = 9
# The fields whose change is uploaded, per model flagging products.
PRODUCT_FIELDS = frozenset({"default_code", "active", "standard_price", "lst_price",
                            "product_template_attribute_value_ids"})
TEMPLATE_FIELDS = frozenset({
    "name", "default_code", "description_sale", "description_purchase", "list_price", "standard_price", "type",
    "is_storable", "taxes_id", "categ_id", "property_account_income_id", "property_account_expense_id", "active",
})
CATEGORY_FIELDS = frozenset({"name", "parent_id", "active"})


class _ItemBase(QBOAdapter):
    """What both Item adapters share: the Item entity, its name rules, its URL."""

    api_entity = "Item"
    direction_field = "product_direction"
    name_field = "Name"
    url_path = "items?itemId=%s"

    def rename_after_duplicate(self, record, binding):
        if binding.disambiguation >= MAX_DISAMBIGUATION:
            return None
        binding.disambiguation = max(binding.disambiguation, 1) + 1
        return {"Name": self.values_payload(self.local_values(record), binding)["Name"]}

    def match_keys(self, values):
        return item_mapper.match_keys(values)

    def changed_fields(self, old_payload, new_payload):
        return item_mapper.changed_fields(old_payload, new_payload)


@register
class CategoryAdapter(_ItemBase):
    """product.category ⇄ Item of Type Category (sub-categories through ParentRef); the root
    "All" is no category in QuickBooks."""

    entity = "Category"
    model = "product.category"
    api_where = "Type = 'Category'"
    depends = ("Category",)
    flagged_by = {"product.category": CATEGORY_FIELDS}
    hierarchy_field = "ParentRef"

    def accepts(self, data):
        return data.get("Type") == "Category"

    def domain(self):
        return []

    def in_scope(self, records, matching=False):
        return records.filtered(lambda c: not c._qbo_is_root())

    def dependencies(self, record):
        parent = record.parent_id
        return [("Category", parent)] if parent and not parent._qbo_is_root() else []

    def references(self, data):
        parent = self.parent_reference(data)
        return [("Category", parent)] if parent else []

    def parent_reference(self, data):
        parent = (data.get("ParentRef") or {}).get("value") if data.get("SubItem") else None
        return str(parent) if parent else None

    def local_values(self, record):
        parent = record.parent_id
        parent_qbo = self.linked_qbo_ids(self.model, parent.ids).get(parent.id) \
            if parent and not parent._qbo_is_root() else None
        return {"name": record.with_context(lang=self.connection.partner_lang).name, "parent_qbo_id": parent_qbo,
                "active": record.active}

    def remote_values(self, data):
        return item_mapper.item_to_category(data)

    def values_payload(self, values, binding):
        return item_mapper.category_to_item(values, binding.disambiguation)

    def pull_changes(self, current, pulled):
        return item_mapper.pull_changes(current, pulled, item_mapper.CATEGORY_FIELDS)

    def _category_vals(self, values):
        vals = {key: values[key] for key in ("name", "active") if key in values}
        if "parent_qbo_id" in values:
            parent = values["parent_qbo_id"]
            parent_id = self.linked_records(self.model, [parent]).get(parent) if parent else None
            if parent and not parent_id:
                return None  # its parent is not in Odoo yet: wait
            vals["parent_id"] = parent_id or self.env.ref("product.product_category_all").id
        return vals

    def create_from_remote(self, values_list):
        Category = self.Model.with_context(lang=self.connection.partner_lang, **{NO_PUSH: True})
        vals_list = [self._category_vals(values) for values in values_list]
        created = iter(Category.create([vals for vals in vals_list if vals is not None]))
        return [next(created) if vals is not None else None for vals in vals_list]

    def apply_remote_values(self, record, values):
        vals = self._category_vals(values)
        if vals is None:
            raise QBODependencyPending(self.env._("Its parent category is not in Odoo yet."))
        record.with_context(lang=self.connection.partner_lang, **{NO_PUSH: True}).write(vals)


@register
class ItemAdapter(_ItemBase):
    """product.product ⇄ Item (Service, NonInventory, Inventory): the product's category is the
    Item's parent category; its accounts map through the connection's account map."""

    entity = "Item"
    model = "product.product"
    api_where = "Type IN ('Service', 'NonInventory', 'Inventory', 'Group', 'Bundle')"
    depends = ("Category",)
    flagged_by = {"product.product": PRODUCT_FIELDS, "product.template": TEMPLATE_FIELDS}

    def __init__(self, connection):
        super().__init__(connection)
        self._maps = self._tax_maps = None
        self._category_ids = {}  # {product.category id: its Item id}

    def accepts(self, data):
        return data.get("Type") != "Category"

    def prepare(self, job):
        self.connection._qbo_accounts_ready(job)

    @property
    def maps(self):
        """The account maps, read once for this adapter's run."""
        if self._maps is None:
            self._maps = self.connection._qbo_account_maps()
        return self._maps

    @property
    def tax_maps(self):
        """The tax map (an item's SalesTaxCodeRef outside the US), read once for this adapter's run."""
        if self._tax_maps is None:
            self._tax_maps = TaxMaps(self.connection)
        return self._tax_maps

    def targets(self, records):
        if records._name == "product.template":
            return records.with_context(active_test=False).product_variant_ids
        return records

    def domain(self):
        return [("company_id", "in", (False, self.connection.company_id.id))]

    def in_scope(self, records, matching=False):
        """The company's products; with "only products used on synced documents", those
        QuickBooks has already and those on a document this connection syncs (uploaded as its
        dependency, at the latest with it)."""
        company = self.connection.company_id
        records = records.filtered(lambda p: not p.company_id or p.company_id == company) - stand_in(self.env)
        if self.connection.product_scope != "used" or matching or not records:
            return records
        self.env["account.move.line"].flush_model(["product_id", "move_id"])
        self.env.cr.execute(SQL(
            "SELECT DISTINCT l.product_id FROM account_move_line l JOIN qbo_binding b ON b.res_model = 'account.move' "
            "AND b.res_id = l.move_id AND b.connection_id = %(c)s WHERE l.product_id IN %(ids)s "
            "UNION SELECT res_id FROM qbo_binding WHERE connection_id = %(c)s AND res_model = 'product.product' "
            "AND res_id IN %(ids)s AND (COALESCE(qbo_id, '') != '' OR request_id IS NOT NULL)",
            c=self.connection.id, ids=tuple(records.ids)))
        used = {row[0] for row in self.env.cr.fetchall()}
        return records.filtered(lambda p: p.id in used)

    def dependencies(self, record):
        category = record.categ_id
        return [("Category", category)] if category and not category._qbo_is_root() else []

    def references(self, data):
        parent = (data.get("ParentRef") or {}).get("value") if data.get("SubItem") else None
        return [("Category", str(parent))] if parent else []

    def match_values(self, records):
        return [(product, {"name": product._qbo_item_name(), "sku": product.default_code}) for product in records]

    # -- mapping ----------------------------------------------------------------------------------
    def local_values(self, record):
        category = record.categ_id
        if category and category.id not in self._category_ids:
            # Kept once known (an id does not change); an unknown one is asked again (it may be
            # uploaded in this run).
            self._category_ids.update(self.linked_qbo_ids("product.category", category.ids))
        return record.with_context(lang=self.connection.partner_lang)._qbo_local_values(
            self.connection, self.maps, self._category_ids, self.tax_maps)

    def remote_values(self, data):
        return item_mapper.item_to_product(data, inventory="is_storable" in self.env["product.template"]._fields)

    def values_payload(self, values, binding):
        values = dict(values)
        for key, default in (("income_account", self.connection.default_income_account_id),
                             ("expense_account", self.connection.default_expense_account_id)):
            if not values.get(key):
                values[key] = default.qbo_id or None
        if not values["income_account"]:
            raise MappingError("no_account", kind=self.env._("income"))
        if values.get("type") == "storable":
            # An Inventory item is created with its asset account and a quantity of 0 as of today:
            # Odoo's stock is never sent (QtyOnHand is no field of an update).
            asset = self.env["qbo.account"].sudo().search([
                ("connection_id", "=", self.connection.id), ("account_type", "=", "Other Current Asset"),
                ("name", "ilike", "inventory")], limit=1)
            if not asset:
                raise MappingError("no_account", kind=self.env._("inventory asset"))
            values.update(asset_account=asset.qbo_id, inventory_start=fields.Date.context_today(
                self.connection).isoformat())
        return item_mapper.product_to_item(values, binding.disambiguation)

    def pull_changes(self, current, pulled):
        digits = self.env["decimal.precision"].precision_get("Product Price")
        changes = item_mapper.pull_changes(current, pulled, digits=digits)
        for key in ("income_account", "expense_account"):
            # An account Odoo cannot map is no difference: QuickBooks' stays until Odoo's changes.
            if key in changes and not (current.get(key) and pulled.get(key)):
                del changes[key]
        if "qty_on_hand" in pulled and pulled["qty_on_hand"] != current.get("qty_on_hand"):
            changes["qty_on_hand"] = pulled["qty_on_hand"]
        return changes

    def push_note(self, record, data):
        account = record.product_tmpl_id.with_company(self.connection.company_id)._get_product_accounts()["income"]
        if self.maps[0].get(account.id):
            return None
        return self.env._(
            "%(account)s maps to no QuickBooks account: QuickBooks' default income account %(default)s was used.",
            account=account.display_name or self.env._("No income account"),
            default=self.connection.default_income_account_id.display_name)

    def first_link_fill(self, changes):
        changes.pop("qty_on_hand", None)
        return changes

    # -- writing into Odoo ------------------------------------------------------------------------
    def _category_id(self, values):
        """The Odoo category of the Item's ``category_qbo_id``: False for none, None when the
        category is not in Odoo yet."""
        parent = values.get("category_qbo_id")
        if not parent:
            return False
        found = self.linked_records("product.category", [parent]).get(parent)
        if found:
            return found
        # The parent of a sub-item may be an item, not a category: no category then.
        return False if self.linked_records("product.product", [parent]) else None

    def create_from_remote(self, values_list):
        Template = self.env["product.template"].with_company(self.connection.company_id).with_context(
            lang=self.connection.partner_lang, **{NO_PUSH: True})
        vals_list = []
        for values in values_list:
            category_id = self._category_id(values)
            if category_id is None:
                vals_list.append(None)
                continue
            vals = self.env["product.product"]._qbo_product_vals(self.connection, values, self.maps, category_id,
                                                                 self.tax_maps)
            vals.update(default_code=values.get("sku") or False, standard_price=float(values["purchase_cost"]),
                        active=values["active"], company_id=False)
            vals_list.append(vals)
        templates = iter(Template.create([vals for vals in vals_list if vals is not None]))
        results = []
        for values, vals in zip(values_list, vals_list, strict=True):
            if vals is None:
                results.append(None)
                continue
            product = next(templates).with_context(active_test=False).product_variant_ids[:1]
            if values.get("qty_on_hand"):
                product.with_context(**{NO_PUSH: True}).qbo_qty_on_hand = float(values["qty_on_hand"])
            results.append(product)
        return results

    def apply_remote_values(self, record, values):
        category_id = self._category_id(values) if "category_qbo_id" in values else False
        if category_id is None:
            raise QBODependencyPending(self.env._("Its category is not in Odoo yet."))
        record._qbo_apply_remote_values(self.connection, values, self.maps, category_id, self.tax_maps)
