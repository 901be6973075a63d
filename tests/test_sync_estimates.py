"""Quotations and orders ⇄ QuickBooks Estimates (issue 12), through real HTTP against the local
QuickBooks server: every field and each status both ways, estimate → invoice links both ways,
the opportunity's sales stage for each status (CRM installed beside the addon), totals equal to
the cent, and the hostile input salespeople meet (down payments, another currency, a customer
out of scope, an estimate naming a deleted item, lines changed on an invoiced order)."""

import time
from datetime import date, timedelta

from odoo import Command
from odoo.addons.quickbooks_online.models.sale_order import crm_installed
from odoo.addons.quickbooks_online.utils.qbo_client import PARAM_API_TIMEOUT
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .test_sync_invoices import MUTE, InvoiceCaseMixin, dec


@tagged("post_install", "-at_install")
class TestSyncEstimates(InvoiceCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self.connection.write({"estimate_direction": "both"})
        self.Order = self.env["sale.order"].with_context(tracking_disable=True)
        self.sales_tax = self.tax("Sales Tax 8%", 8)

    # -- helpers ---------------------------------------------------------------------------------
    def order(self, lines, send=True, **extra):
        """An order of ``lines`` [(product, qty, price, taxes, discount)] (a text: a note line),
        marked sent (as "Send by email" does)."""
        order = self.Order.create({
            "partner_id": self.customer.id, "validity_date": date.today() + timedelta(days=30),
            "order_line": [Command.create({"display_type": "line_note", "name": line}) if isinstance(line, str)
                           else Command.create({"product_id": line[0].id, "product_uom_qty": line[1],
                                                "price_unit": line[2], "discount": line[4],
                                                "tax_id": [Command.set(line[3].ids if line[3] else [])]})
                           for line in lines], **extra})
        if send:
            order.action_quotation_sent()
        return order

    def estimate_binding(self, order):
        return self.Binding.search([("res_model", "=", "sale.order"), ("res_id", "=", order.id),
                                    ("qbo_entity", "=", "Estimate")])

    def qbo_estimate(self, order):
        binding = self.estimate_binding(order)
        self.assertTrue(binding.qbo_id, f"{order.name}: {binding.state} {binding.last_error}")
        return self.control.user_read("Estimate", binding.qbo_id, realm=self.connection.realm_id)

    def pulled_order(self, data):
        binding = self.Binding.search([("qbo_entity", "=", "Estimate"), ("qbo_id", "=", data["Id"])])
        self.assertTrue(binding.res_id, f"{data['Id']}: {binding.state} {binding.last_error}")
        return self.Order.browse(binding.res_id)

    def assert_same_money(self, order, data):
        self.assertEqual(dec(order.amount_total), dec(data["TotalAmt"]), order.name)
        self.assertEqual(dec(order.amount_tax), dec(data["TxnTaxDetail"]["TotalTax"]), order.name)
        self.assertFalse(order.qbo_totals_differ)

    def qbo_lines(self, item, qty, price):
        return {"Amount": qty * price, "DetailType": "SalesItemLineDetail", "Description": "Fountain work",
                "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": qty, "UnitPrice": price,
                                        "TaxCodeRef": {"value": "NON"}}}

    def set_status(self, data, status, **extra):
        fresh = self.control.user_read("Estimate", data["Id"], realm=self.connection.realm_id)
        return self.control.user_write("Estimate", {"Id": data["Id"], "SyncToken": fresh["SyncToken"], "sparse": True,
                                                    "TxnStatus": status, **extra}, realm=self.connection.realm_id)

    # -- Odoo → QuickBooks -------------------------------------------------------------------------
    def test_quotation_up_when_sent_then_each_status(self):
        draft = self.order([(self.service, 2, 150, self.sales_tax, 0)], send=False)
        order = self.order([(self.service, 3, 99.99, self.sales_tax, 0), (self.goods, 7, 1.13, False, 10),
                            "Installed on site"], note="<p>Valid for a month</p>")
        self.push()
        self.assertFalse(self.estimate_binding(draft), "a plain draft waits for 'Send by email' or confirm")
        data = self.qbo_estimate(order)
        self.assertEqual(data["TxnStatus"], "Pending")
        self.assert_same_money(order, data)
        self.assertEqual(data["CustomerRef"]["value"], self.customer.qbo_id, "the customer went up first")
        self.assertEqual(data["DocNumber"], order.name)
        self.assertEqual((data["TxnDate"], data["ExpirationDate"]),
                         (order.date_order.date().isoformat(), order.validity_date.isoformat()))
        self.assertEqual(data["CustomerMemo"]["value"], "Valid for a month")
        self.assertEqual(data["BillEmail"]["Address"], "buyer@example.com")
        items = [line for line in data["Line"] if line["DetailType"] == "SalesItemLineDetail"]
        self.assertEqual([line["SalesItemLineDetail"]["ItemRef"]["value"] for line in items],
                         [self.service.qbo_id, self.goods.qbo_id], "the products went up first")
        self.assertEqual([dec(line["Amount"]) for line in items], [dec("299.97"), dec("7.12")])
        self.assertIn("(discount 10%)", items[1]["Description"])
        self.assertEqual([line["Description"] for line in data["Line"] if line["DetailType"] == "DescriptionOnly"],
                         ["Installed on site"])
        self.assertEqual((order.qbo_estimate_status, order.qbo_doc_number), ("Pending", order.name))
        # Confirmed → Accepted; invoiced → the invoice names the estimate, which is Closed.
        order.action_confirm()
        self.push()
        self.assertEqual(self.qbo_estimate(order)["TxnStatus"], "Accepted")
        invoice = order._create_invoices()
        invoice.action_post()
        self.push()
        invoice_data = self.qbo(invoice)
        self.assertEqual([link for link in invoice_data["LinkedTxn"] if link["TxnType"] == "Estimate"],
                         [{"TxnId": self.estimate_binding(order).qbo_id, "TxnType": "Estimate"}])
        self.assertEqual(self.qbo_estimate(order)["TxnStatus"], "Closed")
        self.assertEqual(order.qbo_estimate_status, "Closed")
        self.assert_same_money(invoice, invoice_data)
        # No echo: the next runs send nothing more.
        mark = self.log_mark()
        self.pull()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST" and "/query" not in r["path"]])

    def test_cancelled_is_rejected_and_drafts_with_the_option(self):
        self.connection.estimate_drafts = True
        order = self.order([(self.service, 1, 80, False, 0)], send=False)
        self.push()
        self.assertEqual(self.qbo_estimate(order)["TxnStatus"], "Pending", "every draft goes with the option")
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.push()
        self.assertEqual(self.qbo_estimate(order)["TxnStatus"], "Rejected", "an estimate is never voided")
        order.action_draft()
        self.push()
        self.assertEqual(self.qbo_estimate(order)["TxnStatus"], "Pending")

    def test_a_line_changed_in_odoo_replaces_the_lines(self):
        order = self.order([(self.service, 1, 100, self.sales_tax, 0)])
        self.push()
        order.write({"order_line": [Command.update(order.order_line.id, {"product_uom_qty": 4}),
                                    Command.create({"product_id": self.goods.id, "product_uom_qty": 1,
                                                    "price_unit": 9.99, "tax_id": False})]})
        self.push()
        data = self.qbo_estimate(order)
        self.assertEqual(dec(data["TotalAmt"]), dec(order.amount_total))
        self.assertEqual(len([line for line in data["Line"] if line["DetailType"] == "SalesItemLineDetail"]), 2)

    # -- QuickBooks → Odoo ---------------------------------------------------------------------
    def test_estimates_come_down_with_their_status(self):
        item = self.qbo_item("Fountain")["Id"]
        note = {"DetailType": "DescriptionOnly", "Description": "Garden phase 1", "DescriptionLineDetail": {}}
        discount = {"DetailType": "DiscountLineDetail", "Amount": 0,
                    "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10}}
        made = {status: self.qbo_document("Estimate", [self.qbo_lines(item, 3, 9.5), note, discount],
                                          TxnStatus=status,
                                          ExpirationDate="2030-01-31", CustomerMemo={"value": "Thanks"},
                                          **({"AcceptedBy": "Ann Buyer", "AcceptedDate": date.today().isoformat()}
                                             if status == "Accepted" else {}))
                for status in ("Pending", "Accepted", "Rejected")}
        self.pull()
        orders = {status: self.pulled_order(data) for status, data in made.items()}
        self.assertEqual({status: order.state for status, order in orders.items()},
                         {"Pending": "draft", "Accepted": "sale", "Rejected": "cancel"})
        accepted = orders["Accepted"]
        self.assertEqual((accepted.qbo_accepted_by, accepted.qbo_accepted_date), ("Ann Buyer", date.today()))
        self.assertEqual(accepted.date_order.date().isoformat(), made["Accepted"]["TxnDate"],
                         "the estimate's date kept")
        self.assertEqual(accepted.validity_date, date(2030, 1, 31))
        self.assertIn("Thanks", accepted.note)
        self.assertEqual(accepted.qbo_doc_number, made["Accepted"]["DocNumber"])
        for status, order in orders.items():
            self.assert_same_money(order, made[status])
        lines = accepted.order_line
        self.assertEqual(lines.mapped("display_type"), [False, "line_note", False])
        self.assertEqual(lines[0].product_id, self.env["product.product"].search([("qbo_id", "=", item)]))
        self.assertEqual(lines[0].qbo_category_id, lines[0].product_id.categ_id, "the revenue category shows")
        self.assertEqual((lines[2].product_id, dec(lines[2].price_subtotal)),
                         (self.env.ref("quickbooks_online.product_qbo_line"), dec("-2.85")),
                         "a discount line (no item) keeps its amount on the archived stand-in")
        # Status changes in QuickBooks move the order.
        self.set_status(made["Pending"], "Accepted")
        self.set_status(made["Accepted"], "Rejected")
        self.set_status(made["Rejected"], "Pending")
        self.pull()
        self.assertEqual([orders[s].state for s in ("Pending", "Accepted", "Rejected")], ["sale", "cancel", "draft"])
        mark = self.log_mark()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if "/estimate" in r["path"].lower()], "no echo")

    def test_converted_in_quickbooks_links_the_invoice_to_its_order(self):
        item = self.qbo_item("Pump")["Id"]
        estimate = self.qbo_document("Estimate", [self.qbo_lines(item, 2, 40)], TxnStatus="Accepted")
        self.pull()
        order = self.pulled_order(estimate)
        self.assertEqual(order.invoice_status, "to invoice")
        invoice = self.control.user_write("Invoice", {
            "CustomerRef": estimate["CustomerRef"], "Line": [self.qbo_lines(item, 2, 40)],
            "LinkedTxn": [{"TxnId": estimate["Id"], "TxnType": "Estimate"}]}, realm=self.connection.realm_id)
        self.pull()
        move = self.pulled(invoice)
        self.assertEqual(order.invoice_ids, move)
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(order.qbo_estimate_status, "Closed")
        self.assertEqual(self.estimate_binding(order).state, "synced")

    def test_lines_changed_in_quickbooks(self):
        """Lines of a confirmed order follow QuickBooks while it is not invoiced (it is
        confirmed again); once invoiced, the change waits for a person, saying why."""
        item = self.qbo_item("Stone")["Id"]
        estimate = self.qbo_document("Estimate", [self.qbo_lines(item, 1, 10)], TxnStatus="Accepted")
        self.pull()
        order = self.pulled_order(estimate)
        fresh = self.control.user_read("Estimate", estimate["Id"], realm=self.connection.realm_id)
        self.control.user_write("Estimate", {"Id": estimate["Id"], "SyncToken": fresh["SyncToken"], "sparse": True,
                                             "Line": [self.qbo_lines(item, 5, 10)]}, realm=self.connection.realm_id)
        self.pull()
        self.assertEqual((order.state, order.order_line.product_uom_qty, dec(order.amount_total)), ("sale", 5, dec(50)))
        order._create_invoices().action_post()
        self.push()
        fresh = self.control.user_read("Estimate", estimate["Id"], realm=self.connection.realm_id)
        self.control.user_write("Estimate", {"Id": estimate["Id"], "SyncToken": fresh["SyncToken"], "sparse": True,
                                             "Line": [self.qbo_lines(item, 9, 10)]}, realm=self.connection.realm_id)
        with mute_logger(*MUTE):
            self.pull()
        self.assertEqual(order.order_line.product_uom_qty, 5, "an invoiced order keeps its lines")
        binding = self.estimate_binding(order)
        self.assertIn("cannot change it", binding.last_error or "")

    def test_deleted_in_quickbooks_cancels_the_quotation(self):
        order = self.order([(self.service, 1, 70, False, 0)])
        self.push()
        self.control.user_end("Estimate", self.estimate_binding(order).qbo_id, "delete",
                              realm=self.connection.realm_id)
        self.pull()
        self.assertEqual(order.state, "cancel")
        self.assertFalse(self.estimate_binding(order))

    # -- interleavings ------------------------------------------------------------------------------
    def test_lost_reply_while_the_download_runs_creates_nothing_twice(self):
        """The estimate reaches QuickBooks, its reply is lost, the webhook's download runs before
        the retry: the create is replayed first and linked; one estimate, one order."""
        self.push()  # the customer and products
        order = self.order([(self.service, 2, 50, self.sales_tax, 0)])
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, "1")
        self.control.fault("slow", match="/estimate", delay=2)
        with mute_logger(*MUTE):
            self.push()
        binding = self.estimate_binding(order)
        self.assertTrue(binding.request_id and not binding.qbo_id, "in flight")
        time.sleep(2.5)  # QuickBooks finishes: the estimate exists there
        orders = self.Order.search_count([])
        self.pull()
        estimates = list(self.connection._qbo_api_client().query_all("Estimate"))
        self.assertEqual([e["Id"] for e in estimates], [binding.qbo_id])
        self.assertEqual(self.Order.search_count([]), orders, "no twin order")
        self.make_retries_due()
        self.push()
        self.assertEqual(len(list(self.connection._qbo_api_client().query_all("Estimate"))), 1)
        self.assert_same_money(order, self.qbo_estimate(order))

    def test_edits_on_both_sides_between_runs(self):
        """QuickBooks accepts the estimate while Odoo changes its validity: both changes end on
        both sides (different fields: no conflict), and the order is confirmed once."""
        order = self.order([(self.service, 1, 120, False, 0)])
        self.push()
        data = self.set_status(self.qbo_estimate(order), "Accepted", AcceptedBy="Ann Buyer")
        order.validity_date = date.today() + timedelta(days=90)
        self.pull()
        self.push()
        data = self.qbo_estimate(order)
        self.assertEqual((data["TxnStatus"], data["ExpirationDate"], data["AcceptedBy"]),
                         ("Accepted", order.validity_date.isoformat(), "Ann Buyer"))
        self.assertEqual((order.state, order.qbo_accepted_by), ("sale", "Ann Buyer"))
        self.assertEqual(self.estimate_binding(order).state, "synced")

    # -- hostile input -----------------------------------------------------------------------------
    def test_down_payment_lines_stay_in_odoo(self):
        order = self.order([(self.service, 1, 1000, False, 0)])
        order.action_confirm()
        wizard = self.env["sale.advance.payment.inv"].with_context(
            active_model="sale.order", active_ids=order.ids).create({"advance_payment_method": "percentage",
                                                                     "amount": 30})
        wizard.create_invoices()
        order.invoice_ids.action_post()
        self.assertTrue(order.order_line.filtered("is_downpayment"))
        self.push()
        data = self.qbo_estimate(order)
        self.assertEqual([line["Description"] for line in data["Line"] if line["DetailType"] != "SubTotalLineDetail"],
                         [order.order_line.filtered(lambda line: not line.is_downpayment).name])
        self.assertEqual(dec(data["TotalAmt"]), dec(1000), "the quotation's total, the down payment aside")
        self.assertEqual(data["TxnStatus"], "Accepted")

    def test_another_currency_is_a_clear_error(self):
        """QuickBooks (one currency) refuses an order in euros: the order says so and waits;
        the others go on."""
        euro = self.env.ref("base.EUR")
        euro.active = True
        pricelist = self.env["product.pricelist"].create({"name": "Euro", "currency_id": euro.id})
        foreign = self.order([(self.service, 1, 10, False, 0)], pricelist_id=pricelist.id)
        home = self.order([(self.service, 1, 10, False, 0)])
        with mute_logger(*MUTE):
            self.push()
        self.assertEqual(self.qbo_estimate(home)["TxnStatus"], "Pending")
        binding = self.estimate_binding(foreign)
        self.assertEqual(binding.state, "error")
        self.assertIn("currency", binding.last_error, "QuickBooks' reason")

    def test_customer_out_of_scope_waits_and_says_why(self):
        self.connection.customer_scope = "tagged"
        order = self.order([(self.service, 1, 10, False, 0)])
        self.push()
        binding = self.estimate_binding(order)
        self.assertEqual(binding.state, "waiting")
        self.assertIn(self.customer.name, binding.last_error)
        self.assertFalse(list(self.connection._qbo_api_client().query_all("Estimate")))

    def test_estimate_naming_a_deleted_item(self):
        item = self.qbo_item("Retired Lamp")
        estimate = self.qbo_document("Estimate", [self.qbo_lines(item["Id"], 2, 15)])
        self.control.user_write("Item", {"Id": item["Id"], "SyncToken": item["SyncToken"], "sparse": True,
                                         "Active": False}, realm=self.connection.realm_id)
        self.pull()
        order = self.pulled_order(estimate)
        self.assertEqual(dec(order.amount_total), dec(30))
        product = order.order_line.product_id.with_context(active_test=False)
        self.assertEqual(product.name, "Retired Lamp")
        self.assertFalse(product.active, "the item is inactive in QuickBooks: archived in Odoo")

    # -- sales stages ------------------------------------------------------------------------------
    def test_opportunity_follows_the_estimate(self):
        if not crm_installed(self.env):
            self.skipTest("sale_crm is not installed: no opportunities, no stages (nothing of them shows)")
        Lead = self.env["crm.lead"]
        stages = {s: self.env.ref("crm.stage_lead%d" % n) for s, n in (("qualified", 2), ("proposition", 3))}
        lead = Lead.create({"name": "Garden fountains", "type": "opportunity", "partner_id": self.customer.id})
        order = self.order([(self.service, 1, 500, False, 0)], opportunity_id=lead.id)
        self.push()
        self.assertEqual((lead.stage_id, lead.probability), (stages["qualified"], 40))
        order.action_confirm()
        self.push()
        self.assertEqual((lead.stage_id, lead.probability), (stages["proposition"], 80))
        # Converted: Closed (90 %) once QuickBooks says so, won with the invoice.
        order._create_invoices().action_post()
        self.push()
        self.assertTrue(lead.stage_id.is_won)
        self.assertEqual(lead.probability, 100)
        # Rejected: lost. The map is editable per company.
        self.connection._qbo_stage_map()
        self.connection.stage_map_ids.filtered(lambda row: row.status == "Pending").probability = 55
        other = Lead.create({"name": "Pond", "type": "opportunity", "partner_id": self.customer.id})
        rejected = self.order([(self.service, 1, 90, False, 0)], opportunity_id=other.id)
        self.push()
        self.assertEqual(other.probability, 55)
        rejected.with_context(disable_cancel_warning=True).action_cancel()
        self.push()
        self.assertFalse(other.active, "marked lost")
        self.assertEqual(other.probability, 0)

    def test_downloaded_estimates_get_opportunities_at_the_mapped_stage(self):
        if not crm_installed(self.env):
            self.skipTest("sale_crm is not installed: no opportunities, no stages (nothing of them shows)")
        item = self.qbo_item("Fountain Pump")["Id"]
        made = {status: self.qbo_document("Estimate", [self.qbo_lines(item, 1, 100)], TxnStatus=status)
                for status in ("Pending", "Accepted", "Closed", "Rejected")}
        self.pull()
        leads = {status: self.pulled_order(data).opportunity_id.with_context(active_test=False)
                 for status, data in made.items()}
        self.assertEqual({status: (lead.stage_id, lead.probability, lead.active) for status, lead in leads.items()},
                         {"Pending": (self.env.ref("crm.stage_lead2"), 40, True),
                          "Accepted": (self.env.ref("crm.stage_lead3"), 80, True),
                          "Closed": (self.env.ref("crm.stage_lead3"), 90, True),
                          "Rejected": (leads["Rejected"].stage_id, 0, False)})
        self.assertEqual(leads["Accepted"].expected_revenue, 100)


@tagged("post_install", "-at_install")
class TestSyncEstimatesCanada(InvoiceCaseMixin, TransactionCase):
    """A Canadian company: the order's taxes go up per rate (a group tax's two rates, a
    tax-included price), as Odoo computes the order's total, equal to the cent."""

    country = "CA"

    def test_taxes_per_rate_to_the_cent(self):
        self.connection.write({"estimate_direction": "both"})
        gst = self.tax("GST", 5)
        hst_incl = self.tax("HST 13% included", 13, price_include_override="tax_included")
        parts = self.tax("GST part", 5, type_tax_use="none") | self.tax("PST BC part", 7, type_tax_use="none")
        gst_pst = self.env["account.tax"].create({
            "name": "GST + PST BC", "amount_type": "group", "type_tax_use": "sale", "amount": 0,
            "children_tax_ids": [Command.set(parts.ids)]})
        pricelist = self.env["product.pricelist"].create({"name": "CAD", "currency_id": self.currency.id})
        order = self.env["sale.order"].create({
            "partner_id": self.customer.id, "pricelist_id": pricelist.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": qty, "price_unit": price,
                                           "tax_id": [Command.set(tax.ids)]})
                           for product, qty, price, tax in ((self.service, 3, 33.33, gst),
                                                            (self.goods, 7, 1.13, gst_pst),
                                                            (self.service, 1, 99.99, hst_incl))]})
        order.action_confirm()
        self.push()
        binding = self.Binding.search([("res_model", "=", "sale.order"), ("res_id", "=", order.id)])
        self.assertTrue(binding.qbo_id, binding.last_error)
        data = self.control.user_read("Estimate", binding.qbo_id, realm=self.connection.realm_id)
        self.assertEqual((data["TxnStatus"], dec(data["TotalAmt"]), dec(data["TxnTaxDetail"]["TotalTax"])),
                         ("Accepted", dec(order.amount_total), dec(order.amount_tax)))
        self.assertEqual(len(data["TxnTaxDetail"]["TaxLine"]), 4, "GST, GST part, PST part, HST: one line per rate")
        self.assertFalse(order.qbo_totals_differ)
