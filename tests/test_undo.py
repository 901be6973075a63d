"""Undo a sync run (issue 13.2), against the local QuickBooks server: undoing a first sync (its
upload, then its download) leaves both sides as they were, object by object; what later
activity depends on is refused with the reason (an invoice paid since in QuickBooks, a customer
used on a later Odoo invoice) and stays; every step is logged in a new run."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .test_sync_invoices import InvoiceCaseMixin, dec


@tagged("post_install", "-at_install")
class TestUndo(InvoiceCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        realm = self.connection.realm_id
        self.q1, self.q2 = (self.control.user_write("Customer", {"DisplayName": name}, realm=realm)
                            for name in ("Undo QBO One", "Undo QBO Two"))
        self.qbo_item("Undo Gadget")
        self.move = self.invoice([(self.service, 2, 50, False, 0), (self.goods, 1, 9.99, False, 0)])

    def sides(self):
        """What each side holds, active: QuickBooks' objects by Id, Odoo's records by id."""
        client = self.connection._qbo_api_client()
        qbo = {entity: sorted(row["Id"] for row in client.query_all(entity) if not (
            entity == "Invoice" and row.get("PrivateNote") == "Voided")) for entity in ("Customer", "Item", "Invoice")}
        odoo = (self.Partner.search([]).ids, self.env["product.product"].search([]).ids,
                self.Move.search([("move_type", "=", "out_invoice"), ("state", "=", "posted")]).ids)
        return qbo, odoo

    def first_sync(self):
        self.connection.action_qbo_download_all()
        self.pull()
        self.connection.action_qbo_upload_all()
        self.push()
        Run = self.env["qbo.sync.run"]
        return Run.search([("direction", "=", "pull")], limit=1), Run.search([("direction", "=", "push")], limit=1)

    def undo(self, run):
        undo = self.env["qbo.undo"].browse(run.action_qbo_undo()["res_id"])
        undo.action_confirm()
        return undo

    def test_undo_of_a_first_sync_leaves_both_sides_as_they_were(self):
        before = self.sides()
        pull_run, push_run = self.first_sync()
        self.assertNotEqual(self.sides(), before)
        pushed = self.undo(push_run)
        pulled = self.undo(pull_run)
        self.assertEqual(self.sides(), before)
        for undo in (pushed, pulled):
            self.assertFalse(undo.line_ids.filtered("refused"), undo.line_ids.mapped("reason"))
            self.assertEqual(len(undo.undo_run_id.log_ids), len(undo.line_ids), "each step logged")
            self.assertEqual(set(undo.undo_run_id.log_ids.mapped("outcome")), {"deleted"})
        self.assertEqual(self.move.state, "posted", "the Odoo invoice the upload sent stays in Odoo")
        self.assertFalse(self.move.qbo_id, "and is no longer linked")

    def test_what_later_activity_depends_on_is_refused(self):
        realm = self.connection.realm_id
        pull_run, push_run = self.first_sync()
        # Since: the uploaded invoice paid in QuickBooks; an Odoo invoice for a downloaded customer.
        data = self.qbo(self.move)
        self.control.user_write("Payment", {"CustomerRef": data["CustomerRef"], "TotalAmt": float(data["TotalAmt"]),
                                            "Line": [{"Amount": float(data["TotalAmt"]), "LinkedTxn": [
                                                {"TxnId": data["Id"], "TxnType": "Invoice"}]}]}, realm=realm)
        one = self.Partner.browse(self.Binding.search([("qbo_entity", "=", "Customer"),
                                                       ("qbo_id", "=", self.q1["Id"])]).res_id)
        self.invoice([(self.service, 1, 10, False, 0)], partner_id=one.id)
        pushed = self.undo(push_run)
        refused = {line.record_name: line.reason for line in pushed.line_ids.filtered("refused")}
        self.assertIn("Paid (or partly) in QuickBooks since.", refused[self.move.name])
        self.assertIn(self.move.name, refused[self.customer.name], "its customer stays with it")
        self.assertEqual(dec(self.qbo(self.move)["TotalAmt"]), dec(self.move.amount_total), "not voided")
        pulled = self.undo(pull_run)
        refused = {line.record_name: line.reason for line in pulled.line_ids.filtered("refused")}
        self.assertIn("Used on", refused[one.name])
        self.assertTrue(one.active)
        two = self.Partner.with_context(active_test=False).search([("name", "=", "Undo QBO Two")])
        self.assertFalse(two.active, "nothing depends on the other one: archived")
        skipped = pulled.undo_run_id.log_ids.filtered(lambda line: line.outcome == "skipped")
        self.assertEqual(len(skipped), len(refused), "refusals logged with their reason")

    def test_only_managers_undo(self):
        run = self.first_sync()[0]
        user = new_test_user(self.env, "undo_user", groups="base.group_user,quickbooks_online.group_qbo_user")
        with self.assertRaises(AccessError):
            run.with_user(user).action_qbo_undo()
