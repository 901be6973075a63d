"""A second entity needs no change to generic files: a toy Vendor adapter, declared here and only
here, syncs res.partner ⇄ QuickBooks Vendor both ways beside the Customer adapter (one partner is
then both a Customer and a Vendor), and with it the download's rules that need two entities:
QuickBooks' 1,000-object cap per CDC response, and the query fallback's time literal."""

from urllib.parse import unquote_plus

from odoo.addons.quickbooks_online.models import qbo_adapter
from odoo.addons.quickbooks_online.models.qbo_sync_mixin import NO_PUSH
from odoo.tests import TransactionCase, tagged

from .sync_common import SyncCaseMixin

NO_TRANSACTIONS = dict.fromkeys(("categories", "items", "estimates", "invoices", "credit_memos", "payments",
                                 "sales_receipts"), 0)


class ToyVendorAdapter(qbo_adapter.QBOAdapter):
    """Partners tagged "Toy Vendor" ⇄ Vendors: name and e-mail, nothing else."""

    entity = "Vendor"
    model = "res.partner"
    flagged_by = {"res.partner": frozenset({"name", "email", "category_id"})}
    url_path = "vendordetail?nameId=%s"
    name_field = "DisplayName"
    tag_id = None  # set by the test

    def direction(self):
        return "both"

    def handles(self, record):
        return self.tag_id in record.category_id.ids

    def in_scope(self, records, matching=False):
        return records.filtered(self.handles)

    def local_values(self, record):
        return {"name": record.name or None, "email": record.email or None}

    def remote_values(self, data):
        return {"name": self.remote_name(data.get("DisplayName") or "") or None,
                "email": (data.get("PrimaryEmailAddr") or {}).get("Address")}

    def values_payload(self, values, binding):
        payload = {"DisplayName": values["name"] + (" (Vendor)" if binding.disambiguation else "")}
        if values.get("email"):
            payload["PrimaryEmailAddr"] = {"Address": values["email"]}
        return payload

    def changed_fields(self, old_payload, new_payload):
        return {key: value for key, value in new_payload.items() if old_payload.get(key) != value}

    def pull_changes(self, current, pulled):
        return {key: value for key, value in pulled.items() if current.get(key) != value}

    def match_keys(self, values):
        return [("name", values["name"].casefold())] if values.get("name") else []

    def create_from_remote(self, values_list):
        return list(self.Model.with_context(**{NO_PUSH: True}).create([
            {"name": values["name"], "email": values["email"], "category_id": [(4, self.tag_id)],
             "company_id": self.connection.company_id.id} for values in values_list]))

    def apply_remote_values(self, record, values):
        record.write(values)

    def rename_after_duplicate(self, record, binding):
        """QuickBooks' names are unique across customers and vendors (6240)."""
        if binding.disambiguation:
            return None
        binding.disambiguation = 1
        return {"DisplayName": "%s (Vendor)" % record.name}

    def remote_name(self, name):
        return name.removesuffix(" (Vendor)")


@tagged("post_install", "-at_install")
class TestSyncSecondAdapter(SyncCaseMixin, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.env["res.partner.category"].create({"name": "Toy Vendor"})
        ToyVendorAdapter.tag_id = cls.tag.id
        qbo_adapter.register(ToyVendorAdapter)
        cls.addClassCleanup(qbo_adapter.unregister, "Vendor")

    def vendors(self):
        return list(self.connection._qbo_api_client().query_all("Vendor", "Active IN (true, false)"))

    def test_registry_orders_by_dependencies(self):
        entities = [adapter.entity for adapter in self.connection._qbo_adapters()]
        self.assertEqual(entities, ["Customer", "Category", "Item", "Estimate", "Invoice", "CreditMemo", "Payment",
                                    "CreditApplication", "SalesReceipt", "Vendor"],
                         "categories before their items, customers and items before documents, estimates before "
                         "the invoices made from them")
        self.assertEqual([adapter.entity for adapter in self.connection._qbo_adapters("push")],
                         ["Customer", "Vendor"], "products are off in these tests")

        class Bill(qbo_adapter.QBOAdapter):
            entity, model, depends = "Bill", "res.partner", ("Vendor",)

        class Loop(qbo_adapter.QBOAdapter):
            entity, model, depends = "Loop", "res.partner", ("Bill", "Loop2")

        class Loop2(qbo_adapter.QBOAdapter):
            entity, model, depends = "Loop2", "res.partner", ("Loop",)

        self.addCleanup(qbo_adapter.unregister, "Bill")
        qbo_adapter.register(Bill)
        qbo_adapter._REGISTRY = {"Bill": Bill, **qbo_adapter._REGISTRY}  # declared before what it needs
        order = [cls.entity for cls in qbo_adapter.adapter_classes()]
        self.assertLess(order.index("Vendor"), order.index("Bill"))
        for cls in (Loop, Loop2):
            qbo_adapter.register(cls)
            self.addCleanup(qbo_adapter.unregister, cls.entity)
        with self.assertRaisesRegex(ValueError, "cycle"):
            qbo_adapter.adapter_classes()

    def test_one_partner_is_a_customer_and_a_vendor(self):
        partner = self.Partner.create({"name": "Both Roles", "email": "both.roles@example.com",
                                       "category_id": [(4, self.tag.id)]})
        plain = self.Partner.create({"name": "Customer Only", "email": "customer.only@example.com"})
        self.push()
        bindings = self.Binding.search([("res_id", "in", (partner | plain).ids)])
        self.assertEqual(sorted((b.res_id == partner.id, b.qbo_entity) for b in bindings),
                         [(False, "Customer"), (True, "Customer"), (True, "Vendor")])
        self.assertEqual(set(bindings.mapped("state")), {"synced"})
        [vendor] = self.vendors()
        self.assertEqual((vendor["DisplayName"], vendor["PrimaryEmailAddr"]["Address"]),
                         ("Both Roles (Vendor)", "both.roles@example.com"))
        # One edit flags both objects; each gets its own delta.
        partner.email = "new.both@example.com"
        self.push()
        self.assertEqual(self.vendors()[0]["PrimaryEmailAddr"]["Address"], "new.both@example.com")
        customer = self.control.user_read("Customer", partner._qbo_binding(self.connection, "Customer").qbo_id)
        self.assertEqual(customer["PrimaryEmailAddr"]["Address"], "new.both@example.com")
        # QuickBooks' vendor changes come down through the same engine.
        self.control.user_write("Vendor", {"Id": vendor["Id"], "DisplayName": "Both Roles Renamed (Vendor)"})
        self.control.user_write("Vendor", {"DisplayName": "Vendor From QuickBooks"})
        self.pull()
        self.assertEqual(partner.name, "Both Roles Renamed")
        created = self.Partner.search([("name", "=", "Vendor From QuickBooks")])
        self.assertEqual(created.category_id, self.tag)
        self.assertEqual(created._qbo_binding(self.connection, "Vendor").state, "synced")

    def test_cdc_over_the_cap_across_two_entities(self):
        """600 customers and 600 vendors changed since the last download: QuickBooks cuts its
        CDC reply at 1,000 objects; the download asks per entity and misses none."""
        self.pull()  # the watermark
        mark = self.log_mark()
        self.control.seed(customers=600, vendors=600, seed=7, **NO_TRANSACTIONS)
        self.pull()
        self.assertEqual(self.last_run("pull").state, "done", self.last_run("pull").message)
        customers = self.qbo_customers()
        self.assertGreaterEqual(len(customers), 600)
        bound = self.Binding.search([("qbo_entity", "=", "Customer"), ("qbo_id", "!=", False)])
        self.assertEqual(len(bound), len(customers), "every customer came down")
        self.assertEqual(self.Binding.search_count([("qbo_entity", "=", "Vendor"), ("state", "=", "synced")]), 600)
        cdc = self.api_log(mark, "/cdc")
        self.assertEqual([sorted(unquote_plus(r["query"]).split("entities=")[1].split("&")[0].split(","))
                          for r in cdc], [["Customer", "Vendor"], ["Customer"], ["Vendor"]])

    def test_entity_at_the_cap_alone_is_read_by_query_with_an_offset(self):
        self.pull()
        mark = self.log_mark()
        self.control.seed(vendors=1000, seed=11, **NO_TRANSACTIONS)
        self.pull()
        self.assertEqual(self.Binding.search_count([("qbo_entity", "=", "Vendor"), ("state", "=", "synced")]), 1000)
        queries = [r["statement"] for r in self.api_log(mark, "/query")]
        fallback = [q for q in queries if "LastUpdatedTime" in q]
        self.assertTrue(fallback, queries)
        # The watermark is sent with its offset (QuickBooks would read it in the company's zone).
        self.assertTrue(all("+00:00'" in q for q in fallback), fallback)
        self.assertTrue(all("Active IN (true, false)" in q for q in fallback), fallback)
