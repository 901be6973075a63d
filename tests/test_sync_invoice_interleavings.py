"""Random interleavings of both sides' edits on invoices, QuickBooks' faults and the two runs
(issue 10): whatever the order, after the schedule has gone quiet every invoice is once on each
side, cancelled in Odoo exactly when voided or deleted in QuickBooks, and otherwise with the same
total and tax to the cent; every binding is synced.

Steps: post a new invoice, reset / edit / re-post one, cancel one (Odoo); change a line or the
memo, void, delete one (QuickBooks); a fault (a lost reply, a 500, a throttle) on the next
request to /invoice, /batch or /cdc; time passes (retries due); an upload; a download. Each
schedule is drawn from a seeded random generator (``QBO_INVOICE_SCHEDULES`` schedules of
``QBO_INVOICE_STEPS`` steps, ``QBO_INVOICE_SEED``) and printed when it fails."""

import os
import random
import time
from decimal import Decimal

from odoo.addons.quickbooks_online.utils.qbo_client import PARAM_API_TIMEOUT
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from .test_sync_invoices import MUTE, InvoiceCaseMixin, dec

SCHEDULES = int(os.environ.get("QBO_INVOICE_SCHEDULES", 6))
STEPS = int(os.environ.get("QBO_INVOICE_STEPS", 24))
SEED = int(os.environ.get("QBO_INVOICE_SEED", 20261202))
QUIET_ROUNDS = 6


@tagged("post_install", "-at_install")
class TestSyncInvoiceInterleavings(InvoiceCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self.sales_tax = self.tax("Sales Tax 8%", 8)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, "1")
        self.push()  # the customer and products of the set-up

    # -- steps -----------------------------------------------------------------------------------
    def odoo_post(self, rng):
        lines = [(rng.choice((self.service, self.goods)), rng.randint(1, 5), round(rng.uniform(0.01, 99), 2),
                  self.sales_tax if rng.random() < 0.6 else False, rng.choice((0, 0, 10))) for _ in range(3)]
        self.moves.append(self.invoice(lines))

    def odoo_repost(self, rng):
        move = self.pick(rng, lambda m: m.state == "posted")
        if move:
            move.button_draft()
            line = move.invoice_line_ids.filtered(lambda line: line.display_type == "product")[0]
            line.quantity = rng.randint(1, 9)
            move.action_post()

    def odoo_cancel(self, rng):
        move = self.pick(rng, lambda m: m.state == "posted")
        if move:
            move.button_draft()
            move.button_cancel()

    def qbo_change(self, rng, kind):
        move = self.pick(rng, lambda m: m.qbo_id)
        data = move and self.qbo_current(move)
        if not data or data.get("PrivateNote") == "Voided":
            return
        body = {"Id": data["Id"], "SyncToken": data["SyncToken"], "sparse": True}
        if kind == "memo":
            body["CustomerMemo"] = {"value": "Memo %s" % rng.randint(1, 999)}
        else:
            lines = [line for line in data["Line"] if line["DetailType"] == "SalesItemLineDetail"]
            first = dict(lines[0], SalesItemLineDetail=dict(lines[0]["SalesItemLineDetail"], Qty=rng.randint(1, 9)))
            first["Amount"] = float(Decimal(str(first["SalesItemLineDetail"]["UnitPrice"]))
                                    * first["SalesItemLineDetail"]["Qty"])
            body["Line"] = [first] + lines[1:]
        self.control.user_write("Invoice", body)

    def qbo_end(self, rng, how):
        move = self.pick(rng, lambda m: m.qbo_id)
        data = move and self.qbo_current(move)
        if not data or data.get("PrivateNote") == "Voided":
            return
        self.control.user_end("Invoice", data["Id"], how)

    fault_paths = ("/invoice", "/batch", "/cdc")

    def fault(self, rng):
        kind = rng.choice(("slow", "500", "429", "drop"))
        self.control.fault(kind, match=rng.choice(self.fault_paths), delay=1.5)

    def run_quietly(self, name):
        with mute_logger(*MUTE):
            getattr(self, name)()

    # -- helpers ---------------------------------------------------------------------------------
    def pick(self, rng, condition, among=None):
        candidates = [record for record in (self.moves if among is None else among) if condition(record)]
        return rng.choice(candidates) if candidates else None

    def qbo_current(self, move):
        try:
            return self.control.user_read("Invoice", self.doc_binding(move).qbo_id)
        except Exception:  # pylint: disable=broad-except
            return None  # deleted in QuickBooks

    def actions(self):
        """{step: (weight, what it does with the random generator)}."""
        return {
            "post": (4, self.odoo_post), "repost": (2, self.odoo_repost), "cancel": (1, self.odoo_cancel),
            "memo": (2, lambda rng: self.qbo_change(rng, "memo")),
            "line": (2, lambda rng: self.qbo_change(rng, "line")),
            "void": (1, lambda rng: self.qbo_end(rng, "void")),
            "delete": (1, lambda rng: self.qbo_end(rng, "delete")),
            "fault": (2, self.fault), "time": (1, lambda rng: self.make_retries_due()),
            "push": (4, lambda rng: self.run_quietly("push")),
            "pull": (4, lambda rng: self.run_quietly("pull")),
        }

    def run_schedule(self, rng):
        actions = self.actions()
        names = list(actions)
        steps = []
        for _ in range(self.steps):
            name = rng.choices(names, [actions[n][0] for n in names])[0]
            steps.append(name)
            actions[name][1](rng)
        return steps

    def settle(self):
        self.control.clear_faults()
        time.sleep(1.6)  # a slow request QuickBooks is still finishing
        for _ in range(QUIET_ROUNDS):
            self.make_retries_due()
            mark = self.log_mark()
            with mute_logger(*MUTE):
                self.pull()
                self.push()
            if not [r for r in self.api_log(mark) if r["method"] == "POST" and "/query" not in r["path"]]:
                return
        self.fail("never quiet")

    def check(self, steps):
        where = "schedule: %s" % " ".join(steps)
        remote = {data["Id"]: data for data in self.connection._qbo_api_client().query_all("Invoice")}
        linked = self.Binding.search([("qbo_entity", "=", "Invoice"), ("connection_id", "=", self.connection.id)])
        self.assertEqual(len(linked.mapped("qbo_id")), len(linked), "an object linked twice; " + where)
        self.assertEqual(set(remote), set(linked.mapped("qbo_id")), "a QuickBooks invoice not linked; " + where)
        for binding in linked:
            move = self.Move.browse(binding.res_id)
            data = remote[binding.qbo_id]
            detail = "QuickBooks lines %s, Odoo lines %s" % (
                [(line.get("DetailType"), line.get("Amount")) for line in data["Line"]],
                [(line.quantity, line.price_unit, line.discount, line.price_subtotal)
                 for line in move.invoice_line_ids]) + " log %s" % [
                (log.direction, log.outcome, log.message, log.losing_side) for log in self.env["qbo.sync.log"].search(
                    [("res_model", "=", "account.move"), ("res_id", "=", move.id)], order="id")]
            self.assertEqual(binding.state, "synced", "%s: %s; %s; %s" % (move.name, binding.last_error, detail,
                                                                         where))
            voided = data.get("PrivateNote") == "Voided" and not Decimal(str(data["TotalAmt"]))
            self.assertEqual(move.state == "cancel", voided, "%s cancelled on one side only; %s; %s" % (
                move.name, detail, where))
            if not voided:
                self.assertEqual((dec(move.amount_total), dec(move.amount_tax)),
                                 (dec(data["TotalAmt"]), dec(data["TxnTaxDetail"]["TotalTax"])),
                                 "%s: money differs; %s" % (move.name, where))
        for move in self.moves:
            if not self.doc_binding(move):
                self.assertEqual(move.state, "cancel", "%s lost its QuickBooks twin; %s" % (move.name, where))

    # -- the schedules --------------------------------------------------------------------------
    schedules, seed, steps = SCHEDULES, SEED, STEPS
    directions = {"product_direction": "both", "invoice_direction": "both"}

    def start_schedule(self, rng):
        """A fresh QuickBooks company and a connection with nothing synced yet."""
        self.control.reset()
        self.control.consent("approve")
        self._connect()
        self.connection.write({**self.directions, "import_history": True, "qbo_accounts_read": False,
                               "qbo_pull_watermark": False})
        self.Binding.search([("connection_id", "=", self.connection.id)]).unlink()
        self.env["qbo.tax.map"].search([]).unlink()
        self.env["qbo.tax.code"].search([]).unlink()
        self.moves = []
        self.push()

    def test_random_schedules(self):
        for index in range(self.schedules):
            rng = random.Random(self.seed + index)
            with self.subTest(schedule=index), self.env.cr.savepoint() as savepoint:
                self.start_schedule(rng)
                steps = self.run_schedule(rng)
                self.settle()
                self.check(steps)
                savepoint.rollback()
            self.env.invalidate_all()
