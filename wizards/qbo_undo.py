"""Undo a sync run (issue 13.2): what the run created is taken back on the side it was created on —
in Odoo archived (contacts, products) or cancelled (documents, payments, orders), in QuickBooks
made inactive (name lists) or voided (transactions; estimates deleted) — and what it linked is
unlinked. Each record is refused, with the reason, when later activity depends on it (an invoice
paid since, a customer used on a later document); refused records keep what they depend on.
Every step is logged in a new run. Values a run overwrote are not kept by the engine: such
updates are listed, not undone."""

import uuid

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.qbo_adapter import NAME_LIST, adapter_classes
from ..models.qbo_sync_mixin import NO_PUSH, QBO_MANAGER, check_qbo_group
from ..utils.qbo_client import QBOError

ACTIONS = [("archive", "Archive in Odoo"), ("cancel", "Cancel in Odoo"), ("inactive", "Make inactive in QuickBooks"),
           ("void", "Void in QuickBooks"), ("delete", "Delete in QuickBooks"), ("unlink", "Forget the link"),
           ("keep", "Nothing (kept)")]


class QboUndo(models.TransientModel):
    _name = "qbo.undo"
    _description = "QuickBooks Online: Undo a Sync Run"

    run_id = fields.Many2one("qbo.sync.run", required=True, readonly=True, ondelete="cascade")
    line_ids = fields.One2many("qbo.undo.line", "undo_id", "What the Run Did", readonly=True)
    undo_run_id = fields.Many2one("qbo.sync.run", "Undone in Run", readonly=True)
    refused_count = fields.Integer(readonly=True)

    def _compute_display_name(self):
        for undo in self:
            undo.display_name = self.env._("Undo %s", undo.run_id.display_name)

    # -- the plan --------------------------------------------------------------------------------
    def action_prepare(self):
        """List what the run created, linked and updated, and what undoing each would do (or why
        it cannot be undone).

        :raises AccessError: the caller is no QuickBooks manager
        """
        self.ensure_one()
        check_qbo_group(self.env, QBO_MANAGER)
        self.run_id.check_access("read")
        order = {cls.entity: i for i, cls in enumerate(reversed(adapter_classes()))}  # dependents first
        logs = self.run_id.log_ids.filtered(lambda line: line.outcome in ("created", "linked", "updated")
                                            and line.binding_id).sorted(lambda line: (order.get(line.qbo_entity, 99),
                                                                                      line.id))
        self.line_ids.unlink()
        planned = {}
        for log in logs:
            planned[log.binding_id.id] = self._plan(log, planned)
        self.env["qbo.undo.line"].create([dict(values, undo_id=self.id) for values in planned.values()])
        self.refused_count = len(self.line_ids.filtered("refused"))
        return self._reopen()

    def _reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "name": self.display_name, "target": "new"}

    def _plan(self, log, planned):
        """Values of a ``qbo.undo.line``: the action, or the reason it is refused."""
        binding = log.binding_id
        connection = self.run_id.connection_id
        adapter = connection._qbo_adapter(binding.qbo_entity)
        record = binding._qbo_record().with_context(active_test=False).exists()
        values = {"log_id": log.id, "binding_id": binding.id, "qbo_entity": binding.qbo_entity,
                  "qbo_id": binding.qbo_id, "record_name": log.record_name, "refused": False, "reason": False}
        if log.outcome == "linked":
            return dict(values, action="unlink")
        if log.outcome == "updated":
            return dict(values, action="keep", refused=True,
                        reason=self.env._("The values it overwrote are not kept: change them back by hand."))
        if log.direction == "pull":
            values["action"] = "archive" if adapter.kind == NAME_LIST else "cancel"
            reason = record and self._odoo_dependent(record, planned)
        else:
            values["action"] = "inactive" if adapter.kind == NAME_LIST else (
                "delete" if binding.qbo_entity == "Estimate" else "void")
            reason = self._qbo_dependent(binding, record, planned)
        if not record and log.direction == "pull":
            reason = self.env._("The Odoo record is gone already.")
        return dict(values, refused=bool(reason), reason=reason or False)

    def _kept(self, planned, model, ids, in_qbo):
        """Of the ``model`` records ``ids``, those the undo keeps (not undone by it); with
        ``in_qbo``, only those QuickBooks has."""
        undone = {line["binding_id"] for line in planned.values() if not line["refused"]}
        bindings = self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", self.run_id.connection_id.id), ("res_model", "=", model), ("res_id", "in", ids)])
        gone = {b.res_id for b in bindings if b.id in undone}
        synced = {b.res_id for b in bindings if b.qbo_id}
        return [i for i in ids if i not in gone and (not in_qbo or i in synced)]

    def _odoo_dependent(self, record, planned, in_qbo=False):
        """Why an Odoo record the run created cannot go: what uses it and stays, or its payment."""
        if record._name == "account.move" and record.state == "posted" and record.payment_state != "not_paid":
            return self.env._("%s is paid (or partly) since.", record.display_name)
        users = []
        if record._name == "res.partner":
            moves = self.env["account.move"].search([("commercial_partner_id", "=", record.id),
                                                     ("state", "!=", "cancel")])
            orders = self.env["sale.order"].search([("partner_id", "child_of", record.id), ("state", "!=", "cancel")])
            users = [("account.move", moves), ("sale.order", orders)]
        elif record._name == "product.product":
            lines = self.env["account.move.line"].search([("product_id", "=", record.id),
                                                          ("parent_state", "!=", "cancel")])
            users = [("account.move", lines.move_id)]
        for model, used in users:
            kept = self.env[model].browse(self._kept(planned, model, used.ids, in_qbo))
            if kept:
                return self.env._("Used on %s, which stays.", ", ".join(kept[:3].mapped("display_name")))
        return None

    def _qbo_dependent(self, binding, record, planned):
        """Why a QuickBooks object the run created cannot go: paid since, or used by a document
        that stays."""
        connection = self.run_id.connection_id.sudo()
        try:
            data = connection._qbo_call("read", connection._qbo_adapter(binding.qbo_entity).api_entity,
                                        binding.qbo_id)
        except QBOError as e:
            return self.env._("QuickBooks could not be read: %s", e)
        if binding.qbo_entity in ("Invoice", "CreditMemo") and "Balance" in data and \
                str(data.get("Balance")) != str(data.get("TotalAmt")):
            return self.env._("Paid (or partly) in QuickBooks since.")
        if record and record._name in ("res.partner", "product.product"):
            return self._odoo_dependent(record, planned, in_qbo=True)
        return None

    # -- doing it --------------------------------------------------------------------------------
    def action_confirm(self):
        """Undo what can be, in a new run whose log says each step.

        :raises AccessError: the caller is no QuickBooks manager
        """
        self.ensure_one()
        check_qbo_group(self.env, QBO_MANAGER)
        connection = self.run_id.connection_id.sudo()
        if connection.state != "connected":
            raise UserError(self.env._("Connect to QuickBooks Online first."))
        run = self.env["qbo.sync.run"].sudo().create({"connection_id": connection.id, "direction": "undo"})
        Log = self.env["qbo.sync.log"].sudo()
        for line in self.line_ids:
            binding = line.binding_id
            message, outcome = line.reason, "skipped"
            if not line.refused and binding:
                try:
                    with self.env.cr.savepoint():
                        message = self._undo(line, binding, connection)
                        outcome = "deleted"
                except (QBOError, UserError) as e:
                    message = self.env._("Not undone: %s", e)
            Log.create({"run_id": run.id, "connection_id": connection.id, "res_model": line.log_id.res_model,
                        "res_id": line.log_id.res_id, "record_name": line.record_name, "qbo_entity": line.qbo_entity,
                        "qbo_id": line.qbo_id, "direction": "undo", "outcome": outcome, "message": message})
        run._qbo_end("done", self.env._("Undo of %s", self.run_id.display_name))
        self.undo_run_id = run
        return {"type": "ir.actions.act_window", "res_model": "qbo.sync.run", "res_id": run.id, "view_mode": "form"}

    def _undo(self, line, binding, connection):
        record = binding._qbo_record().with_context(active_test=False, **{NO_PUSH: True}).exists()
        action = line.action
        if line.action == "archive":
            record.active = False
        elif line.action == "cancel":
            self._cancel(record)
        elif line.action in ("inactive", "void", "delete"):
            api_entity = connection._qbo_adapter(binding.qbo_entity).api_entity
            data = connection._qbo_call("read", api_entity, binding.qbo_id)
            request_id = uuid.uuid4().hex
            if line.action == "inactive":
                connection._qbo_call("update", api_entity, {"Id": data["Id"], "SyncToken": data["SyncToken"],
                                                            "Active": False}, request_id)
            else:
                connection._qbo_call(line.action, api_entity, data, request_id)
        binding.unlink()
        return dict(line._fields["action"]._description_selection(self.env))[action]

    @staticmethod
    def _cancel(record):
        if record._name == "account.move":
            if record.state == "posted":
                record.button_draft()
            record.button_cancel()
        elif record._name == "account.payment":
            if record.state != "draft":
                record.action_draft()
            record.action_cancel()
        elif record._name == "sale.order":
            record._action_cancel()


class QboUndoLine(models.TransientModel):
    _name = "qbo.undo.line"
    _description = "QuickBooks Online: Undo Step"
    _order = "refused, id"

    undo_id = fields.Many2one("qbo.undo", required=True, ondelete="cascade")
    log_id = fields.Many2one("qbo.sync.log", readonly=True, ondelete="cascade")
    binding_id = fields.Many2one("qbo.binding", readonly=True, ondelete="set null")
    record_name = fields.Char("Record", readonly=True)
    qbo_entity = fields.Char("QuickBooks Entity", readonly=True)
    qbo_id = fields.Char("QuickBooks Id", readonly=True)
    action = fields.Selection(ACTIONS, readonly=True)
    refused = fields.Boolean("Cannot Be Undone", readonly=True)
    reason = fields.Char(readonly=True)


class QboSyncRun(models.Model):
    _inherit = "qbo.sync.run"

    def action_qbo_undo(self):
        """What undoing this run would do, to confirm.

        :raises AccessError: the caller is no QuickBooks manager
        """
        self.ensure_one()
        check_qbo_group(self.env, QBO_MANAGER)
        self.check_access("read")
        return self.env["qbo.undo"].create({"run_id": self.id}).action_prepare()
