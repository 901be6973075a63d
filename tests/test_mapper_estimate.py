"""Pure tests of utils/mappers/estimate.py (sale.order ⇄ Estimate mapper values): QuickBooks' real
Estimate payload, the status of each order state, a round trip that changes nothing, the sparse
delta of a status change, and what an estimate never sends. No database."""

import json
from decimal import Decimal

from odoo.tests import BaseCase

from ..utils.mappers import estimate
from ..utils.mappers.common import MappingError
from .test_mapper_invoice import VALUES
from .test_mapper_partner import fixtures_dir

ESTIMATE = {**{k: v for k, v in VALUES.items() if k not in ("due_date", "term", "voided")},
            "expiration_date": "2026-12-31", "status": "Accepted", "accepted_by": "Ann Buyer",
            "accepted_date": "2026-12-01"}


class TestEstimateMapper(BaseCase):

    def test_real_estimate_payload(self):
        path = fixtures_dir() / "estimate.json"
        if not path.exists():
            self.skipTest(f"QuickBooks fixtures not found at {path} (set QBO_FIXTURES)")
        values = estimate.estimate_values(json.loads(path.read_text()))
        self.assertEqual((values["status"], values["customer"], values["doc_number"]), ("Accepted", "24", "1001"))
        self.assertEqual([line["amount"] for line in values["lines"]],
                         [Decimal("275"), Decimal("12.75"), Decimal("38")])
        self.assertEqual((values["total"], values["total_tax"]), (Decimal("351.81"), Decimal("26.06")))
        self.assertEqual(values["memo"], "Thank you for your business and have a great day!")
        self.assertNotIn("due_date", values)

    def test_status_of_each_order_state(self):
        self.assertEqual([estimate.order_status(state, invoiced) for state, invoiced in (
            ("draft", False), ("sent", False), ("sale", False), ("sale", True), ("cancel", False))],
            ["Pending", "Pending", "Accepted", "Closed", "Rejected"])

    def test_payload_round_trip_changes_nothing(self):
        payload = estimate.estimate_payload(ESTIMATE, us=True)
        self.assertEqual((payload["TxnStatus"], payload["ExpirationDate"], payload["AcceptedBy"]),
                         ("Accepted", "2026-12-31", "Ann Buyer"))
        for absent in ("DueDate", "SalesTermRef", "LinkedTxn"):
            self.assertNotIn(absent, payload, "an estimate has no due date, terms or invoice links to send")
        read = dict(payload, Id="9", SyncToken="0", TotalAmt="115.11")
        self.assertEqual(estimate.pull_changes(ESTIMATE, estimate.estimate_values(read), us=True), {})
        self.assertEqual(estimate.changed_fields(read, payload), {})

    def test_status_change_is_one_field(self):
        before = estimate.estimate_payload(ESTIMATE, us=True)
        after = estimate.estimate_payload(dict(ESTIMATE, status="Rejected"), us=True)
        self.assertEqual(estimate.changed_fields(before, after), {"TxnStatus": "Rejected"})

    def test_closed_in_quickbooks_is_no_change_of_an_accepted_order(self):
        pulled = dict(ESTIMATE, status="Closed")
        self.assertEqual(estimate.pull_changes(ESTIMATE, pulled, us=True), {})
        self.assertEqual(estimate.pull_changes(dict(ESTIMATE, status="Pending"), pulled, us=True),
                         {"status": "Closed"})

    def test_unknown_and_old_statuses(self):
        self.assertEqual(estimate.estimate_values({"TxnStatus": "Converted"})["status"], "Closed")
        self.assertEqual(estimate.estimate_values({"TxnStatus": "Bogus"})["status"], "Pending")

    def test_limits(self):
        with self.assertRaises(MappingError):
            estimate.estimate_payload(dict(ESTIMATE, doc_number="Q" * 22), us=True)
        self.assertEqual(len(estimate.estimate_payload(dict(ESTIMATE, accepted_by="A" * 300), us=True)["AcceptedBy"]),
                         estimate.ACCEPTED_BY_MAX)
