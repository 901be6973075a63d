"""Pure tests of utils/mappers/invoice.py (Invoice / CreditMemo ⇄ mapper values): QuickBooks' real
payloads (US, Canada, void), round trips that change nothing, the sparse delta (lines as a whole),
and the limits. No database."""

import json
from decimal import Decimal

from odoo.tests import BaseCase

from ..utils.mappers import invoice
from ..utils.mappers.common import MappingError
from .test_mapper_partner import fixtures_dir

VALUES = {
    "customer": "7", "doc_number": "INV/2026/00012", "txn_date": "2026-11-30", "due_date": "2026-12-30",
    "term": "3", "currency": "USD", "exchange_rate": None, "bill_email": "buyer@example.com", "memo": "Thanks",
    "lines": (
        {"item": "4", "description": "Consulting", "qty": Decimal(3), "unit_price": Decimal("33.33"),
         "amount": Decimal("99.99"), "tax_code": "TAX", "gross": None},
        {"item": None, "description": "On site", "amount": None},
        {"item": "5", "description": "Widget (discount 10%)", "qty": Decimal(7), "unit_price": Decimal("1.0171429"),
         "amount": Decimal("7.12"), "tax_code": "NON", "gross": None},
    ),
    "tax_code": "2", "total_tax": Decimal("8.00"), "voided": False,
}


def fixture(name, entity="Invoice"):
    path = fixtures_dir() / name
    return json.loads(path.read_text())[entity] if path.exists() else None


class TestInvoiceMapper(BaseCase):

    def test_real_us_invoice(self):
        data = fixture("invoice.json")
        if data is None:
            self.skipTest("QuickBooks fixtures not found: set QBO_FIXTURES to shared/qbo_fixtures")
        values = invoice.document_values(data)
        self.assertEqual((values["customer"], values["doc_number"], values["total"]), ("1", "1043", Decimal(100)))
        self.assertEqual(len(values["lines"]), 1, "QuickBooks' subtotal line is no line of Odoo's")
        self.assertEqual(values["lines"][0]["amount"], Decimal(100))
        self.assertFalse(values["voided"])
        self.assertTrue(invoice.document_values(fixture("invoice_void_response.json"))["voided"])

    def test_real_canadian_invoice_per_line_codes(self):
        path = fixtures_dir() / "invoice_non_us_tax_canada.json"
        if not path.exists():
            self.skipTest("QuickBooks fixtures not found: set QBO_FIXTURES to shared/qbo_fixtures")
        data = json.loads(path.read_text())
        values = invoice.document_values(data)
        self.assertEqual([line["tax_code"] for line in values["lines"]], ["6", "2"])
        self.assertEqual(values["tax_lines"], {"12": Decimal(30), "2": Decimal(0)})
        self.assertEqual((values["total_tax"], values["global_tax"], values["total"]),
                         (Decimal(30), "TaxExcluded", Decimal(330)))
        # Sent back as it is, it changes nothing.
        payload = invoice.document_payload(values, us=False)
        self.assertEqual(invoice.pull_changes(values, invoice.document_values(payload), us=False), {})
        self.assertEqual(payload["TxnTaxDetail"]["TotalTax"], 30)

    def test_round_trip_and_payload(self):
        payload = invoice.document_payload(VALUES, us=True)
        self.assertEqual(payload["TxnTaxDetail"], {"TotalTax": 8, "TxnTaxCodeRef": {"value": "2"}})
        self.assertEqual([line["DetailType"] for line in payload["Line"]],
                         ["SalesItemLineDetail", "DescriptionOnly", "SalesItemLineDetail"])
        self.assertEqual(payload["Line"][2]["SalesItemLineDetail"]["UnitPrice"], 1.0171429)
        self.assertNotIn("ExchangeRate", payload)
        back = invoice.document_values(dict(payload, TotalAmt=107.11, Balance=107.11))
        self.assertEqual(invoice.pull_changes(VALUES, back, us=True), {})

    def test_delta_sends_lines_as_a_whole_and_only_what_changed(self):
        before = invoice.document_payload(VALUES, us=True)
        self.assertEqual(invoice.changed_fields(before, before), {})
        due = invoice.document_payload(dict(VALUES, due_date="2027-01-15"), us=True)
        self.assertEqual(invoice.changed_fields(before, due), {"DueDate": "2027-01-15"})
        lines = list(VALUES["lines"])
        lines[0] = dict(lines[0], qty=Decimal(4), amount=Decimal("133.32"))
        changed = invoice.document_payload(dict(VALUES, lines=tuple(lines), total_tax=Decimal("10.67")), us=True)
        delta = invoice.changed_fields(before, changed)
        self.assertEqual(set(delta), {"Line", "TxnTaxDetail"})
        self.assertEqual(len(delta["Line"]), 3, "every line, QuickBooks replaces them all")
        cleared = invoice.document_payload(dict(VALUES, memo=None, bill_email=None), us=True)
        self.assertEqual(invoice.changed_fields(before, cleared),
                         {"CustomerMemo": {"value": ""}, "BillEmail": {"Address": ""}})

    def test_limits_are_clear_errors(self):
        with self.assertRaises(MappingError) as e:
            invoice.document_payload(dict(VALUES, doc_number="X" * 22), us=True)
        self.assertIn("at most 21", str(e.exception))
        with self.assertRaises(MappingError) as e:
            invoice.document_payload(dict(VALUES, lines=VALUES["lines"][:1] * 751), us=True)
        self.assertIn("at most 750", str(e.exception))

    def test_quickbooks_discount_line_becomes_a_negative_line(self):
        data = {"CustomerRef": {"value": "1"}, "TxnDate": "2026-01-01", "ApplyTaxAfterDiscount": True, "Line": [
            {"Amount": 200, "DetailType": "SalesItemLineDetail",
             "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 2, "UnitPrice": 100,
                                     "TaxCodeRef": {"value": "TAX"}}},
            {"Amount": 200, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
            {"Amount": 20, "DetailType": "DiscountLineDetail",
             "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10}}],
            "TotalAmt": 194.4, "TxnTaxDetail": {"TotalTax": 14.4}}
        lines = invoice.document_values(data)["lines"]
        self.assertEqual([(line["description"], line["amount"], line["tax_code"]) for line in lines],
                         [("", Decimal(200), "TAX"), ("Discount 10%", Decimal(-20), "TAX")])

    def test_a_line_without_item_is_quickbooks_default_item(self):
        mine = ({"item": None, "description": "Fee", "qty": Decimal(1), "amount": Decimal(5), "tax_code": "NON"},)
        theirs = (dict(mine[0], item="1"),)
        self.assertTrue(invoice.same_lines(mine, theirs))
        self.assertFalse(invoice.same_lines(mine, (dict(mine[0], amount=Decimal("5.01")),)))
