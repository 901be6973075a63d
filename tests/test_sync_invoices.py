"""Invoices and credit notes ⇄ QuickBooks Invoice and CreditMemo (issue 10), through real HTTP
against the local QuickBooks server, for a US company (one sales tax rate per document, TAX/NON
lines) and a Canadian one (a tax code per line, group taxes, tax-included prices): every field
both ways, totals, tax and balance equal to the cent in both of QuickBooks' rounding modes, reset
/ edit / re-post, cancel ⇄ void, deletion, no echo, and the hostile input accountants meet."""

import time
from datetime import date, timedelta
from decimal import Decimal

from odoo import Command
from odoo.addons.quickbooks_online.utils.qbo_client import PARAM_API_TIMEOUT
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .sync_common import SyncCaseMixin

MUTE = ("odoo.addons.quickbooks_online.models.qbo_sync_push", "odoo.addons.quickbooks_online.models.qbo_sync_pull",
        "odoo.addons.quickbooks_online.utils.qbo_client")


def dec(value):
    return Decimal(str(value)).quantize(Decimal("0.01"))


class InvoiceCaseMixin(SyncCaseMixin):
    """A customer, products and a tax mapped by the first run; helpers to make and compare
    documents on both sides."""

    country = "US"

    def _connect(self, connection=None):
        if self.country != "US" and not connection:
            realm = self.control.add_company(country=self.country)
            self.control.consent("approve", realm=realm)
        return super()._connect(connection)

    def setUp(self):
        super().setUp()
        self.connection.write({"product_direction": "both", "invoice_direction": "both", "import_history": True})
        self.Move = self.env["account.move"]
        self.env["product.product"].search([]).write({"active": False})
        self.Binding.search([("res_model", "in", ("product.product", "product.category"))]).unlink()
        self.customer = self.Partner.create({"name": "Invoice Buyer", "email": "buyer@example.com",
                                             "is_company": True})
        self.service = self.env["product.product"].create({"name": "Consulting", "type": "service",
                                                           "list_price": 100, "taxes_id": False})
        self.goods = self.env["product.product"].create({"name": "Widget", "type": "consu", "list_price": 1,
                                                         "taxes_id": False})
        self.journal = self.env["account.journal"].search([("type", "=", "sale"),
                                                           ("company_id", "=", self.env.company.id)], limit=1)
        self.other_invoices = self.Move.search_count([("move_type", "=", "out_invoice")])
        # The documents are in QuickBooks' home currency (the Odoo company's, or CAD in Canada).
        self.currency = self.env.company.currency_id if self.country == "US" else self.env.ref("base.CAD")
        if self.currency != self.env.company.currency_id:
            self.currency.active = True
            self.env["res.currency.rate"].create({"currency_id": self.currency.id, "rate": 1.37,
                                                  "name": date.today() - timedelta(days=500)})

    # -- helpers ---------------------------------------------------------------------------------
    def tax(self, name, amount, **extra):
        return self.env["account.tax"].create({"name": name, "amount": amount, "amount_type": "percent",
                                               "type_tax_use": "sale", **extra})

    def invoice(self, lines, move_type="out_invoice", post=True, **extra):
        """A document of ``lines`` [(product, qty, price, taxes, discount)] (a text: a note line),
        posted."""
        move = self.Move.create({
            "move_type": move_type, "partner_id": self.customer.id,
            "invoice_date": extra.pop("invoice_date", date.today()), "journal_id": self.journal.id,
            "currency_id": self.currency.id,
            "invoice_line_ids": [Command.create({"display_type": "line_note", "name": line}) if isinstance(line, str)
                                 else Command.create({
                                     "product_id": line[0].id, "quantity": line[1], "price_unit": line[2],
                                     "discount": line[4], "tax_ids": [Command.set(line[3].ids if line[3] else [])]})
                                 for line in lines],
            **extra})
        if post:
            move.action_post()
        return move

    def qbo(self, move):
        binding = self.doc_binding(move)
        self.assertTrue(binding.qbo_id, f"{move.name}: {binding.state} {binding.last_error}")
        entity = "Invoice" if move.move_type == "out_invoice" else "CreditMemo"
        return self.control.user_read(entity, binding.qbo_id, realm=self.connection.realm_id)

    def doc_binding(self, move):
        """The binding of the document itself (not a credit note's application)."""
        return self.Binding.search([("res_model", "=", "account.move"), ("res_id", "=", move.id),
                                    ("qbo_entity", "in", ("Invoice", "CreditMemo", "SalesReceipt"))])

    def assert_same_money(self, move, data):
        """Odoo's total, tax and open amount are QuickBooks' to the cent."""
        label = "%s %s" % (move.name, [(line.quantity, line.price_unit, line.tax_ids.mapped("name"))
                                       for line in move.invoice_line_ids])
        self.assertEqual(dec(move.amount_total), dec(data["TotalAmt"]), label)
        self.assertEqual(dec(move.amount_tax), dec(data["TxnTaxDetail"]["TotalTax"]), label)
        self.assertEqual(dec(move.amount_residual), dec(data["Balance"]), label)
        self.assertFalse(move.qbo_totals_differ, label)
        self.assertEqual(dec(move.qbo_total), dec(data["TotalAmt"]))

    def qbo_document(self, entity, lines, **extra):
        """Create a document in QuickBooks as a user would (QuickBooks computes its tax)."""
        realm = self.connection.realm_id
        self.buyers = getattr(self, "buyers", 0) + 1
        customer = self.control.user_write("Customer", {"DisplayName": "QuickBooks Buyer %s" % self.buyers},
                                           realm=realm)
        body = {"CustomerRef": {"value": extra.pop("customer", customer["Id"])}, "Line": lines, **extra}
        return self.control.user_write(entity, body, realm=realm)

    def qbo_item(self, name, **extra):
        accounts = {a["Name"]: a["Id"] for a in self.connection._qbo_api_client().query_all("Account")}
        return self.control.user_write("Item", {"Name": name, "Type": "Service",
                                                "IncomeAccountRef": {"value": accounts["Services"]}, **extra},
                                       realm=self.connection.realm_id)

    def pulled(self, data, move_type="out_invoice"):
        binding = self.Binding.search([("qbo_entity", "=", "Invoice" if move_type == "out_invoice" else "CreditMemo"),
                                       ("qbo_id", "=", data["Id"])])
        self.assertTrue(binding.res_id, f"{data['Id']}: {binding.state} {binding.last_error}")
        return self.Move.browse(binding.res_id)


@tagged("post_install", "-at_install")
class TestSyncInvoicesUS(InvoiceCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self.sales_tax = self.tax("Sales Tax 8%", 8)   # mapped to QuickBooks' "California" (6 % + 2 %) by rate

    def test_upload_every_field_and_the_same_money(self):
        term = self.env.ref("account.account_payment_term_30days")
        move = self.invoice([(self.service, 3, 99.99, self.sales_tax, 0), (self.goods, 7, 1.13, False, 10),
                             "Delivered on site"], invoice_payment_term_id=term.id, narration="<p>Thank you</p>")
        self.push()
        data = self.qbo(move)
        self.assert_same_money(move, data)
        customer = self.control.user_read("Customer", self.customer.qbo_id)
        self.assertEqual(data["CustomerRef"]["value"], customer["Id"], "the customer went up first")
        self.assertEqual(data["DocNumber"], move.name)
        self.assertEqual((data["TxnDate"], data["DueDate"]),
                         (move.invoice_date.isoformat(), move.invoice_date_due.isoformat()))
        self.assertEqual(data["SalesTermRef"]["value"], next(
            t["Id"] for t in self.connection._qbo_api_client().query_all("Term") if t["Name"] == "Net 30"))
        self.assertEqual(data["BillEmail"]["Address"], "buyer@example.com")
        self.assertEqual(data["CustomerMemo"]["value"], "Thank you")
        items = [line for line in data["Line"] if line["DetailType"] == "SalesItemLineDetail"]
        self.assertEqual([line["SalesItemLineDetail"]["ItemRef"]["value"] for line in items],
                         [self.service.qbo_id, self.goods.qbo_id], "the products went up first")
        self.assertEqual([line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in items], ["TAX", "NON"])
        self.assertEqual([dec(line["Amount"]) for line in items], [dec("299.97"), dec("7.12")])
        self.assertIn("(discount 10%)", items[1]["Description"], "the discount is stated, never folded silently")
        self.assertEqual([line["Description"] for line in data["Line"] if line["DetailType"] == "DescriptionOnly"],
                         ["Delivered on site"])
        california = next(c for c in self.connection._qbo_api_client().query_all("TaxCode")
                          if c["Name"] == "California")
        self.assertEqual(data["TxnTaxDetail"]["TxnTaxCodeRef"]["value"], california["Id"])
        self.assertEqual(self.doc_binding(move).state, "synced")
        # No echo, no second request: the next download and upload send nothing about it.
        mark = self.log_mark()
        self.pull()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if "/invoice" in r["path"].lower()
                          and r["method"] == "POST"])
        self.assertEqual(move.qbo_doc_number, move.name)

    def test_one_rate_on_every_line_is_a_document_discount(self):
        """The same discount on every line is QuickBooks' discount line when it comes to Odoo's
        amount to the cent; where QuickBooks' rounding of it would differ, each line keeps its own.
        Both are the same money, and a later QuickBooks edit changes no line."""
        whole = self.invoice([(self.service, 1, 100, self.sales_tax, 10), (self.goods, 3, 10, False, 10)])
        cents = self.invoice([(self.goods, 1, 0.35, False, 10), (self.goods, 1, 0.35, False, 10)])
        self.push()
        data = self.qbo(whole)
        discount = [line for line in data["Line"] if line["DetailType"] == "DiscountLineDetail"]
        self.assertEqual(len(discount), 1)
        self.assertEqual((discount[0]["DiscountLineDetail"]["DiscountPercent"], dec(discount[0]["Amount"])),
                         (10, dec(13)))
        self.assertEqual([dec(line["Amount"]) for line in data["Line"] if line["DetailType"] == "SalesItemLineDetail"],
                         [dec(100), dec(30)])
        self.assert_same_money(whole, data)
        per_line = self.qbo(cents)
        self.assertFalse([line for line in per_line["Line"] if line["DetailType"] == "DiscountLineDetail"])
        self.assertTrue(all("(discount 10%)" in line["Description"] for line in per_line["Line"]
                            if line["DetailType"] == "SalesItemLineDetail"))
        self.assert_same_money(cents, per_line)
        self.control.user_write("Invoice", {"Id": data["Id"], "SyncToken": data["SyncToken"], "sparse": True,
                                            "CustomerMemo": {"value": "Loyalty discount"}})
        lines_before = whole.invoice_line_ids.mapped(lambda line: (line.quantity, line.price_unit, line.discount))
        self.pull()
        self.push()
        self.assertEqual(whole.invoice_line_ids.mapped(lambda line: (line.quantity, line.price_unit, line.discount)),
                         lines_before)
        self.assertIn("Loyalty discount", whole.narration)
        self.assertEqual(self.doc_binding(whole).state, "synced")

    def test_only_products_used_on_synced_documents(self):
        """With the option on, a product goes to QuickBooks with the first synced document using
        it, never before: the unused one stays in Odoo only (QuickBooks' items still come down)."""
        self.connection.product_scope = "used"
        self.goods.lst_price = 2  # an edit of an unused product flags nothing
        self.push()
        self.assertFalse(self.qbo_items(), "no document yet: no product uploaded")
        move = self.invoice([(self.service, 1, 100, self.sales_tax, 0)])
        self.push()
        self.assertEqual(self.qbo_items(), ["Consulting"])
        self.assert_same_money(move, self.qbo(move))
        self.qbo_item("Made in QuickBooks")
        self.pull()
        self.assertTrue(self.env["product.product"].search([("name", "=", "Made in QuickBooks")]))

    def qbo_items(self):
        return sorted(i["Name"] for i in self.connection._qbo_api_client().query_all(
            "Item", "Type IN ('Service', 'NonInventory')") if i["Name"] != "Services")

    def test_reset_edit_repost_updates_and_cancel_voids(self):
        move = self.invoice([(self.service, 1, 100, self.sales_tax, 0)])
        self.push()
        first = self.qbo(move)
        move.button_draft()
        mark = self.log_mark()
        self.push()
        binding = self.doc_binding(move)
        self.assertEqual(binding.state, "waiting")
        self.assertIn("posted again", binding.last_error)
        self.assertFalse(self.api_log(mark, "/invoice"), "a draft sends nothing")
        move.invoice_line_ids[0].quantity = 3
        move.invoice_date_due = date.today() + timedelta(days=45)
        move.action_post()
        self.push()
        second = self.qbo(move)
        self.assertEqual(second["Id"], first["Id"], "updated, never created twice")
        self.assertEqual(dec(second["TotalAmt"]), dec("324.00"))
        self.assertEqual(second["DueDate"], (date.today() + timedelta(days=45)).isoformat())
        self.assert_same_money(move, second)
        move.button_draft()
        move.button_cancel()
        self.push()
        voided = self.qbo(move)
        self.assertEqual((voided["PrivateNote"], dec(voided["TotalAmt"])), ("Voided", dec(0)))
        self.assertEqual(self.doc_binding(move).state, "synced")
        log = self.env["qbo.sync.log"].search([("res_model", "=", "account.move"), ("res_id", "=", move.id)],
                                              limit=1)
        self.assertEqual(log.message, "Voided in QuickBooks.")

    def test_drafts_and_history_send_nothing(self):
        self.connection.write({"import_history": False, "sync_start_date": date.today()})
        draft = self.invoice([(self.service, 1, 10, False, 0)], post=False)
        old = self.invoice([(self.service, 1, 10, False, 0)], invoice_date=date.today() - timedelta(days=40))
        mark = self.log_mark()
        self.push()
        self.assertFalse(self.api_log(mark, "/invoice"))
        self.assertFalse(self.doc_binding(draft) | self.doc_binding(old))
        draft.unlink()  # a draft never posted: deleted without a word to QuickBooks

    def test_a_credit_notes_due_date_is_no_change(self):
        """Odoo gives a credit note a due date, QuickBooks' credit memo has none (it reads as its
        date): "Upload all" after the first upload sends nothing (the preview found it sent)."""
        refund = self.invoice([(self.service, 1, 40, False, 0)], move_type="out_refund",
                              invoice_date_due=date.today() + timedelta(days=30))
        self.push()
        self.assertEqual(self.doc_binding(refund).state, "synced")
        mark = self.log_mark()
        self.connection.action_qbo_upload_all()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST" and (
            "creditmemo" in r["path"].lower() or "CreditMemo" in str(r.get("body")))])
        stand_in = self.env.ref("quickbooks_online.res_partner_qbo_no_customer")
        self.assertFalse(stand_in._qbo_binding(self.connection), "QuickBooks' 'no customer' is none of its customers")

    def test_download_invoices_credit_memos_void_and_delete(self):
        pump = self.qbo_item("Pump", Taxable=True, UnitPrice=12.75)
        lines = [{"Amount": 38.25, "Description": "Three pumps", "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": pump["Id"]}, "Qty": 3, "UnitPrice": 12.75,
                                          "TaxCodeRef": {"value": "TAX"}}},
                 {"DetailType": "DescriptionOnly", "Description": "Installed"},
                 {"Amount": 10, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": pump["Id"]}, "Qty": 1, "UnitPrice": 10,
                                          "TaxCodeRef": {"value": "NON"}}}]
        self.push()  # the customer and products of the set-up: QuickBooks has them, this test is about documents
        inv = self.qbo_document("Invoice", lines, DocNumber="Q-77", CustomerMemo={"value": "See you"})
        credit = self.qbo_document("CreditMemo", lines[:1])
        self.pull()
        move = self.pulled(inv)
        self.assertEqual((move.state, move.move_type, move.qbo_doc_number), ("posted", "out_invoice", "Q-77"))
        self.assertEqual(move.partner_id.qbo_id, inv["CustomerRef"]["value"])
        self.assertEqual(move.invoice_line_ids.filtered("product_id").product_id.qbo_id, pump["Id"])
        notes = move.invoice_line_ids.filtered(lambda line: line.display_type == "line_note")
        self.assertEqual(notes.name, "Installed")
        self.assertEqual((move.invoice_date.isoformat(), move.invoice_date_due.isoformat()),
                         (inv["TxnDate"], inv["DueDate"]))
        self.assertEqual(move.invoice_line_ids.filtered("product_id").tax_ids[:1], self.sales_tax)
        self.assert_same_money(move, inv)
        refund = self.pulled(credit, "out_refund")
        self.assertEqual(refund.move_type, "out_refund")
        self.assert_same_money(refund, credit)
        # No echo: what came down does not go up.
        mark = self.log_mark()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST"])
        # A change in QuickBooks comes down; a void cancels; a deletion cancels.
        two = dict(lines[2], Amount=20, SalesItemLineDetail=dict(lines[2]["SalesItemLineDetail"], Qty=2))
        changed = self.control.user_write("Invoice", {"Id": inv["Id"], "SyncToken": inv["SyncToken"], "sparse": True,
                                                      "Line": lines[:1] + [two]})
        self.pull()
        self.assertEqual(move.state, "posted")
        self.assert_same_money(move, changed)
        self.fake_void("Invoice", changed)
        self.pull()
        self.assertEqual(move.state, "cancel")
        self.fake_delete("CreditMemo", credit)
        self.pull()
        self.assertEqual(refund.state, "cancel")
        self.assertFalse(self.doc_binding(refund))

    def test_lost_reply_while_the_download_runs_creates_nothing_twice(self):
        """The create reaches QuickBooks, its reply is lost, a webhook wakes the download before
        the upload retries: the download replays the create first and links the invoice; the
        retry sends nothing new. One invoice on each side."""
        self.push()  # the customer and products
        move = self.invoice([(self.service, 2, 50, self.sales_tax, 0)])
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, "1")
        self.control.fault("slow", match="/invoice", delay=2)
        with mute_logger(*MUTE):
            self.push()
        binding = self.doc_binding(move)
        self.assertTrue(binding.request_id and not binding.qbo_id, "in flight")
        time.sleep(2.5)  # QuickBooks finishes: the invoice exists there
        self.pull()
        invoices = list(self.connection._qbo_api_client().query_all("Invoice"))
        self.assertEqual(len(invoices), 1)
        self.assertEqual(binding.qbo_id, invoices[0]["Id"])
        self.assertEqual(self.Move.search_count([("move_type", "=", "out_invoice")]), 1 + self.other_invoices)
        self.make_retries_due()
        self.push()
        self.assertEqual(len(list(self.connection._qbo_api_client().query_all("Invoice"))), 1)
        self.assert_same_money(move, self.qbo(move))

    def test_cancelled_while_its_create_is_in_flight(self):
        """The create reached QuickBooks but its reply was lost; the invoice is cancelled in Odoo
        before the retry: the upload replays the create (linking QuickBooks' invoice) and voids
        it, with no download in between."""
        self.push()
        move = self.invoice([(self.service, 1, 30, False, 0)])
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, "1")
        self.control.fault("slow", match="/invoice", delay=2)
        with mute_logger(*MUTE):
            self.push()
        self.assertTrue(self.doc_binding(move).request_id and not self.doc_binding(move).qbo_id, "in flight")
        time.sleep(2.5)
        move.button_draft()
        move.button_cancel()
        self.make_retries_due()
        self.push()
        self.push()
        invoices = list(self.connection._qbo_api_client().query_all("Invoice"))
        self.assertEqual(len(invoices), 1)
        self.assertEqual((invoices[0]["Id"], invoices[0]["PrivateNote"], dec(invoices[0]["TotalAmt"])),
                         (self.doc_binding(move).qbo_id, "Voided", dec(0)))
        self.assertEqual(self.doc_binding(move).state, "synced")

    def test_edits_on_both_sides_between_runs(self):
        """QuickBooks changes the customer memo, Odoo resets, edits a line and re-posts: both
        changes end on both sides (different fields: no conflict)."""
        move = self.invoice([(self.service, 1, 100, self.sales_tax, 0)])
        self.push()
        data = self.qbo(move)
        self.control.user_write("Invoice", {"Id": data["Id"], "SyncToken": data["SyncToken"], "sparse": True,
                                            "CustomerMemo": {"value": "Paid by cheque"}})
        move.button_draft()
        move.invoice_line_ids[0].price_unit = 120
        move.action_post()
        self.pull()
        self.push()
        data = self.qbo(move)
        self.assertEqual(data["CustomerMemo"]["value"], "Paid by cheque")
        self.assertIn("Paid by cheque", move.narration)
        self.assertEqual(dec(data["TotalAmt"]), dec("129.60"))
        self.assert_same_money(move, data)
        self.assertEqual(self.doc_binding(move).state, "synced")

    def test_history_off_leaves_old_quickbooks_documents_out(self):
        self.push()
        self.connection.write({"import_history": False, "sync_start_date": date.today() - timedelta(days=10)})
        line = [{"Amount": 5, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]
        old = self.qbo_document("Invoice", line, TxnDate=(date.today() - timedelta(days=30)).isoformat())
        new = self.qbo_document("Invoice", line, TxnDate=date.today().isoformat())
        self.pull()
        self.assertFalse(self.Binding.search([("qbo_entity", "=", "Invoice"), ("qbo_id", "=", old["Id"])]))
        self.assertEqual(self.pulled(new).amount_total, 5)

    def test_a_paid_document_is_not_changed_from_quickbooks(self):
        self.push()
        line = {"Amount": 40, "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": 40}}
        data = self.qbo_document("Invoice", [line])
        self.pull()
        move = self.pulled(data)
        self.env["account.payment.register"].with_context(active_model="account.move", active_ids=move.ids).create(
            {})._create_payments()
        self.assertEqual(move.payment_state in ("paid", "in_payment"), True)
        self.control.user_write("Invoice", {"Id": data["Id"], "SyncToken": data["SyncToken"], "sparse": True,
                                            "Line": [dict(line, Amount=45, SalesItemLineDetail=dict(
                                                line["SalesItemLineDetail"], UnitPrice=45))]})
        with mute_logger(*MUTE):
            self.pull()
        binding = self.doc_binding(move)
        self.assertEqual(binding.state, "error")
        self.assertIn("cannot change it (paid", binding.last_error)
        self.assertEqual((move.state, dec(move.amount_total)), ("posted", dec(40)), "Odoo's books untouched")

    def fake_void(self, entity, data):
        client = self.connection._qbo_api_client()
        return client.void(entity, {"Id": data["Id"], "SyncToken": self.control.user_read(entity, data["Id"])[
            "SyncToken"]}, "void-%s" % data["Id"])

    def fake_delete(self, entity, data):
        client = self.connection._qbo_api_client()
        return client.delete(entity, {"Id": data["Id"], "SyncToken": self.control.user_read(entity, data["Id"])[
            "SyncToken"]}, "delete-%s" % data["Id"])

    def test_money_table_both_rounding_modes(self):
        """Thirty documents built to trap rounding (thirds, many small lines, discounts, negative
        lines, tax on some lines only, $0, credit notes): after upload QuickBooks holds Odoo's
        total, tax and balance to the cent, whether it rounds per line or on the total."""
        table = []
        for mode_index, mode in enumerate(("line", "total")):
            self.control.config(tax_rounding=mode)
            for n in range(15):
                taxes = self.sales_tax if n % 3 else False
                lines = [(self.service, 1, round(100 / 3, 2), taxes, 0),
                         (self.goods, n + 1, 1.59, taxes, (n * 7) % 25),
                         (self.service, 1, -(n % 4) * 0.33, taxes, 0)]
                if n == 14:
                    lines = [(self.service, 1, 0, False, 0)]    # a $0 invoice
                table.append(self.invoice(lines, move_type="out_refund" if n % 5 == 4 else "out_invoice"))
            self.push()
            for move in table[mode_index * 15:]:
                self.assert_same_money(move, self.qbo(move))
        self.assertEqual(len(table), 30)

    def test_currency_and_archived_item_refusals_are_clear(self):
        """An invoice in another currency than its QuickBooks customer's, and one naming an item
        made inactive in QuickBooks, are refused by QuickBooks: each stays in error with
        QuickBooks' reason, the other invoices go up."""
        self.push()
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create({"currency_id": eur.id, "rate": 0.9, "name": date.today()})
        foreign = self.invoice([(self.service, 1, 10, False, 0)], currency_id=eur.id)
        item = self.control.user_read("Item", self.goods.qbo_id)
        self.control.user_write("Item", {"Id": item["Id"], "Active": False})
        archived = self.invoice([(self.goods, 1, 10, False, 0)])
        fine = self.invoice([(self.service, 1, 10, False, 0)])
        with mute_logger(*MUTE):
            self.push()
        self.assertIn("currency", self.doc_binding(foreign).last_error)
        self.assertEqual(self.doc_binding(archived).state, "error")
        self.assertIn("inactive", self.doc_binding(archived).last_error.lower())
        self.assert_same_money(fine, self.qbo(fine))

    def test_hostile_documents(self):
        unmapped = self.tax("Luxury 13%", 13)
        move = self.invoice([(self.service, 1, 10, unmapped, 0)])
        two_rates = self.invoice([(self.service, 1, 10, self.sales_tax, 0), (self.goods, 1, 10, unmapped, 0)])
        too_long = self.invoice([(self.service, 1, 10, False, 0)])
        name = too_long.name
        too_long.name = name + "-" + "9" * 20
        mark = self.log_mark()
        with mute_logger(*MUTE):
            self.push()
        self.assertEqual(self.doc_binding(move).state, "error")
        self.assertIn("Luxury 13%", self.doc_binding(move).last_error)
        self.assertIn("maps to no QuickBooks tax code", self.doc_binding(move).last_error)
        self.assertIn("Luxury 13%", self.doc_binding(two_rates).last_error)
        self.assertIn("DocNumber", self.doc_binding(too_long).last_error)
        self.assertFalse(self.api_log(mark, "/invoice"), "nothing sent for what cannot be mapped")
        too_long.name = name  # a number QuickBooks takes: it goes up with the next upload
        # Mapped now, to the code of the 8 %: the document with both taxes has one rate again.
        code = self.env["qbo.tax.code"].search([("connection_id", "=", self.connection.id),
                                                ("name", "=", "California")])
        self.env["qbo.tax.map"].create({"connection_id": self.connection.id, "tax_id": unmapped.id,
                                        "qbo_tax_code_id": code.id})
        # QuickBooks' own refusals: a number used already (6140), closed books (6210).
        taken = self.invoice([(self.service, 1, 10, False, 0)])
        other = self.qbo_document("Invoice", [{"Amount": 1, "DetailType": "SalesItemLineDetail",
                                               "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}],
                                  DocNumber=taken.name)
        closed = self.invoice([(self.service, 1, 10, False, 0)], invoice_date=date.today() - timedelta(days=400))
        prefs = self.control.user_read("Preferences", "1")
        self.control.user_write("Preferences", {"Id": "1", "SyncToken": prefs["SyncToken"], "sparse": True,
                                                "AccountingInfoPrefs": {"BookCloseDate": (
                                                    date.today() - timedelta(days=300)).isoformat()}})
        self.Binding.search([("res_model", "=", "account.move")]).write({"state": "to_push"})
        with mute_logger(*MUTE):
            self.push()
        self.assertEqual(self.doc_binding(move).state, "synced", self.doc_binding(move).last_error)
        self.assertEqual(self.doc_binding(two_rates).state, "synced", "one code for both taxes now")
        self.assertIn("Duplicate Document Number", self.doc_binding(taken).last_error)
        self.assertEqual(self.control.user_read("Invoice", other["Id"])["DocNumber"], taken.name, "theirs untouched")
        self.assertIn("Account Period Closed", self.doc_binding(closed).last_error)
        self.assertEqual(self.doc_binding(too_long).state, "synced")
        # 751 lines: refused before sending, with the limit named.
        many = self.invoice([(self.goods, 1, 1, False, 0)] * 751)
        with mute_logger(*MUTE):
            self.push()
        self.assertIn("at most 750", self.doc_binding(many).last_error)


@tagged("post_install", "-at_install")
class TestSyncInvoicesCanada(InvoiceCaseMixin, TransactionCase):
    """A Canadian company: a tax code on every line, several rates per code, tax-included prices."""

    country = "CA"

    def setUp(self):
        super().setUp()
        self.gst = self.tax("GST", 5)                                  # "GST" by name
        self.hst_incl = self.tax("HST 13% included", 13, price_include_override="tax_included")  # by rate
        parts = self.tax("GST part", 5, type_tax_use="none") | self.tax("PST BC part", 7, type_tax_use="none")
        self.gst_pst = self.env["account.tax"].create({
            "name": "GST + PST BC", "amount_type": "group", "type_tax_use": "sale", "amount": 0,
            "children_tax_ids": [Command.set(parts.ids)]})             # the combined code, by rate (12 %)
        self.codes = {c["Name"]: c["Id"] for c in self.connection._qbo_api_client().query_all("TaxCode")}

    def test_per_line_codes_group_taxes_and_included_prices_to_the_cent(self):
        documents = []
        for mode in ("line", "total"):
            self.control.config(tax_rounding=mode, realm=self.connection.realm_id)
            batch = [
                self.invoice([(self.goods, 1, 1.59, self.gst_pst, 0)] * 31),
                self.invoice([(self.service, 3, 33.33, self.gst, 0), (self.goods, 2, 0.99, False, 0)]),
                self.invoice([(self.service, 1, 113, self.hst_incl, 0), (self.goods, 7, 3.33, self.hst_incl, 15)]),
                self.invoice([(self.service, 1, 19.99, self.gst_pst, 5), (self.goods, 1, 9.99, self.gst, 0)],
                             move_type="out_refund"),
            ]
            self.push()
            for move in batch:
                self.assert_same_money(move, self.qbo(move))
            documents += batch
        first = self.qbo(documents[0])
        self.assertEqual({line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in first["Line"]
                          if line["DetailType"] == "SalesItemLineDetail"}, {self.codes["GST/PST BC"]})
        self.assertEqual(len(first["TxnTaxDetail"]["TaxLine"]), 2, "GST and PST, each with Odoo's amount")
        second = self.qbo(documents[1])
        self.assertEqual([line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in second["Line"]
                          if line["DetailType"] == "SalesItemLineDetail"], [self.codes["GST"], self.codes["Exempt"]])
        included = self.qbo(documents[2])
        self.assertEqual(included["GlobalTaxCalculation"], "TaxInclusive")
        self.assertEqual(dec(included["TotalAmt"]), dec(documents[2].amount_total))

    def test_download_keeps_quickbooks_tax_in_both_rounding_modes(self):
        self.push()
        for mode, expected_tax in (("line", "5.89"), ("total", "5.91")):
            self.control.config(tax_rounding=mode, realm=self.connection.realm_id)
            line = {"Amount": 1.59, "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": 1.59,
                                            "TaxCodeRef": {"value": self.codes["GST/PST BC"]}}}
            exempt = dict(line, SalesItemLineDetail=dict(line["SalesItemLineDetail"],
                                                         TaxCodeRef={"value": self.codes["Exempt"]}))
            data = self.qbo_document("Invoice", [line] * 31 + [exempt], GlobalTaxCalculation="TaxExcluded")
            self.assertEqual(dec(data["TxnTaxDetail"]["TotalTax"]), dec(expected_tax))
            self.pull()
            move = self.pulled(data)
            self.assert_same_money(move, data)
            self.assertEqual(move.invoice_line_ids[0].tax_ids, self.gst_pst)

    def test_items_carry_their_sales_tax_code(self):
        """Outside the US an item names its sales tax code: a product's customer tax goes up as
        its code, and a QuickBooks item's code comes down as the mapped Odoo tax."""
        self.goods.taxes_id = self.gst
        self.push()
        item = next(i for i in self.connection._qbo_api_client().query_all("Item") if i["Name"] == "Widget")
        self.assertEqual(item["SalesTaxCodeRef"]["value"], self.codes["GST"])
        made = self.qbo_item("Harmonized", SalesTaxCodeRef={"value": self.codes["HST ON"]}, Taxable=True)
        self.pull()
        product = self.env["product.product"].search([("qbo_id", "=", made["Id"])])
        self.assertEqual(product.taxes_id, self.hst_incl)
