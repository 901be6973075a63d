"""Products and categories ⇄ QuickBooks Items (issue 9), through real HTTP against the local
QuickBooks server: every field both ways, round trips that change nothing, categories and
sub-categories, first link by SKU then name, archive both ways, the account map and its
fallback, and the hostile data users meet."""

import time
from decimal import Decimal

from odoo.addons.quickbooks_online.utils.qbo_client import PARAM_API_TIMEOUT
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .sync_common import SyncCaseMixin


@tagged("post_install", "-at_install")
class TestSyncProducts(SyncCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self.connection.product_direction = "both"
        self.Product = self.env["product.product"]
        self.Template = self.env["product.template"]
        self.Category = self.env["product.category"]
        self.all = self.env.ref("product.product_category_all")
        # Products of Odoo's own data stay out: each test syncs its own.
        self.Product.search([]).write({"active": False})
        self.Binding.search([("res_model", "in", ("product.product", "product.category"))]).unlink()
        self.accounts = {a["Name"]: a for a in self.control_query("Account")}

    # -- helpers ---------------------------------------------------------------------------------
    def control_query(self, entity, where=""):
        client = self.connection._qbo_api_client()
        return list(client.query_all(entity, where or "Active IN (true, false)"))

    def items(self, kind=None):
        rows = self.control_query("Item")
        return [r for r in rows if kind is None or (r["Type"] == "Category") == (kind == "category")]

    def item_binding(self, record):
        return self.Binding.search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def qbo_item(self, payload):
        payload = dict(payload)
        if payload.get("Type") != "Category":
            payload.setdefault("IncomeAccountRef", {"value": self.accounts["Sales of Product Income"]["Id"]})
        return self.control.user_write("Item", payload)

    # -- QuickBooks → Odoo -----------------------------------------------------------------------
    def test_pull_items_categories_and_round_trip(self):
        hardware = self.qbo_item({"Name": "Hardware", "Type": "Category"})
        tools = self.qbo_item({"Name": "Tools", "Type": "Category", "SubItem": True,
                               "ParentRef": {"value": hardware["Id"]}})
        consulting = self.qbo_item({"Name": "Consulting", "Type": "Service", "Sku": "SRV-1", "UnitPrice": 125.5,
                                    "Description": "Hourly consulting", "Taxable": False,
                                    "IncomeAccountRef": {"value": self.accounts["Services"]["Id"]}})
        widget = self.qbo_item({"Name": "Widget", "Type": "NonInventory", "UnitPrice": 19.99, "PurchaseCost": 7.25,
                                "PurchaseDesc": "From the widget factory", "Taxable": True, "SubItem": True,
                                "ParentRef": {"value": tools["Id"]},
                                "ExpenseAccountRef": {"value": self.accounts["Cost of Goods Sold"]["Id"]}})
        pump = self.qbo_item({"Name": "Pump", "Type": "Inventory", "UnitPrice": 15, "QtyOnHand": 25,
                              "InvStartDate": "2026-01-01", "TrackQtyOnHand": True,
                              "ExpenseAccountRef": {"value": self.accounts["Cost of Goods Sold"]["Id"]},
                              "AssetAccountRef": {"value": self.accounts["Inventory Asset"]["Id"]}})
        self.pull()
        hardware_c = self.Category.search([("name", "=", "Hardware")])
        tools_c = self.Category.search([("name", "=", "Tools")])
        self.assertEqual(hardware_c.parent_id, self.all, "a top-level QuickBooks category hangs under All")
        self.assertEqual(tools_c.parent_id, hardware_c)
        self.assertEqual(self.item_binding(tools_c).qbo_id, tools["Id"])

        products = {p.name: p for p in self.Product.search([("name", "in", ("Consulting", "Widget", "Pump"))])}
        self.assertEqual(set(products), {"Consulting", "Widget", "Pump"})
        c, w, p = products["Consulting"], products["Widget"], products["Pump"]
        self.assertEqual((c.type, c.default_code, c.description_sale), ("service", "SRV-1", "Hourly consulting"))
        self.assertEqual(Decimal(str(c.lst_price)), Decimal("125.50"))
        self.assertFalse(c.taxes_id, "not taxable in QuickBooks")
        self.assertEqual(c.categ_id, self.all)
        self.assertEqual((w.type, w.categ_id, w.description_purchase), ("consu", tools_c, "From the widget factory"))
        self.assertEqual(Decimal(str(w.standard_price)), Decimal("7.25"))
        self.assertEqual(w.taxes_id, self.env.company.account_sale_tax_id, "taxable: the company's sales tax")
        self.assertEqual(p.type, "consu", "without the stock app an inventory item is goods")
        self.assertEqual(p.qbo_qty_on_hand, 25)
        for product, item in ((c, consulting), (w, widget), (p, pump)):
            self.assertEqual(self.item_binding(product).qbo_id, item["Id"])
            self.assertEqual(self.item_binding(product).state, "synced")

        # A round trip changes nothing: no upload, and a second download writes nothing.
        mark = self.log_mark()
        for product in products.values():
            product.product_tmpl_id.write({"name": product.name})  # touched, unchanged
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST"], "nothing uploaded")
        self.env.flush_all()
        write_dates = {product.id: product.write_date for product in products.values()}
        self.pull()
        self.env.flush_all()
        self.assertEqual({product.id: product.write_date for product in products.values()}, write_dates)

    # -- Odoo → QuickBooks -----------------------------------------------------------------------
    def test_push_products_and_categories(self):
        gadgets = self.Category.create({"name": "Gadgets", "parent_id": self.all.id})
        small = self.Category.create({"name": "Small", "parent_id": gadgets.id})
        tax = self.env.company.account_sale_tax_id
        gizmo = self.Product.create({
            "name": "Gizmo", "default_code": "GZ-1", "list_price": 19.99, "standard_price": 7.5, "type": "consu",
            "categ_id": small.id, "description_sale": "A gizmo", "description_purchase": "Bought gizmo",
            "taxes_id": [(6, 0, tax.ids)]})
        service = self.Product.create({"name": "Setup", "type": "service", "list_price": 80, "taxes_id": False})
        self.push()
        items = {i["Name"]: i for i in self.items()}
        self.assertEqual(items["Gadgets"]["Type"], "Category")
        self.assertFalse(items["Gadgets"].get("SubItem"))
        self.assertEqual(items["Small"]["ParentRef"]["value"], items["Gadgets"]["Id"])
        g = items["Gizmo"]
        self.assertEqual((g["Type"], g["Sku"], g["Description"], g["PurchaseDesc"]),
                         ("NonInventory", "GZ-1", "A gizmo", "Bought gizmo"))
        self.assertEqual(Decimal(str(g["UnitPrice"])), Decimal("19.99"))
        self.assertEqual(Decimal(str(g["PurchaseCost"])), Decimal("7.5"))
        self.assertTrue(g["Taxable"])
        self.assertEqual(g["ParentRef"]["value"], items["Small"]["Id"])
        self.assertEqual(items["Setup"]["Type"], "Service")
        self.assertFalse(items["Setup"]["Taxable"])
        self.assertEqual(self.item_binding(gizmo).qbo_id, g["Id"])
        self.assertEqual(self.item_binding(service).state, "synced")
        # No Odoo income account maps to QuickBooks (names differ): the default, said in the log.
        self.assertEqual(g["IncomeAccountRef"]["value"], self.connection.default_income_account_id.qbo_id)
        log = self.env["qbo.sync.log"].search([("res_model", "=", "product.product"), ("res_id", "=", gizmo.id)],
                                              limit=1)
        self.assertIn("default income account", log.message)

        # A price edit sends the price alone; a second download changes nothing in Odoo.
        mark = self.log_mark()
        gizmo.lst_price = 21.5
        self.push()
        posts = [r for r in self.api_log(mark) if r["method"] == "POST"]
        self.assertEqual(len(posts), 1)
        body = posts[0]["body"]
        sent = body["BatchItemRequest"][0]["Item"] if "BatchItemRequest" in body else body
        self.assertTrue(sent.get("sparse"))
        self.assertEqual(set(sent) - {"Id", "SyncToken", "sparse"}, {"UnitPrice"})
        self.assertEqual(Decimal(str(self.control.user_read("Item", g["Id"])["UnitPrice"])), Decimal("21.5"))

    def test_mapped_account_goes_to_quickbooks(self):
        self.pull()  # reads QuickBooks' accounts
        income = self.env["account.account"].search([("account_type", "=", "income")], limit=1)
        qbo_services = self.env["qbo.account"].search([("name", "=", "Services")])
        self.env["qbo.account.map"].create({"connection_id": self.connection.id, "account_id": income.id,
                                            "qbo_account_id": qbo_services.id})
        product = self.Product.create({"name": "Mapped", "property_account_income_id": income.id})
        self.push()
        item = next(i for i in self.items() if i["Name"] == "Mapped")
        self.assertEqual(item["IncomeAccountRef"]["value"], qbo_services.qbo_id)
        log = self.env["qbo.sync.log"].search([("res_model", "=", "product.product"), ("res_id", "=", product.id)],
                                              limit=1)
        self.assertFalse(log.message, "a mapped account needs no note")

    # -- first link ------------------------------------------------------------------------------
    def test_first_link_by_sku_then_name(self):
        by_sku = self.qbo_item({"Name": "Old Name", "Type": "Service", "Sku": "ABC-1"})
        by_name = self.qbo_item({"Name": "Bolt", "Type": "NonInventory"})
        self.qbo_item({"Name": "Hardware", "Type": "Category"})
        p1 = self.Product.create({"name": "New Name", "default_code": "abc-1", "type": "service"})
        p2 = self.Product.create({"name": "BOLT"})
        hardware = self.Category.create({"name": "hardware", "parent_id": self.all.id})
        self.push()
        self.assertEqual(self.item_binding(p1).qbo_id, by_sku["Id"])
        self.assertEqual(self.item_binding(p2).qbo_id, by_name["Id"])
        self.assertTrue(self.item_binding(hardware).qbo_id)
        self.assertEqual(len(self.items()), 4, "nothing created in QuickBooks but the seeded Services")
        self.pull()
        self.assertEqual(self.Product.search_count([("default_code", "=ilike", "abc-1")]), 1)
        self.assertEqual(self.Category.search_count([("name", "=ilike", "hardware")]), 1)

    # -- archive ---------------------------------------------------------------------------------
    def test_archive_both_ways(self):
        product = self.Product.create({"name": "Old Widget"})
        category = self.Category.create({"name": "Retired", "parent_id": self.all.id})
        self.push()
        item_id = self.item_binding(product).qbo_id
        product.product_tmpl_id.active = False
        category.active = False
        self.push()
        self.assertFalse(self.control.user_read("Item", item_id)["Active"])
        self.assertFalse(self.control.user_read("Item", self.item_binding(category).qbo_id)["Active"])
        self.control.user_write("Item", {"Id": item_id, "Active": True})
        self.pull()
        self.assertTrue(product.active)
        self.assertTrue(product.product_tmpl_id.active)

    def test_product_under_a_category_inactive_in_quickbooks(self):
        old = self.qbo_item({"Name": "Discontinued", "Type": "Category"})
        self.qbo_item({"Name": "Last Lamp", "Type": "NonInventory", "SubItem": True, "ParentRef": {"value": old["Id"]}})
        self.control.user_write("Item", {"Id": old["Id"], "Active": False})
        self.pull()
        category = self.Category.with_context(active_test=False).search([("name", "=", "Discontinued")])
        self.assertFalse(category.active)
        lamp = self.Product.search([("name", "=", "Last Lamp")])
        self.assertEqual(lamp.categ_id, category)
        self.assertEqual(self.item_binding(lamp).state, "synced")

    # -- hostile data ----------------------------------------------------------------------------
    def test_hostile_names_and_prices(self):
        colon = self.Product.create({"name": "Cable: 2 m"})
        long_name = "Very long product name " * 6  # 138 characters
        long = self.Product.create({"name": long_name})
        long_sku = self.Product.create({"name": "Long SKU", "default_code": "X" * 150})
        self.push()
        items = {i["Name"]: i for i in self.items()}
        self.assertIn("Cable\uff1a 2 m", items, "':' is QuickBooks' sub-item separator")
        cut = next(name for name in items if name.startswith("Very long"))
        self.assertLessEqual(len(cut), 100)
        self.assertEqual(long.name, long_name, "Odoo keeps its full name")
        self.assertEqual(self.item_binding(colon).state, "synced")
        self.assertEqual(self.item_binding(long).state, "synced")
        self.assertEqual(self.item_binding(long_sku).state, "error")
        self.assertIn("150 characters", self.item_binding(long_sku).last_error)
        # Downloaded again, QuickBooks' copies are known as ours: nothing changes in Odoo.
        self.pull()
        self.assertEqual(colon.name, "Cable: 2 m")
        self.assertEqual(long.name, long_name)

        # A price with more decimals than Odoo keeps: Odoo rounds it, and uploads nothing back.
        fine = self.qbo_item({"Name": "Fine Price", "Type": "Service", "UnitPrice": 10.12345})
        self.pull()
        product = self.Product.search([("name", "=", "Fine Price")])
        self.assertEqual(Decimal(str(product.lst_price)), Decimal("10.12"))
        mark = self.log_mark()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST"])
        self.assertEqual(Decimal(str(self.control.user_read("Item", fine["Id"])["UnitPrice"])), Decimal("10.12345"))

    def test_name_taken_by_a_category_gets_a_number(self):
        self.qbo_item({"Name": "Lamps", "Type": "Category"})
        lamps = self.Product.create({"name": "Lamps"})
        self.Category.search([("name", "=", "Lamps")]).unlink()
        with mute_logger("odoo.addons.quickbooks_online.models.qbo_sync_push"):
            self.push()
        self.assertEqual(self.item_binding(lamps).state, "synced")
        item = self.control.user_read("Item", self.item_binding(lamps).qbo_id)
        self.assertEqual(item["Name"], "Lamps (2)")
        self.assertEqual(lamps.name, "Lamps", "Odoo keeps its name")
        self.pull()
        self.assertEqual(lamps.name, "Lamps")

    def test_duplicate_skus_in_odoo(self):
        first = self.Product.create({"name": "Red Cup", "default_code": "CUP"})
        second = self.Product.create({"name": "Blue Cup", "default_code": "CUP"})
        self.push()
        self.assertEqual(self.item_binding(first).state, "synced")
        self.assertEqual(self.item_binding(second).state, "synced")
        self.assertNotEqual(self.item_binding(first).qbo_id, self.item_binding(second).qbo_id)

    def test_variants_are_items_named_with_their_values(self):
        color = self.env["product.attribute"].create({"name": "Color", "value_ids": [
            (0, 0, {"name": "Red"}), (0, 0, {"name": "Blue"})]})
        template = self.Template.create({"name": "Shirt", "attribute_line_ids": [
            (0, 0, {"attribute_id": color.id, "value_ids": [(6, 0, color.value_ids.ids)]})]})
        self.push()
        names = {i["Name"] for i in self.items()}
        self.assertTrue({"Shirt (Red)", "Shirt (Blue)"} <= names, names)
        # Renamed in QuickBooks keeping the values: the template is renamed.
        red = template.product_variant_ids.filtered(lambda p: "Red" in p.display_name)
        self.control.user_write("Item", {"Id": self.item_binding(red).qbo_id, "Name": "Tee (Red)"})
        self.pull()
        self.assertEqual(template.name, "Tee")

    # -- faults and interleavings ----------------------------------------------------------------
    def test_lost_reply_then_download_first_never_duplicates_items(self):
        """Ten products and their category go up; QuickBooks creates them but its replies are
        lost; the webhook wakes the download before the upload retries: nothing twice."""
        category = self.Category.create({"name": "Lost Replies", "parent_id": self.all.id})
        products = self.Product.create([{"name": "Lost Item %d" % i, "default_code": "LOST-%d" % i,
                                         "categ_id": category.id} for i in range(10)])
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, "1")
        mark = self.log_mark()
        self.control.fault("slow", match="/batch", delay=2)
        with mute_logger("odoo.addons.quickbooks_online.models.qbo_sync_push",
                         "odoo.addons.quickbooks_online.utils.qbo_client"):
            self.push()
        deadline = time.monotonic() + 10
        while any(r["status"] is None for r in self.api_log(mark, "/batch")) and time.monotonic() < deadline:
            time.sleep(0.1)  # QuickBooks finishes the slow requests: the items exist there
        self.control.clear_faults()
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, "30")
        self.pull()
        self.make_retries_due()
        self.push()
        names = [i["Name"] for i in self.items()]
        for product in products:
            self.assertEqual(names.count(product.name), 1, f"{product.name} twice in QuickBooks")
            self.assertEqual(self.Product.search_count([("name", "=", product.name)]), 1, "twice in Odoo")
            self.assertEqual(self.item_binding(product).state, "synced")
        self.assertEqual(names.count("Lost Replies"), 1)
        self.assertEqual(self.Category.search_count([("name", "=", "Lost Replies")]), 1)

    def test_edits_on_both_sides_between_runs_both_survive(self):
        product = self.Product.create({"name": "Two Sided", "list_price": 10, "description_sale": "Old text"})
        self.push()
        item_id = self.item_binding(product).qbo_id
        self.control.advance_clock(5)
        self.control.user_write("Item", {"Id": item_id, "Description": "Written in QuickBooks"})
        product.lst_price = 12.5
        for first, second in ((self.push, self.pull), (self.pull, self.push)):
            first()
            second()
        self.push()
        item = self.control.user_read("Item", item_id)
        self.assertEqual(Decimal(str(item["UnitPrice"])), Decimal("12.5"), "Odoo's price went up")
        self.assertEqual(item["Description"], "Written in QuickBooks", "QuickBooks' text stayed")
        self.assertEqual(product.description_sale, "Written in QuickBooks", "and came down")
        self.assertEqual(Decimal(str(product.lst_price)), Decimal("12.5"))
        self.assertEqual(self.item_binding(product).state, "synced")

    def test_sub_item_of_an_item_comes_down_without_category(self):
        """QuickBooks' older sub-items hang under another item, not a category: Odoo has no such
        tree, so the sub-item is a product of the root category, and nothing waits forever."""
        parent = self.qbo_item({"Name": "Garden Kit", "Type": "NonInventory"})
        self.qbo_item({"Name": "Garden Hose", "Type": "NonInventory", "SubItem": True,
                       "ParentRef": {"value": parent["Id"]}})
        self.pull()
        hose = self.Product.search([("name", "=", "Garden Hose")])
        self.assertEqual(len(hose), 1)
        self.assertEqual(hose.categ_id, self.all)
        self.assertEqual(self.item_binding(hose).state, "synced")
        self.assertEqual(self.Product.search_count([("name", "=", "Garden Kit")]), 1)

    def test_storable_product_payload_is_an_inventory_item_quickbooks_takes(self):
        """With the stock app, a storable product is an Inventory item: created with the inventory
        asset account and a quantity of 0 as of today (Odoo's stock is never sent); QuickBooks takes
        the payload as it is. (The stock app is not installed here: the product's type is set on its
        mapper values, the rest is the adapter's real mapping.)"""
        self.pull()  # QuickBooks' accounts are read
        product = self.Product.create({"name": "Tracked Pump", "type": "consu", "list_price": 40})
        adapter = self.connection._qbo_adapter("Item")
        binding = self.env["qbo.binding"].new({"disambiguation": 1})
        payload = adapter.values_payload(dict(adapter.local_values(product), type="storable"), binding)
        self.assertEqual((payload["Type"], payload["QtyOnHand"], payload["TrackQtyOnHand"]), ("Inventory", 0, True))
        self.assertEqual(payload["AssetAccountRef"]["value"], self.accounts["Inventory Asset"]["Id"])
        created = self.connection._qbo_api_client().create("Item", payload, "inventory-pump")
        self.assertEqual((created["Type"], created["QtyOnHand"]), ("Inventory", 0))
        self.assertNotIn("QtyOnHand", adapter.changed_fields(created, dict(payload, QtyOnHand=99)),
                         "a quantity is never part of an update")
