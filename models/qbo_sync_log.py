import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .qbo_sync_mixin import QBO_MANAGER, check_qbo_group

DIRECTIONS = [("push", "Odoo → QuickBooks"), ("pull", "QuickBooks → Odoo"), ("undo", "Undo")]
OUTCOMES = [
    ("created", "Created"),
    ("updated", "Updated"),
    ("linked", "Linked"),
    ("skipped", "Skipped"),
    ("conflict", "Conflict"),
    ("error", "Error"),
    ("retry", "Will Retry"),
    ("deleted", "Deleted"),
    ("merged", "Merged"),
]
# Log lines are kept this long (runs too); the bindings keep the current state forever.
LOG_KEEP_DAYS = 90


class QboSyncRun(models.Model):
    """One run of the upload or download cron (or of a button) for one connection."""

    _name = "qbo.sync.run"
    _description = "QuickBooks Online Sync Run"
    _order = "id desc"

    connection_id = fields.Many2one("qbo.connection", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    direction = fields.Selection(DIRECTIONS, required=True)
    started_at = fields.Datetime(required=True, default=fields.Datetime.now)
    ended_at = fields.Datetime()
    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("stopped", "Stopped")], required=True, default="running")
    message = fields.Text(help="Why the run stopped early (authorisation, throttling...).")
    log_ids = fields.One2many("qbo.sync.log", "run_id")
    count_done = fields.Integer("Synced", help="Records created, updated or linked.")
    count_error = fields.Integer("Errors")
    count_conflict = fields.Integer("Conflicts")
    count_skipped = fields.Integer("Skipped")

    @api.depends("connection_id", "direction", "started_at")
    def _compute_display_name(self):
        for run in self:
            run.display_name = "%s %s" % (dict(DIRECTIONS).get(run.direction, ""), run.started_at or "")

    def _qbo_end(self, state="done", message=False):
        self.write({"ended_at": fields.Datetime.now(), "state": state, "message": message})

    @api.autovacuum
    def _gc_old_runs(self):
        limit = fields.Datetime.now() - timedelta(days=LOG_KEEP_DAYS)
        self.search([("started_at", "<", limit)], limit=models.GC_UNLINK_LIMIT).unlink()


class QboSyncLog(models.Model):
    """What happened to one record in one run: what, which way, the outcome, QuickBooks' message
    and trace id, and for a conflict the version that lost (appliable with one click)."""

    _name = "qbo.sync.log"
    _description = "QuickBooks Online Sync Log"
    _order = "id desc"

    run_id = fields.Many2one("qbo.sync.run", index=True, ondelete="cascade")
    connection_id = fields.Many2one("qbo.connection", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    binding_id = fields.Many2one("qbo.binding", index=True, ondelete="set null")
    res_model = fields.Char("Odoo Model", index=True)
    res_id = fields.Many2oneReference("Odoo Record", model_field="res_model", index=True)
    record_name = fields.Char("Record")
    qbo_entity = fields.Char("QuickBooks Entity")
    qbo_id = fields.Char("QuickBooks Id")
    direction = fields.Selection(DIRECTIONS, required=True)
    outcome = fields.Selection(OUTCOMES, required=True, index=True)
    message = fields.Text()
    intuit_tid = fields.Char("Intuit Trace Id", help="Give it to Intuit's support when asking about this call.")
    losing_side = fields.Selection(
        [("odoo", "Odoo"), ("qbo", "QuickBooks")], help="Whose version lost the conflict.")
    losing_values = fields.Json(help="The values of the version that lost the conflict.")
    losing_qbo_version = fields.Json(help="QuickBooks' object of a conflict left for a person to decide.")
    applied = fields.Boolean(help="The losing version was applied.")
    # fields.Json has no form widget: a person reads the losing version as indented JSON.
    losing_values_text = fields.Text("Losing Version", compute="_compute_losing_values_text")

    @api.depends("losing_values")
    def _compute_losing_values_text(self):
        for line in self:
            line.losing_values_text = line.losing_values and json.dumps(
                line.losing_values, indent=2, sort_keys=True, ensure_ascii=False, default=str)

    def _qbo_binding(self):
        """Return this line's binding once the caller may act on it: a QuickBooks manager who can
        edit the line and its record (checked here: the work is done as superuser).

        :raises AccessError: when the caller may not
        :raises UserError: when the record is gone
        """
        self.ensure_one()
        check_qbo_group(self.env, QBO_MANAGER)
        self.check_access("write")
        binding = self.binding_id
        record = binding and binding.sudo()._qbo_record().exists()
        if not record:
            raise UserError(self.env._("The record of this log line no longer exists."))
        record.with_env(self.env).check_access("write")
        return binding.sudo()

    def action_apply_losing_version(self):
        """Write the version that lost the conflict into Odoo as a normal edit: it is then uploaded,
        so both sides end up with it."""
        for line in self:
            if not line.losing_values:
                raise UserError(self.env._("This log line has no losing version to apply."))
            binding = line._qbo_binding()
            if line.losing_qbo_version:
                # A conflict left to a person: QuickBooks' version becomes the base of the upload.
                binding._qbo_mark_synced(line.losing_qbo_version)
            record = binding._qbo_record().with_env(self.env)
            adapter = binding.connection_id._qbo_adapter(binding.qbo_entity)
            adapter.apply_remote_values(record, line.losing_values)
            adapter.flag(record)
            line.applied = True
        return True

    def action_retry(self):
        """Upload the record again now (after an error, or to keep Odoo's version of a conflict);
        a QuickBooks object parked without an Odoo record is downloaded again instead."""
        for line in self:
            if line.binding_id and not line.binding_id.res_id:
                check_qbo_group(self.env, QBO_MANAGER)
                line.check_access("write")
                line.binding_id.sudo().write({"state": "waiting", "next_retry_at": False})
                self.env.ref("quickbooks_online.ir_cron_qbo_pull")._trigger()
                continue
            binding = line._qbo_binding()
            if line.losing_qbo_version and binding.state == "conflict":
                binding._qbo_mark_synced(line.losing_qbo_version)
            binding.connection_id._qbo_adapter(binding.qbo_entity).flag(binding._qbo_record())
        self.env.ref("quickbooks_online.ir_cron_qbo_push")._trigger()
        return True

    def action_open_record(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    @api.autovacuum
    def _gc_old_lines(self):
        limit = fields.Datetime.now() - timedelta(days=LOG_KEEP_DAYS)
        self.search([("create_date", "<", limit)], limit=models.GC_UNLINK_LIMIT).unlink()
