"""Customer payments ⇄ QuickBooks Payment (issue 11), through real HTTP against the local
QuickBooks server: partial, split over three invoices, over (customer credit), moved from one
invoice to another, cancelled / voided / deleted, credit memos used by a payment, each both ways,
with the invoices' open amounts and the customer's balance equal to the cent on both sides after
each; and the hostile input: a payment for an invoice Odoo does not have, another customer's
invoice, a deposited payment QuickBooks refuses to change (6540), a zero payment."""

import time
from datetime import date
from decimal import Decimal

from psycopg2 import IntegrityError

from odoo.addons.quickbooks_online.utils.qbo_client import PARAM_API_TIMEOUT
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .test_sync_invoices import MUTE, InvoiceCaseMixin, dec


def receivable_lines(moves):
    return moves.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")


def receivable_payments(move):
    """The payments reconciled with ``move``."""
    lines = receivable_lines(move)
    return (lines.matched_credit_ids.credit_move_id | lines.matched_debit_ids.debit_move_id).move_id.origin_payment_id


@tagged("post_install", "-at_install")
class TestSyncPayments(InvoiceCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self.connection.write({"payment_direction": "both"})
        self.sales_tax = self.tax("Sales Tax 8%", 8)
        self.Payment = self.env["account.payment"]
        self.bank = self.env["account.journal"].search([("type", "=", "bank"),
                                                        ("company_id", "=", self.env.company.id)], limit=1)

    # -- helpers ---------------------------------------------------------------------------------
    def pay(self, invoices, amount, **extra):
        """Register a payment of ``amount`` for ``invoices`` as an accountant does (the wizard)."""
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids).create({
                "amount": amount, "payment_date": date.today(), "journal_id": self.bank.id,
                "group_payment": True, **extra})
        return wizard._create_payments()

    def payment_binding(self, payment):
        return self.Binding.search([("res_model", "=", "account.payment"), ("res_id", "=", payment.id)])

    def qbo_payment(self, payment):
        binding = self.payment_binding(payment)
        self.assertTrue(binding.qbo_id, f"{payment.name}: {binding.state} {binding.last_error}")
        return self.control.user_read("Payment", binding.qbo_id, realm=self.connection.realm_id)

    def lines(self, data):
        """{(TxnType, TxnId): amount} of a QuickBooks Payment."""
        return {(link["TxnType"], link["TxnId"]): dec(line["Amount"])
                for line in data.get("Line") or [] for link in line["LinkedTxn"]}

    def assert_same_balances(self, *moves):
        """Each document's open amount and the customer's balance are QuickBooks' to the cent
        (after a download brought QuickBooks' new balances)."""
        self.pull()
        for move in moves:
            data = self.qbo(move)
            self.assertEqual(dec(move.amount_residual), dec(data["Balance"]), move.name)
            self.assertEqual(dec(move.qbo_balance), dec(data["Balance"]), "%s: the QuickBooks tab" % move.name)
            self.assertEqual(dec(move.qbo_amount_paid), dec(data["TotalAmt"]) - dec(data["Balance"]))
        partner = moves[0].commercial_partner_id
        customer = self.control.user_read("Customer", partner.qbo_id, realm=self.connection.realm_id)
        self.env.invalidate_all()
        self.assertEqual(dec(partner.credit - partner.debit), dec(customer["Balance"]), "the customer's balance")

    def qbo_pay(self, customer, total, *links, **extra):
        """Record a payment in QuickBooks as a user would: links [(entity, id, amount)]."""
        return self.control.user_write("Payment", {
            "CustomerRef": {"value": customer}, "TotalAmt": total, **extra,
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": txn, "TxnType": kind}]}
                     for kind, txn, amount in links]},
            realm=self.connection.realm_id)

    def pulled_payment(self, data):
        binding = self.Binding.search([("qbo_entity", "=", "Payment"), ("qbo_id", "=", data["Id"])])
        self.assertTrue(binding.res_id, f"{data['Id']}: {binding.state} {binding.last_error}")
        return self.Payment.browse(binding.res_id)

    def applied(self, payment):
        """{invoice: amount to the cent} a payment is reconciled with in Odoo."""
        adapter = self.connection._qbo_adapter("Payment")
        return {move: dec(amount) for move, amount in adapter._applications(payment)}

    def synced_invoices(self, *amounts):
        moves = self.Move.union(*(self.invoice([(self.service, 1, amount, False, 0)]) for amount in amounts))
        self.push()
        return moves

    # -- Odoo → QuickBooks ---------------------------------------------------------------------------
    def test_partial_split_and_over_payments_go_up_exactly(self):
        a, b, c = self.synced_invoices(100, 50.5, 20.25)
        # The journal map, pre-filled with QuickBooks' accounts: the bank journal's payments are cheques.
        line = self.connection.journal_map_ids.filtered(lambda m: m.journal_id == self.bank)
        self.assertEqual(line.qbo_account_id.name, "Undeposited Funds")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            line.copy()  # a journal is mapped once
        line.qbo_payment_method_id = self.env["qbo.payment.method"].search([
            ("connection_id", "=", self.connection.id), ("name", "=", "Check")])
        partial = self.pay(a, 30)
        split = self.pay(b | c, 70.75)
        over = self.pay(a, 90)   # 70 open: 20 is the customer's credit
        self.push()
        self.assertEqual(self.lines(self.qbo_payment(partial)), {("Invoice", a.qbo_id): dec(30)})
        data = self.qbo_payment(split)
        self.assertEqual(self.lines(data), {("Invoice", b.qbo_id): dec("50.5"), ("Invoice", c.qbo_id): dec("20.25")})
        self.assertEqual(dec(data["UnappliedAmt"]), 0)
        data = self.qbo_payment(over)
        self.assertEqual((dec(data["TotalAmt"]), dec(data["UnappliedAmt"])), (dec(90), dec(20)))
        self.assertEqual(self.lines(data), {("Invoice", a.qbo_id): dec(70)})
        self.assertEqual(dec(over.qbo_unapplied), dec(20))
        self.assertEqual({self.payment_binding(p).state for p in partial | split | over}, {"synced"})
        self.assertEqual(data["TxnDate"], date.today().isoformat())
        self.assertEqual(data["PaymentRefNum"], over.name)
        self.assertEqual((data["DepositToAccountRef"]["value"], data["PaymentMethodRef"]["value"]),
                         (line.qbo_account_id.qbo_id, line.qbo_payment_method_id.qbo_id))
        self.assert_same_balances(a, b, c)
        # No echo: the invoices' new balances come down, nothing goes up again.
        mark = self.log_mark()
        self.pull()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST" and "query" not in r["path"]])

    def test_a_payment_moved_to_another_invoice_and_cancelled(self):
        a, b = self.synced_invoices(80, 60)
        payment = self.pay(a, 50)
        self.assertTrue(a.qbo_balance_differs, "paid in Odoo, not yet in QuickBooks: the invoice says so")
        self.push()
        self.pull()
        self.assertFalse(a.qbo_balance_differs)
        # The accountant meant invoice B: unreconcile, then reconcile with B.
        payment.move_id.line_ids.remove_move_reconcile()
        receivable = (payment.move_id.line_ids | b.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable")
        receivable.reconcile()
        self.push()
        self.assertEqual(self.lines(self.qbo_payment(payment)), {("Invoice", b.qbo_id): dec(50)})
        self.assert_same_balances(a, b)
        payment.action_cancel()
        self.push()
        data = self.qbo_payment(payment)
        self.assertEqual((data["PrivateNote"], dec(data["TotalAmt"])), ("Voided", dec(0)))
        self.assert_same_balances(a, b)
        self.assertEqual(dec(b.amount_residual), dec(60))

    def test_a_payment_waits_for_its_invoice(self):
        """A payment of an invoice not in QuickBooks yet: the invoice goes up first."""
        move = self.invoice([(self.service, 1, 40, False, 0)])
        payment = self.pay(move, 40)
        self.push()
        self.assertEqual(self.lines(self.qbo_payment(payment)), {("Invoice", move.qbo_id): dec(40)})
        self.assert_same_balances(move)
        self.assertEqual(move.payment_state, "paid" if move.payment_state == "paid" else "in_payment")

    # -- QuickBooks → Odoo ---------------------------------------------------------------------------
    def test_split_partial_and_unapplied_payments_come_down_exactly(self):
        a, b, c = self.synced_invoices(100, 50, 30)
        customer = self.customer.qbo_id
        # 120 received: 100 for A, 15 of B's 50 (less than both open amounts), 5 unapplied.
        split = self.qbo_pay(customer, 120, ("Invoice", a.qbo_id, 100), ("Invoice", b.qbo_id, 15),
                             PaymentRefNum="CHK 1001")
        self.pull()
        payment = self.pulled_payment(split)
        self.assertEqual(payment.state, "paid" if payment.state == "paid" else "in_process")
        self.assertEqual((dec(payment.amount), payment.partner_id, payment.memo), (dec(120), self.customer, "CHK 1001"))
        self.assertEqual(self.applied(payment),
                         {a: dec(100), b: dec(15)})
        self.assertEqual(dec(payment.qbo_unapplied), dec(5))
        self.assertEqual(self.payment_binding(payment).state, "synced")
        self.assert_same_balances(a, b, c)
        # Moved in QuickBooks: B gets 50, C 30 — re-reconciled in Odoo, nothing goes up.
        mark = self.log_mark()
        moved = [{"Amount": amount, "LinkedTxn": [{"TxnId": move.qbo_id, "TxnType": "Invoice"}]}
                 for move, amount in ((b, 50), (c, 30))]
        self.control.user_write("Payment", {"Id": split["Id"], "SyncToken": split["SyncToken"], "sparse": True,
                                            "Line": moved}, realm=self.connection.realm_id)
        self.pull()
        self.push()
        self.assertEqual(self.applied(payment), {b: dec(50), c: dec(30)})
        self.assert_same_balances(a, b, c)
        self.assertFalse([r for r in self.api_log(mark, "/payment") if r["method"] == "POST"], "no echo")
        self.assertEqual(self.payment_binding(payment).state, "synced")

    def test_void_and_delete_in_quickbooks_cancel_in_odoo(self):
        a, b = self.synced_invoices(70, 45)
        first = self.qbo_pay(self.customer.qbo_id, 70, ("Invoice", a.qbo_id, 70))
        second = self.qbo_pay(self.customer.qbo_id, 45, ("Invoice", b.qbo_id, 45))
        self.pull()
        voided, deleted = self.pulled_payment(first), self.pulled_payment(second)
        self.assertEqual((a.amount_residual, b.amount_residual), (0, 0))
        self.control.user_end("Payment", first["Id"], "void", realm=self.connection.realm_id)
        self.control.user_end("Payment", second["Id"], "delete", realm=self.connection.realm_id)
        self.pull()
        self.assertEqual((voided.state, deleted.state), ("canceled", "canceled"))
        self.assertEqual((dec(a.amount_residual), dec(b.amount_residual)), (dec(70), dec(45)))
        self.assert_same_balances(a, b)

    def test_a_credit_memo_used_by_a_payment(self):
        """QuickBooks' way of using a credit: one Payment naming the invoice (what it receives in
        all) and the credit memo; Odoo reconciles the credit note with the invoice, the payment
        with the rest, and a round trip changes nothing."""
        invoice = self.invoice([(self.service, 1, 100, False, 0)])
        refund = self.invoice([(self.service, 1, 25, False, 0)], move_type="out_refund")
        self.push()
        data = self.qbo_pay(self.customer.qbo_id, 75, ("Invoice", invoice.qbo_id, 100),
                            ("CreditMemo", refund.qbo_id, 25))
        self.pull()
        payment = self.pulled_payment(data)
        self.assertEqual((invoice.amount_residual, refund.amount_residual), (0, 0))
        self.assertEqual(self.applied(payment), {invoice: dec(75)})
        self.assert_same_balances(invoice, refund)
        mark = self.log_mark()
        payment.write({"memo": "Cheque 42"})
        self.push()
        sent = [r for r in self.api_log(mark, "/payment") if r["method"] == "POST"]
        self.assertEqual(len(sent), 1)
        after = self.qbo_payment(payment)
        self.assertEqual((after["PrivateNote"], self.lines(after)), ("Cheque 42", self.lines(data)),
                         "the memo went up, the lines stayed")

    # -- sales receipts ------------------------------------------------------------------------------
    def test_an_invoice_paid_at_once_goes_up_as_a_sales_receipt(self):
        self.connection.sales_receipts = True
        move = self.invoice([(self.service, 2, 45.5, self.sales_tax, 0)])
        payment = self.pay(move, float(move.amount_total))   # registered with the posting
        later = self.invoice([(self.service, 1, 20, False, 0)])
        self.push()                                          # uploaded before its payment:
        late_payment = self.pay(later, 20)                   # an invoice and a payment
        self.push()
        binding = self.Binding.search([("res_model", "=", "account.move"), ("res_id", "=", move.id)])
        self.assertEqual((binding.qbo_entity, binding.state), ("SalesReceipt", "synced"), binding.last_error)
        data = self.control.user_read("SalesReceipt", binding.qbo_id, realm=self.connection.realm_id)
        self.assertEqual((dec(data["TotalAmt"]), dec(data["Balance"])), (dec(move.amount_total), dec(0)))
        self.assertEqual(dec(data["TxnTaxDetail"]["TotalTax"]), dec(move.amount_tax))
        self.assertEqual(data["PaymentRefNum"], payment.name[:21])
        client = self.connection._qbo_api_client()
        self.assertEqual([i["Id"] for i in client.query_all("Invoice")], [later.qbo_id], "no Invoice for the receipt")
        self.assertEqual([p["Id"] for p in client.query_all("Payment")], [self.payment_binding(late_payment).qbo_id],
                         "no Payment for the receipt's payment")
        self.assertFalse(self.payment_binding(payment))
        mark = self.log_mark()
        self.pull()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST" and "query" not in r["path"]])
        self.assertEqual(move.payment_state in ("paid", "in_payment"), True)

    def test_sales_receipts_come_down_as_paid_invoices(self):
        item = self.qbo_item("Haircut")
        data = self.qbo_document("SalesReceipt", [{"Amount": 35, "DetailType": "SalesItemLineDetail",
                                                   "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]},
                                                                           "Qty": 1, "UnitPrice": 35}}],
                                 PaymentRefNum="CASH 7")
        self.pull()
        binding = self.Binding.search([("qbo_entity", "=", "SalesReceipt"), ("qbo_id", "=", data["Id"])])
        move = self.Move.browse(binding.res_id)
        self.assertEqual((move.move_type, move.state, dec(move.amount_total)), ("out_invoice", "posted", dec(35)))
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        payment = receivable_payments(move)
        self.assertEqual((dec(payment.amount), payment.memo, payment.journal_id.type), (dec(35), "CASH 7", "bank"))
        self.assertFalse(self.payment_binding(payment), "part of the receipt: never a QuickBooks Payment")
        self.push()
        self.assertFalse(list(self.connection._qbo_api_client().query_all("Payment")))
        self.assertFalse(list(self.connection._qbo_api_client().query_all("Invoice")))
        # A line changed in QuickBooks: the invoice and its payment follow, paid again.
        current = self.control.user_read("SalesReceipt", data["Id"], realm=self.connection.realm_id)
        self.control.user_write("SalesReceipt", {
            "Id": data["Id"], "SyncToken": current["SyncToken"], "sparse": True,
            "Line": [{"Amount": 50, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 2, "UnitPrice": 25}}]},
            realm=self.connection.realm_id)
        self.pull()
        self.assertEqual((dec(move.amount_total), move.state), (dec(50), "posted"))
        self.assertIn(move.payment_state, ("paid", "in_payment"))
        self.assertEqual(dec(receivable_payments(move).amount), dec(50))
        self.assertEqual(binding.state, "synced", binding.last_error)
        # Voided in QuickBooks: the invoice and its payment are cancelled.
        self.control.user_end("SalesReceipt", data["Id"], "void", realm=self.connection.realm_id)
        self.pull()
        self.assertEqual((move.state, payment.state), ("cancel", "canceled"))
        self.assertFalse(self.Payment.search([("partner_id", "=", move.partner_id.id), ("state", "!=", "canceled")]))

    # -- the first-paid automation ------------------------------------------------------------------
    def review_requests(self, partner):
        return self.env["mail.message"].search_count([
            ("model", "=", "account.move"), ("body", "ilike", "review requested"),
            ("res_id", "in", self.Move.search([("commercial_partner_id", "=", partner.id)]).ids)])

    def test_first_paid_invoice_runs_the_automation_once_per_customer(self):
        action = self.env["ir.actions.server"].create({
            "name": "Ask for a review", "model_id": self.env.ref("account.model_account_move").id, "state": "code",
            "code": "record.message_post(body='review requested')"})
        self.connection.write({"first_paid_enabled": True, "first_paid_action_id": action.id})
        older, newer = self.synced_invoices(30, 20)
        self.pay(newer, 20)          # the later invoice is paid first: it is the first paid
        self.assertEqual(self.review_requests(self.customer), 1)
        self.assertTrue(self.customer.qbo_first_paid_at)
        self.pay(older, 30)
        self.push()
        self.pull()
        self.connection.action_qbo_download_all()
        self.pull()                  # a re-sync of everything: nothing runs again
        self.assertEqual(self.review_requests(self.customer), 1)
        # Paid in QuickBooks: the same, when the payment comes down.
        other = self.Partner.create({"name": "Second Buyer", "email": "second@example.com", "is_company": True})
        self.customer = other
        (invoice,) = self.synced_invoices(75)
        self.assertEqual(self.review_requests(other), 0)
        self.qbo_pay(other.qbo_id, 75, ("Invoice", invoice.qbo_id, 75))
        self.pull()
        self.assertEqual(self.review_requests(other), 1)
        self.pull()
        self.assertEqual(self.review_requests(other), 1)

    def test_first_paid_in_quickbooks_without_payment_sync(self):
        """Payments not synced: QuickBooks' Balance of 0, read with the invoice, is the signal."""
        action = self.env["ir.actions.server"].create({
            "name": "Ask for a review", "model_id": self.env.ref("account.model_account_move").id, "state": "code",
            "code": "record.message_post(body='review requested')"})
        self.connection.write({"first_paid_enabled": True, "first_paid_action_id": action.id,
                               "payment_direction": "off"})
        (invoice,) = self.synced_invoices(12.5)
        self.qbo_pay(self.customer.qbo_id, 12.5, ("Invoice", invoice.qbo_id, 12.5))
        self.pull()
        self.assertEqual((dec(invoice.qbo_balance), dec(invoice.amount_residual)), (dec(0), dec("12.5")))
        self.assertTrue(invoice.qbo_balance_differs)
        self.assertEqual(self.review_requests(self.customer), 1)
        self.assertFalse(self.Payment.search([("partner_id", "=", self.customer.id)]), "payments are off")

    # -- both sides at once ------------------------------------------------------------------------
    def test_the_same_payment_recorded_on_both_sides_is_linked_once(self):
        """The customer's cheque recorded by the accountant in Odoo and by the bookkeeper in
        QuickBooks before a sync: one payment on each side, linked, whichever run comes first."""
        a, b = self.synced_invoices(64, 36)
        for first in ("pull", "push"):
            move = a if first == "pull" else b
            payment = self.pay(move, float(move.amount_total))
            data = self.qbo_pay(self.customer.qbo_id, float(move.amount_total),
                                ("Invoice", move.qbo_id, float(move.amount_total)), TxnDate=date.today().isoformat())
            getattr(self, first)()
            self.pull()
            self.push()
            self.assertEqual(self.payment_binding(payment).qbo_id, data["Id"], first)
            self.assertEqual(self.Payment.search_count([("partner_id", "=", self.customer.id),
                                                        ("amount", "=", move.amount_total)]), 1, first)
        payments = list(self.connection._qbo_api_client().query_all("Payment"))
        self.assertEqual(len(payments), 2, "no second Payment in QuickBooks")
        self.assert_same_balances(a, b)

    def test_a_lost_reply_while_the_webhook_wakes_the_download(self):
        """The Payment is created but its reply is lost; the download runs before the retry: it
        replays the create first and links it, so neither side records the payment twice."""
        (move,) = self.synced_invoices(48)
        payment = self.pay(move, 48)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, "1")
        self.control.fault("slow", match="/payment", delay=2)
        with mute_logger(*MUTE):
            self.push()
        binding = self.payment_binding(payment)
        self.assertTrue(binding.request_id and not binding.qbo_id, "in flight")
        time.sleep(2.5)  # QuickBooks finishes the slow request: the Payment exists there
        self.control.clear_faults()
        self.pull()
        self.push()
        self.assertTrue(self.payment_binding(payment).qbo_id)
        self.assertEqual(len(list(self.connection._qbo_api_client().query_all("Payment"))), 1)
        self.assertEqual(self.Payment.search_count([("partner_id", "=", self.customer.id)]), 1)
        self.assert_same_balances(move)

    # -- credit notes applied in Odoo -----------------------------------------------------------------
    def test_a_credit_note_applied_in_odoo_is_applied_in_quickbooks(self):
        """QuickBooks' way: a Payment of 0 naming the invoice and the credit memo. No echo (no
        Odoo payment comes back for it); unapplied in Odoo → voided; deleted in QuickBooks →
        unapplied in Odoo."""
        invoice = self.invoice([(self.service, 1, 100, False, 0)])
        refund = self.invoice([(self.service, 1, 30, False, 0)], move_type="out_refund")
        self.push()
        receivable = receivable_lines(invoice | refund)
        receivable.reconcile()
        self.push()
        binding = self.Binding.search([("qbo_entity", "=", "CreditApplication"), ("res_id", "=", refund.id)])
        self.assertEqual(binding.state, "synced", binding.last_error)
        data = self.control.user_read("Payment", binding.qbo_id, realm=self.connection.realm_id)
        self.assertEqual(dec(data["TotalAmt"]), dec(0))
        self.assertEqual(self.lines(data), {("Invoice", invoice.qbo_id): dec(30),
                                            ("CreditMemo", refund.qbo_id): dec(30)})
        self.assert_same_balances(invoice, refund)
        self.assertFalse(self.Payment.search([("partner_id", "=", self.customer.id)]), "no echo as an Odoo payment")
        self.assertEqual(refund.qbo_id, self.qbo(refund)["Id"], "the credit note's badge is its Credit Memo")
        receivable.remove_move_reconcile()
        self.push()
        data = self.control.user_read("Payment", binding.qbo_id, realm=self.connection.realm_id)
        self.assertEqual(data["PrivateNote"], "Voided")
        self.assert_same_balances(invoice, refund)
        # Another credit note applied, then its application deleted in QuickBooks.
        second = self.invoice([(self.service, 1, 12, False, 0)], move_type="out_refund")
        receivable_lines(invoice | second).reconcile()
        self.push()
        application = self.Binding.search([("qbo_entity", "=", "CreditApplication"), ("res_id", "=", second.id)])
        self.assertTrue(application.qbo_id, application.last_error)
        self.assertEqual(dec(invoice.amount_residual), dec(88))
        self.control.user_end("Payment", application.qbo_id, "delete", realm=self.connection.realm_id)
        self.pull()
        self.assertEqual((dec(invoice.amount_residual), dec(second.amount_residual)), (dec(100), dec(12)))
        self.assert_same_balances(invoice, refund, second)

    # -- hostile input ----------------------------------------------------------------------------
    def test_a_payment_for_an_invoice_odoo_does_not_have_waits(self):
        """An invoice older than the start date (no history) is not in Odoo: its payment is parked,
        visible, never dropped; once the history comes, the payment follows."""
        self.connection.write({"import_history": False, "sync_start_date": date.today()})
        old = self.qbo_document("Invoice", [{"Amount": 40, "DetailType": "SalesItemLineDetail",
                                              "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}],
                                TxnDate="2020-01-15")
        data = self.qbo_pay(old["CustomerRef"]["value"], 40, ("Invoice", old["Id"], 40))
        with mute_logger(*MUTE):
            self.pull()
        binding = self.Binding.search([("qbo_entity", "=", "Payment"), ("qbo_id", "=", data["Id"])])
        self.assertEqual((binding.state, bool(binding.res_id)), ("waiting", False), binding.last_error)
        self.connection.write({"import_history": True})
        self.connection.action_qbo_download_all()
        self.pull()
        payment = self.pulled_payment(data)
        invoice = self.pulled(old)
        self.assertEqual(dec(invoice.amount_residual), dec(0))
        self.assertEqual(dec(payment.amount), dec(40))

    def test_another_customers_invoice_is_an_error_not_a_silent_credit(self):
        other = self.Partner.create({"name": "Other Buyer", "email": "other@example.com", "is_company": True})
        (invoice,) = self.synced_invoices(55)
        payment = self.Payment.create({"payment_type": "inbound", "partner_type": "customer",
                                       "partner_id": other.id, "amount": 55, "journal_id": self.bank.id})
        payment.action_post()
        # The accountant reconciles the other customer's payment with this invoice.
        (payment.move_id.line_ids | invoice.line_ids).filtered(
            lambda line: line.account_id.account_type == "asset_receivable").reconcile()
        with mute_logger(*MUTE):
            self.push()
        binding = self.payment_binding(payment)
        self.assertEqual(binding.state, "error")
        self.assertIn("does not apply this payment as Odoo does", binding.last_error)
        data = self.qbo_payment(payment)
        self.assertEqual(dec(data["UnappliedAmt"]), dec(55), "QuickBooks keeps it as the other customer's credit")

    def test_a_payment_in_another_currency_is_refused_with_the_reason(self):
        """QuickBooks takes no euro payment of a dollar customer: the payment says why, the
        invoice and QuickBooks stay as they were."""
        (invoice,) = self.synced_invoices(25)
        euro = self.env.ref("base.EUR")
        euro.active = True
        payment = self.Payment.create({"payment_type": "inbound", "partner_type": "customer",
                                       "partner_id": self.customer.id, "amount": 20, "currency_id": euro.id,
                                       "journal_id": self.bank.id})
        payment.action_post()
        with mute_logger(*MUTE):
            self.push()
        binding = self.payment_binding(payment)
        self.assertEqual(binding.state, "error")
        self.assertIn("currency", binding.last_error)
        self.assertFalse(list(self.connection._qbo_api_client().query_all("Payment")))

    def test_a_payment_of_an_invoice_voided_in_quickbooks_meanwhile(self):
        """Paid in Odoo, voided in QuickBooks before the payment went up: Odoo cannot cancel a
        paid invoice and QuickBooks takes no payment of a voided one; both say so, nothing is lost."""
        (invoice,) = self.synced_invoices(33)
        payment = self.pay(invoice, 33)
        data = self.qbo(invoice)
        self.control.user_end("Invoice", data["Id"], "void", realm=self.connection.realm_id)
        with mute_logger(*MUTE):
            self.pull()
            self.push()
        self.assertEqual(self.doc_binding(invoice).state, "error")
        self.assertIn("cannot change it", self.doc_binding(invoice).last_error)
        self.assertEqual(self.payment_binding(payment).state, "error")
        self.assertEqual((invoice.state, payment.state), ("posted", payment.state))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"), "Odoo keeps its payment")

    def test_a_deposited_payment_cannot_change(self):
        (invoice,) = self.synced_invoices(90)
        payment = self.pay(invoice, 90)
        self.push()
        data = self.qbo_payment(payment)
        bank = next(a for a in self.connection._qbo_api_client().query_all("Account") if a["AccountType"] == "Bank")
        self.control.user_write("Deposit", {"DepositToAccountRef": {"value": bank["Id"]}, "Line": [
            {"Amount": 90, "LinkedTxn": [{"TxnId": data["Id"], "TxnType": "Payment"}]}]},
            realm=self.connection.realm_id)
        payment.write({"memo": "Late note"})
        with mute_logger(*MUTE):
            self.push()
        binding = self.payment_binding(payment)
        self.assertEqual(binding.state, "error")
        self.assertIn("deposited", binding.last_error)
        self.assertEqual(self.qbo_payment(payment)["SyncToken"], data["SyncToken"], "QuickBooks unchanged")
        self.assertEqual(invoice.payment_state in ("paid", "in_payment"), True, "Odoo keeps its payment")

    def test_a_zero_payment_comes_down_as_one(self):
        """QuickBooks records a payment of 0 (a credit memo applied to an invoice, say): Odoo too,
        reconciled with nothing, the invoice untouched."""
        (invoice,) = self.synced_invoices(10)
        data = self.qbo_pay(self.customer.qbo_id, 0)
        self.pull()
        payment = self.pulled_payment(data)
        self.assertEqual((payment.amount, self.applied(payment)), (0, {}))
        self.assertEqual(self.payment_binding(payment).state, "synced")
        self.assertEqual(dec(invoice.amount_residual), Decimal(10))
