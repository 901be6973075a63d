"""Pure tests of utils/mappers/item.py (Item ⇄ product and category values): QuickBooks' real Item
payload, the name rules, money, sparse deltas, round trips over hostile values. No database."""

import json
import random
from decimal import Decimal

from odoo.tests import BaseCase

from ..utils.mappers import item
from ..utils.mappers.common import COLON_REPLACEMENT, MappingError
from .test_mapper_partner import fixtures_dir


def as_read(payload, qbo_id="31"):
    """``payload`` as QuickBooks returns it (ids, metadata, FullyQualifiedName)."""
    return dict(payload, Id=qbo_id, SyncToken="0", FullyQualifiedName=payload["Name"], domain="QBO",
                MetaData={"CreateTime": "2026-01-02T03:04:05-08:00", "LastUpdatedTime": "2026-01-02T03:04:05-08:00"})


PRODUCT = {"name": "Gizmo", "sku": "GZ-1", "description": "A gizmo", "purchase_description": "Bought",
           "unit_price": 19.99, "purchase_cost": 7.5, "type": "consu", "taxable": True, "income_account": "79",
           "expense_account": "80", "category_qbo_id": "12", "active": True}


class TestItemMapper(BaseCase):

    def test_real_item_payload(self):
        path = fixtures_dir() / "item.json"
        if not path.exists():
            self.skipTest("QuickBooks fixtures not found: set QBO_FIXTURES to shared/qbo_fixtures")
        data = json.loads(path.read_text())["Item"]
        values = item.item_to_product(data)
        self.assertEqual((values["name"], values["type"], values["description"]), ("Pump", "consu", "Fountain Pump"))
        self.assertEqual(values["unit_price"], Decimal(15))
        self.assertEqual(values["purchase_cost"], Decimal(10))
        self.assertEqual((values["income_account"], values["expense_account"]), ("79", "80"))
        self.assertEqual(values["qty_on_hand"], Decimal(25))
        self.assertNotIn("sku", values, "no Sku in the reply: nothing known of it")
        self.assertEqual(item.item_to_product(data, inventory=True)["type"], "storable")
        # A round trip of the payload we would send for it changes nothing.
        self.assertEqual(item.pull_changes(values, item.item_to_product(as_read(item.product_to_item(values)))), {})

    def test_product_payload_and_back(self):
        payload = item.product_to_item(PRODUCT)
        self.assertEqual(payload["Type"], "NonInventory")
        self.assertEqual(payload["ParentRef"], {"value": "12"})
        self.assertTrue(payload["SubItem"])
        self.assertEqual(payload["UnitPrice"], 19.99)
        back = item.item_to_product(as_read(payload))
        self.assertEqual(item.pull_changes(PRODUCT, back), {})
        self.assertEqual(back["unit_price"], Decimal("19.99"))

    def test_category_payload_and_back(self):
        payload = item.category_to_item({"name": "Tools", "parent_qbo_id": "5", "active": False})
        self.assertEqual(payload, {"Name": "Tools", "Type": "Category", "Active": False, "SubItem": True,
                                   "ParentRef": {"value": "5"}})
        values = item.item_to_category(as_read(dict(payload, Name="Tools (deleted)")))
        self.assertEqual(values, {"name": "Tools", "parent_qbo_id": "5", "active": False})

    def test_names(self):
        self.assertEqual(item.product_to_item(dict(PRODUCT, name="Cable: 2 m"))["Name"],
                         "Cable%s 2 m" % COLON_REPLACEMENT)
        long_name = "x" * 150
        self.assertEqual(len(item.product_to_item(dict(PRODUCT, name=long_name))["Name"]), 100)
        third = item.product_to_item(dict(PRODUCT, name=long_name), disambiguation=3)["Name"]
        self.assertTrue(third.endswith(" (3)") and len(third) == 100, third)
        # QuickBooks' copies are ours: no change.
        for name in ("Cable: 2 m", long_name):
            sent = item.product_to_item(dict(PRODUCT, name=name))
            self.assertEqual(item.pull_changes(dict(PRODUCT, name=name), item.item_to_product(as_read(sent))), {})
        self.assertEqual(item.pull_changes(dict(PRODUCT, name="Lamps"), dict(PRODUCT, name="Lamps (2)")), {})
        self.assertEqual(item.pull_changes(dict(PRODUCT, name="Lamps"), dict(PRODUCT, name="Lamps 2")),
                         {"name": "Lamps 2"})
        for bad in ("", "   ", None):
            with self.assertRaises(MappingError):
                item.product_to_item(dict(PRODUCT, name=bad))

    def test_hostile_values(self):
        with self.assertRaises(MappingError) as caught:
            item.product_to_item(dict(PRODUCT, sku="S" * 101))
        self.assertIn("101 characters", str(caught.exception))
        for bad in ("abc", "NaN", "Infinity"):
            with self.assertRaises(MappingError):
                item.product_to_item(dict(PRODUCT, unit_price=bad))
        with self.assertRaises(MappingError):
            item.product_to_item(dict(PRODUCT, description="d" * 4001))

    def test_prices_compare_at_odoo_precision(self):
        self.assertEqual(item.pull_changes(dict(PRODUCT, unit_price=10.12),
                                           dict(PRODUCT, unit_price=Decimal("10.12345")), digits=2), {})
        self.assertEqual(item.pull_changes(dict(PRODUCT, unit_price=10.12),
                                           dict(PRODUCT, unit_price=Decimal("10.13")), digits=2),
                         {"unit_price": Decimal("10.13")})

    def test_sparse_delta(self):
        old = as_read(item.product_to_item(PRODUCT))
        self.assertEqual(item.changed_fields(old, item.product_to_item(PRODUCT)), {})
        self.assertEqual(item.changed_fields(old, item.product_to_item(dict(PRODUCT, unit_price=21.5))),
                         {"UnitPrice": 21.5})
        self.assertEqual(item.changed_fields(old, item.product_to_item(dict(PRODUCT, description=None))),
                         {"Description": ""}, "a cleared text is sent empty")
        top = item.changed_fields(old, item.product_to_item(dict(PRODUCT, category_qbo_id=None)))
        self.assertEqual(top, {"SubItem": False}, "a top-level item again: SubItem false alone")
        # The same amount written differently is no change.
        self.assertEqual(item.changed_fields(dict(old, UnitPrice="19.990"), item.product_to_item(PRODUCT)), {})

    def test_match_keys(self):
        self.assertEqual(item.match_keys({"name": "  Big   Bolt ", "sku": "AB-1"}),
                         [("sku", "ab-1"), ("name", "big bolt")])
        self.assertEqual(item.match_keys({"name": "Bolt", "sku": None}), [("name", "bolt")])

    def test_random_round_trips(self):
        """Generated (also hostile) products: what QuickBooks stores of our payload comes back as
        no change."""
        rng = random.Random(20261201)
        alphabet = "abcXYZ :\t\n\u00e9\u4e2d-_/()"
        for _ in range(300):
            values = dict(PRODUCT, name="".join(rng.choice(alphabet) for _ in range(rng.randint(1, 130))) + "z",
                          sku=rng.choice([None, "S-%d" % rng.randint(1, 999)]),
                          unit_price=Decimal(rng.randint(0, 10 ** 7)) / 100,
                          type=rng.choice(["service", "consu"]), taxable=rng.random() < 0.5,
                          category_qbo_id=rng.choice([None, "12"]), active=rng.random() < 0.8)
            sent = item.product_to_item(values)
            self.assertEqual(item.pull_changes(values, item.item_to_product(as_read(sent))), {}, values)
