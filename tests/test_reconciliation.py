"""The QuickBooks reconciliation report (issue 13.3), against the local QuickBooks server: no
difference after a clean sync, and exactly the planted ones named (a payment only in QuickBooks,
an invoice whose total changed there, a document on one side only), to the cent; the XLSX
export; who may make it."""

import base64
import io
from datetime import date, timedelta

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .test_sync_invoices import InvoiceCaseMixin, dec


@tagged("post_install", "-at_install")
class TestReconciliation(InvoiceCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self.invoices = [self.invoice([(self.service, 1, amount, False, 0)]) for amount in (100, 200, 300)]
        self.refund = self.invoice([(self.service, 1, 50, False, 0)], move_type="out_refund")
        self.push()

    def report(self, **values):
        report = self.env["qbo.reconciliation"].create(values)
        report.action_compute()
        return report

    def customer_line(self, report):
        return report.line_ids.filtered(lambda line: line.partner_id == self.customer)

    def test_no_difference_after_a_clean_sync(self):
        report = self.report()
        line = self.customer_line(report)
        self.assertEqual((report.difference_count, line.has_difference), (0, False))
        self.assertEqual((dec(line.odoo_invoiced), dec(line.qbo_invoiced)), (dec(550), dec(550)))
        self.assertEqual((dec(line.odoo_open), dec(line.qbo_open), dec(line.difference)), (dec(550), dec(550), 0))
        self.assertEqual(set(report.document_ids.mapped("issue")), {"ok"})
        self.assertEqual(len(report.document_ids), 4)

    def test_planted_differences_are_named_exactly(self):
        realm = self.connection.realm_id
        paid, changed, same = (self.qbo(move) for move in self.invoices)
        self.control.user_write("Payment", {
            "CustomerRef": paid["CustomerRef"], "TotalAmt": 30,
            "Line": [{"Amount": 30, "LinkedTxn": [{"TxnId": paid["Id"], "TxnType": "Invoice"}]}]}, realm=realm)
        line = next(line for line in changed["Line"] if line["DetailType"] == "SalesItemLineDetail")
        self.control.user_write("Invoice", {
            "Id": changed["Id"], "SyncToken": changed["SyncToken"], "sparse": True,
            "Line": [{**line, "Amount": 210,
                      "SalesItemLineDetail": {**line["SalesItemLineDetail"], "UnitPrice": 210}}]}, realm=realm)
        self.control.user_write("Invoice", {
            "CustomerRef": paid["CustomerRef"], "DocNumber": "QBO-ONLY",
            "Line": [{"Amount": 40, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"Qty": 1, "UnitPrice": 40, "TaxCodeRef": {"value": "NON"}}}]},
            realm=realm)
        self.connection.invoice_direction = "off"  # an Odoo invoice QuickBooks does not get
        only_odoo = self.invoice([(self.service, 1, 25, False, 0)])
        report = self.report()
        issues = {doc.name: doc.issue for doc in report.document_ids}
        self.assertEqual(issues, {self.invoices[0].name: "open", self.invoices[1].name: "total",
                                  self.invoices[2].name: "ok", self.refund.name: "ok",
                                  "QBO-ONLY": "missing_odoo", only_odoo.name: "missing_qbo"})
        self.assertEqual(same["Id"], report.document_ids.filtered(lambda d: d.issue == "ok" and d.qbo_entity ==
                                                                  "Invoice").qbo_id)
        line = self.customer_line(report)
        self.assertTrue(line.has_difference)
        self.assertEqual(report.difference_count, 1)
        # Odoo: 100 + 200 + 300 - 50 + 25 invoiced, all open; QuickBooks: 100 + 210 + 300 - 50 + 40,
        # 30 of it paid.
        self.assertEqual((dec(line.odoo_invoiced), dec(line.qbo_invoiced)), (dec(575), dec(600)))
        self.assertEqual((dec(line.odoo_paid), dec(line.qbo_paid)), (dec(0), dec(30)))
        self.assertEqual((dec(line.odoo_open), dec(line.qbo_open), dec(line.difference)), (dec(575), dec(570), dec(-5)))
        documents = line.action_open_documents()
        self.assertEqual(len(self.env["qbo.reconciliation.document"].search(documents["domain"])), 6)
        # A period leaves the rest out; "only differences" the customers that agree.
        later = self.report(date_from=date.today() + timedelta(days=1))
        self.assertFalse(later.document_ids)

    def test_xlsx_export(self):
        report = self.report()
        action = report.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(int(action["url"].split("/")[3].split("?")[0]))
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        rows = list(book["Customers"].iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Customer")
        row = next(r for r in rows[1:] if r[0] == self.customer.display_name)
        self.assertEqual([dec(v) for v in row[2:]], [dec(550), dec(550), 0, 0, dec(550), dec(550), 0])

    def test_only_quickbooks_users(self):
        plain = new_test_user(self.env, "recon_plain", groups="account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.env["qbo.reconciliation"].with_user(plain).create({}).action_compute()
