"""Random interleavings of payments recorded, moved, cancelled, voided and deleted on both sides,
QuickBooks' faults and the two runs (issue 11): whatever the order, once the schedule has gone
quiet every payment is once on each side (cancelled in Odoo exactly when voided or deleted in
QuickBooks), and every invoice's open amount is QuickBooks' Balance to the cent.

Steps: post an invoice, pay part of one, take a payment off its invoices, cancel a payment
(Odoo); record a payment, void or delete one (QuickBooks); a fault (a lost reply, a 500, a
throttle) on the next request to /payment, /batch or /cdc; time passes; an upload; a download.
``QBO_PAYMENT_SCHEDULES`` schedules of ``QBO_PAYMENT_STEPS`` steps from ``QBO_PAYMENT_SEED``;
the failing schedule is printed."""

import os
from decimal import Decimal

from odoo.tests import tagged

from . import test_sync_invoice_interleavings as invoice_interleavings  # the module: its test runs there only
from .test_sync_invoices import dec

SCHEDULES = int(os.environ.get("QBO_PAYMENT_SCHEDULES", 4))
STEPS = int(os.environ.get("QBO_PAYMENT_STEPS", 24))
SEED = int(os.environ.get("QBO_PAYMENT_SEED", 20261203))


def receivable(moves):
    return moves.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")


@tagged("post_install", "-at_install")
class TestSyncPaymentInterleavings(invoice_interleavings.TestSyncInvoiceInterleavings):

    def setUp(self):
        super().setUp()
        self.bank = self.env["account.journal"].search([("type", "=", "bank"),
                                                        ("company_id", "=", self.env.company.id)], limit=1)

    # -- steps -----------------------------------------------------------------------------------
    def share(self, rng, move):
        """A part of ``move``'s total not recorded on either side yet (an invoice is never paid
        twice over: that is a conflict for a person, not for the sync), or None."""
        amount = move.currency_id.round(move.amount_total * rng.choice((0.5, 0.3, 0.2)))
        if self.recorded.get(move.id, 0) + amount > move.amount_total:
            return None
        self.recorded[move.id] = self.recorded.get(move.id, 0) + amount
        return amount

    def odoo_pay(self, rng):
        move = self.pick(rng, lambda m: m.state == "posted")
        amount = move and self.share(rng, move)
        if amount:
            self.payments |= self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=move.ids).create(
                {"amount": amount, "journal_id": self.bank.id})._create_payments()

    def odoo_unpay(self, rng):
        payment = self.pick(rng, lambda p: p.state in ("in_process", "paid") and p.reconciled_invoice_ids,
                            self.payments)
        if payment:
            receivable(payment.move_id).remove_move_reconcile()

    def odoo_cancel_payment(self, rng):
        payment = self.pick(rng, lambda p: p.state in ("in_process", "paid"), self.payments)
        if payment:
            payment.action_cancel()

    def qbo_pay(self, rng):
        move = self.pick(rng, lambda m: m.qbo_id and m.state == "posted")
        data = move and self.qbo_current(move)
        amount = data and self.share(rng, move)
        if amount:
            self.control.user_write("Payment", {"CustomerRef": data["CustomerRef"], "TotalAmt": amount, "Line": [
                {"Amount": amount, "LinkedTxn": [{"TxnId": data["Id"], "TxnType": "Invoice"}]}]})

    def qbo_end_payment(self, rng, how):
        rows = [p for p in self.connection._qbo_api_client().query_all("Payment") if p.get("PrivateNote") != "Voided"]
        if rows:
            self.control.user_end("Payment", rng.choice(rows)["Id"], how)

    fault_paths = ("/payment", "/batch", "/cdc")

    def actions(self):
        parent = super().actions()
        return {
            "post": (2, self.odoo_post), "pay": (4, self.odoo_pay), "unpay": (1, self.odoo_unpay),
            "cancel": (1, self.odoo_cancel_payment), "qbo_pay": (3, self.qbo_pay),
            "void": (1, lambda rng: self.qbo_end_payment(rng, "void")),
            "delete": (1, lambda rng: self.qbo_end_payment(rng, "delete")),
            "memo": (1, parent["memo"][1]),
            **{name: parent[name] for name in ("fault", "time", "push", "pull")},
        }

    def check(self, steps):
        where = "schedule: %s" % " ".join(steps)
        client = self.connection._qbo_api_client()
        remote = {data["Id"]: data for data in client.query_all("Payment")}
        linked = self.Binding.search([("qbo_entity", "=", "Payment"), ("connection_id", "=", self.connection.id)])
        for binding in linked.filtered(lambda b: not b.qbo_id):
            payment = self.env["account.payment"].browse(binding.res_id)
            history = [(log.direction, log.outcome, log.message) for log in self.env["qbo.sync.log"].search(
                [("res_model", "=", "account.payment"), ("res_id", "=", payment.id)], order="id")]
            self.fail("%s (%s) never reached QuickBooks: %s %s; log %s; %s" % (
                payment.name, payment.state, binding.state, binding.last_error, history, where))
        self.assertEqual(len(set(linked.mapped("qbo_id"))), len(linked), "a payment linked twice; " + where)
        self.assertEqual(set(remote), set(linked.mapped("qbo_id")), "a QuickBooks payment not linked; " + where)
        for binding in linked:
            payment = self.env["account.payment"].browse(binding.res_id)
            data = remote[binding.qbo_id]
            history = [(log.direction, log.outcome, log.message) for log in self.env["qbo.sync.log"].search(
                [("res_model", "=", "account.payment"), ("res_id", "=", payment.id)], order="id")]
            self.assertEqual(binding.state, "synced", "%s: %s; log %s; %s" % (
                payment.name, binding.last_error, history, where))
            voided = data.get("PrivateNote") == "Voided" and not Decimal(str(data["TotalAmt"]))
            self.assertEqual(payment.state == "canceled", voided, "%s cancelled on one side only; %s" % (
                payment.name, where))
        for payment in self.payments.filtered(lambda p: p.state != "canceled"):
            self.assertTrue(payment.qbo_id, "%s never reached QuickBooks; %s" % (payment.name, where))
        invoices = {data["Id"]: data for data in client.query_all("Invoice")}
        for move in self.Move.browse([m.id for m in self.moves]).filtered(lambda m: m.state == "posted"):
            data = invoices[self.doc_binding(move).qbo_id]
            self.assertEqual(dec(move.amount_residual), dec(data["Balance"]),
                             "%s: open amounts differ; %s" % (move.name, where))

    schedules, seed, steps = SCHEDULES, SEED, STEPS
    directions = {**invoice_interleavings.TestSyncInvoiceInterleavings.directions, "payment_direction": "both"}

    def start_schedule(self, rng):
        result = super().start_schedule(rng)
        self.payments, self.recorded = self.env["account.payment"], {}
        for _ in range(3):
            self.odoo_post(rng)
        return result
