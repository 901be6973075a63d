"""Products and categories ⇄ QuickBooks Items (docs/ENGINE.md §9): what the Item and Category
adapters (qbo_adapter_item.py) ask of Odoo's products. A product.product is one Item (a variant
named "Template (Variant values)"); edits made on its template flag its variants; the root
category "All" is QuickBooks' "no category"."""

from odoo import api, fields, models

from ..utils.mappers.common import MappingError
from .qbo_sync_mixin import NO_PUSH


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "qbo.sync.mixin"]

    # QuickBooks makes categories inactive rather than deleting them: Odoo archives them too.
    active = fields.Boolean(default=True)

    def _qbo_is_root(self):
        """Whether ``self`` is the root category "All": no QuickBooks category (a top-level item)."""
        return self == self.env.ref("product.product_category_all", raise_if_not_found=False)


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "qbo.sync.mixin"]

    qbo_qty_on_hand = fields.Float(
        "QuickBooks Quantity on Hand", related="product_variant_ids.qbo_qty_on_hand", digits="Product Unit of Measure",
        help="Read from QuickBooks for information: Odoo's stock never changes from it, nor is it sent.")

    # The badge of a template is its variant's (single-variant) or its first variant's.
    @api.depends("product_variant_ids.qbo_binding_ids.state", "product_variant_ids.qbo_binding_ids.qbo_id",
                 "product_variant_ids.qbo_binding_ids.last_sync_at", "product_variant_ids.qbo_binding_ids.last_error")
    @api.depends_context("company")
    def _compute_qbo_binding_fields(self):
        for template in self:
            variant = template.product_variant_ids[:1]
            for name in ("qbo_id", "qbo_sync_state", "qbo_last_sync_at", "qbo_last_error", "qbo_url"):
                template[name] = variant[name] if variant else False

    def _qbo_search_bindings(self, domain):
        variant_ids = self.env["product.product"]._qbo_search_bindings(domain)
        return self.env["product.product"].with_context(active_test=False).browse(variant_ids).product_tmpl_id.ids

    def action_qbo_sync_now(self):
        return self.product_variant_ids.action_qbo_sync_now()

    def action_qbo_open_in_quickbooks(self):
        self.ensure_one()
        return self.product_variant_ids[:1].action_qbo_open_in_quickbooks()


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "qbo.sync.mixin"]

    qbo_qty_on_hand = fields.Float(
        "QuickBooks Quantity on Hand", readonly=True, copy=False, digits="Product Unit of Measure",
        help="Read from QuickBooks for information: Odoo's stock never changes from it, nor is it sent.")

    def _qbo_item_name(self):
        """The Item's name: the product's, with its variant values ("Shirt (Red, L)")."""
        return self.with_context(display_default_code=False).display_name

    def _qbo_item_type(self):
        if self.type == "service":
            return "service"
        return "storable" if self._fields.get("is_storable") and self.is_storable else "consu"

    def _qbo_local_values(self, connection, maps, category_ids, tax_maps):
        """Mapper values (utils/mappers/item.py) of the product for ``connection``: ``maps`` are
        the account maps (``_qbo_account_maps``), ``category_ids`` {category id: QuickBooks id},
        ``tax_maps`` the tax map (outside the US an item names its sales tax code)."""
        self.ensure_one()
        product = self.with_company(connection.company_id)
        accounts = product.product_tmpl_id._get_product_accounts()
        taxes = product.taxes_id.filtered(lambda t: t.company_id in (connection.company_id, False)
                                          or not t.company_id)
        return {
            "name": product._qbo_item_name(),
            "sku": product.default_code or None,
            "description": product.description_sale or None,
            "purchase_description": product.description_purchase or None,
            "unit_price": product.lst_price,
            "purchase_cost": product.standard_price,
            "type": product._qbo_item_type(),
            "taxable": bool(taxes),
            "sales_tax_code": tax_maps.code_of(taxes) if taxes and not tax_maps.us else None,
            "income_account": maps[0].get(accounts["income"].id),
            "expense_account": maps[0].get(accounts["expense"].id),
            "category_qbo_id": category_ids.get(product.categ_id.id) if not product.categ_id._qbo_is_root() else None,
            "active": product.active and product.product_tmpl_id.active,
        }

    def _qbo_product_vals(self, connection, values, maps, category_id, tax_maps):
        """Template values for mapper ``values`` (a subset: the changes) of a QuickBooks Item;
        ``category_id`` the Odoo category of its ``category_qbo_id`` (False: "All"); outside the
        US its sales tax code gives the customer taxes (through ``tax_maps``)."""
        vals = {}
        if "name" in values:
            vals["name"] = values["name"]
        for key, field in (("description", "description_sale"), ("purchase_description", "description_purchase")):
            if key in values:
                vals[field] = values[key] or False
        if "unit_price" in values:  # a variant's price is its template's plus its values' extra
            vals["list_price"] = float(values["unit_price"]) - self.price_extra
        if "type" in values:
            vals["type"] = "service" if values["type"] == "service" else "consu"
            if "is_storable" in self._fields:
                vals["is_storable"] = values["type"] == "storable"
        company = connection.company_id
        tax = values.get("sales_tax_code") and tax_maps.to_tax.get(values["sales_tax_code"])
        if tax and not tax_maps.us:
            vals["taxes_id"] = [fields.Command.unlink(t.id) for t in self.taxes_id if t.company_id == company] + \
                [fields.Command.link(tax)]
        elif "taxable" in values:
            vals["taxes_id"] = [fields.Command.set(company.account_sale_tax_id.ids)] if values["taxable"] else \
                [fields.Command.unlink(t.id) for t in self.taxes_id if t.company_id == company]
        for key, field in (("income_account", "property_account_income_id"),
                           ("expense_account", "property_account_expense_id")):
            if values.get(key) and values[key] in maps[1]:
                vals[field] = maps[1][values[key]]
        if "category_qbo_id" in values:
            vals["categ_id"] = category_id or self.env.ref("product.product_category_all").id
        return vals

    def _qbo_apply_remote_values(self, connection, values, maps, category_id, tax_maps):
        """Write mapper ``values`` of a QuickBooks Item on the product (in the sync language):
        the template's fields, the variant's reference, cost, archive state and quantity."""
        self.ensure_one()
        product = self.with_company(connection.company_id).with_context(lang=connection.partner_lang, **{NO_PUSH: True})
        vals = product._qbo_product_vals(connection, values, maps, category_id, tax_maps)
        if "name" in vals and len(product.product_tmpl_id.product_variant_ids) > 1:
            suffix = product._qbo_item_name()[len(product.product_tmpl_id.name):]
            if not suffix or not vals["name"].endswith(suffix):
                raise MappingError("variant_name", name=vals["name"], suffix=suffix)
            vals["name"] = vals["name"][:-len(suffix)]
        if vals:
            product.product_tmpl_id.write(vals)
        variant = {}
        if "sku" in values:
            variant["default_code"] = values["sku"] or False
        if "purchase_cost" in values:
            variant["standard_price"] = float(values["purchase_cost"])
        if "qty_on_hand" in values:
            variant["qbo_qty_on_hand"] = float(values["qty_on_hand"] or 0)
        if "active" in values:
            variant["active"] = values["active"]
            if len(product.product_tmpl_id.product_variant_ids) <= 1:
                product.product_tmpl_id.active = values["active"]
        if variant:
            product.write(variant)
