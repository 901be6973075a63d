"""Pure tests of utils/mappers/payment.py (Payment ⇄ mapper values): QuickBooks' payment shapes
(its XML sample as JSON, the partly applied gist sample, a void), round trips that change
nothing, the sparse delta (lines as a whole) and what cannot be sent. No database."""

from decimal import Decimal

from odoo.tests import BaseCase

from ..utils.mappers import payment
from ..utils.mappers.common import MappingError

# FIX:xml/payment_linked_invoice.xml, as QuickBooks' JSON says it (LineEx is informative only).
LINKED = {"Id": "83", "SyncToken": "0", "TxnDate": "2016-09-16", "CurrencyRef": {"value": "USD"},
          "Line": [{"Amount": 2400.00, "LinkedTxn": [{"TxnId": "68", "TxnType": "Invoice"}],
                    "LineEx": {"any": [{"name": "txnId", "value": "68"}]}}],
          "CustomerRef": {"value": "3", "name": "Acme Enterprises"}, "DepositToAccountRef": {"value": "4"},
          "TotalAmt": 2400.00, "UnappliedAmt": 0, "ProcessPayment": False}
# QBO_API.md §10: 65.00 received, 55.00 to invoice 70, 10.00 unapplied (IntuitDeveloperRelations gist).
PARTLY = {"Id": "9", "SyncToken": "2", "TxnDate": "2026-11-30", "CustomerRef": {"value": "7"},
          "TotalAmt": 65.0, "UnappliedAmt": 10.0, "PaymentRefNum": "CHK 12", "PrivateNote": "Thanks",
          "PaymentMethodRef": {"value": "2"},
          "Line": [{"Amount": 55.0, "LinkedTxn": [{"TxnId": "70", "TxnType": "Invoice"}]}]}


class TestPaymentMapper(BaseCase):

    def test_quickbooks_payments(self):
        values = payment.payment_values(LINKED)
        self.assertEqual((values["customer"], values["total"], values["deposit_account"], values["unapplied"]),
                         ("3", Decimal("2400.0"), "4", Decimal(0)))
        self.assertEqual(values["applied"], (("Invoice", "68", Decimal("2400.00")),))
        values = payment.payment_values(PARTLY)
        self.assertEqual((values["unapplied"], values["memo"], values["method"], values["number"]),
                         (Decimal("10.0"), "Thanks", "2", "CHK 12"))
        self.assertEqual(payment.payment_values(dict(PARTLY, PrivateNote=None))["memo"], "CHK 12",
                         "no note: the reference number is Odoo's memo")

    def test_round_trip_changes_nothing(self):
        for data in (LINKED, PARTLY):
            values = payment.payment_values(data)
            again = payment.payment_values({**data, **payment.payment_payload(values)})
            self.assertEqual(payment.pull_changes(values, again), {})
            self.assertEqual(payment.changed_fields(payment.payment_payload(values),
                                                    payment.payment_payload(again)), {})

    def test_lines_are_summed_per_document_and_sent_as_a_whole(self):
        applied = payment.applied_lines([("Invoice", "1", Decimal("10.004")), ("Invoice", "1", Decimal("5")),
                                         ("CreditMemo", "4", Decimal("0.001")), ("Invoice", "2", Decimal(7))])
        self.assertEqual(applied, (("Invoice", "1", Decimal("15.00")), ("Invoice", "2", Decimal("7.00"))),
                         "summed per document, to the cent, nothing of zero")
        before = payment.payment_payload(payment.payment_values(PARTLY))
        moved = payment.payment_payload(dict(payment.payment_values(PARTLY), applied=(("Invoice", "71", Decimal(55)),)))
        self.assertEqual(payment.changed_fields(before, moved),
                         {"Line": [{"Amount": 55, "LinkedTxn": [{"TxnId": "71", "TxnType": "Invoice"}]}]})
        cleared = payment.payment_payload(dict(payment.payment_values(PARTLY), memo=None, applied=()))
        self.assertEqual(payment.changed_fields(before, cleared), {"PrivateNote": "", "Line": []},
                         "a cleared note and no application are sent, not skipped")

    def test_what_cannot_be_sent(self):
        values = payment.payment_values(PARTLY)
        with self.assertRaises(MappingError) as caught:
            payment.payment_payload(dict(values, total=Decimal(50)))
        self.assertIn("applies 55", str(caught.exception))
        with self.assertRaises(MappingError):
            payment.payment_payload(dict(values, total=Decimal(-1), applied=()))
        # A credit memo's amount counts against what the payment applies: 55 - 20 ≤ 40.
        payload = payment.payment_payload(dict(values, total=Decimal(40), applied=(
            ("CreditMemo", "5", Decimal(20)), ("Invoice", "70", Decimal(55)))))
        self.assertEqual(payload["TotalAmt"], 40)
        self.assertEqual(payment.payment_payload(dict(values, number="X" * 30))["PaymentRefNum"], "X" * 21)

    def test_void(self):
        voided = dict(LINKED, TotalAmt=0, PrivateNote="Voided", Line=[{"Amount": 0, "LinkedTxn": []}])
        values = payment.payment_values(voided)
        self.assertTrue(values["voided"])
        self.assertIsNone(values["memo"], "QuickBooks' 'Voided' note is not Odoo's memo")
        self.assertFalse(payment.is_voided(dict(LINKED, PrivateNote="Voided")), "a note alone is no void")
