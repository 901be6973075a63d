"""Preview before writing (issue 13.1): what "Download all" and then "Upload all" would do, per
entity and direction — created, linked, updated, skipped, waiting, in error, with the reasons —
without writing anything on either side.

The preview is the real runs, not a model of them: the same code downloads and uploads, inside
a savepoint rolled back at the end, with a client whose writes are answered in Odoo
(``utils/qbo_preview.py``) and never sent: QuickBooks only ever receives reads. What the runs
logged is counted before the rollback."""

from collections import Counter, defaultdict

from odoo import fields, models

from ..const import PREVIEW
from ..models.qbo_sync_log import DIRECTIONS, OUTCOMES
from ..models.qbo_sync_mixin import QBO_MANAGER, check_qbo_group
from ..utils.qbo_preview import PreviewWrites

MAX_PUSH_RUNS = 20  # as many upload runs as the upload needs (each takes bounded chunks)
EXAMPLES = 3


class _Rollback(Exception):
    """Leaves the preview's savepoint, undoing everything it did in Odoo, with what it saw."""

    def __init__(self, rows):
        super().__init__()
        self.rows = rows


class QboPreview(models.TransientModel):
    _name = "qbo.preview"
    _description = "QuickBooks Online Sync Preview"

    connection_id = fields.Many2one("qbo.connection", required=True, readonly=True,
                                    default=lambda self: self.env["qbo.connection"]._qbo_for_company(self.env.company))
    line_ids = fields.One2many("qbo.preview.line", "preview_id", "What Would Happen", readonly=True)
    requests = fields.Integer("Reads Sent to QuickBooks", readonly=True)
    writes_held = fields.Integer("Writes Held Back", readonly=True,
                                 help="What the real runs would send to QuickBooks (creates, updates, voids).")
    computed_at = fields.Datetime(readonly=True)

    def _compute_display_name(self):
        for preview in self:
            preview.display_name = self.env._("QuickBooks Sync Preview")

    def action_compute(self):
        """Run "Download all" and "Upload all" as a dry run and list their outcomes.

        :raises AccessError: the caller is no QuickBooks manager
        :raises UserError: the company is not connected
        """
        self.ensure_one()
        check_qbo_group(self.env, QBO_MANAGER)
        connection = self.connection_id.sudo()
        connection._qbo_check_connected()
        outcomes, writes, requests = connection._qbo_preview()
        self.line_ids.unlink()
        self.env["qbo.preview.line"].create([dict(values, preview_id=self.id) for values in outcomes])
        self.write({"requests": requests, "writes_held": len(writes), "computed_at": fields.Datetime.now()})
        dialog = bool(self.env.context.get("dialog"))
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "name": self.display_name, "target": "new" if dialog else "current", "context": {"dialog": dialog}}

    def action_run(self):
        """The real thing: download everything, then upload everything in scope (the crons,
        woken now, do it within seconds)."""
        self.ensure_one()
        check_qbo_group(self.env, QBO_MANAGER)
        self.connection_id.action_qbo_download_all()
        return self.connection_id.action_qbo_upload_all()


class QboPreviewLine(models.TransientModel):
    _name = "qbo.preview.line"
    _description = "QuickBooks Online Sync Preview Line"
    _order = "direction, entity, outcome"

    preview_id = fields.Many2one("qbo.preview", required=True, ondelete="cascade")
    direction = fields.Selection(DIRECTIONS, readonly=True)
    entity = fields.Char("QuickBooks Entity", readonly=True)
    outcome = fields.Selection(OUTCOMES, readonly=True)
    count = fields.Integer(readonly=True)
    reasons = fields.Text(readonly=True, help="The runs' messages (at most three kinds), with how many said each.")
    examples = fields.Char(readonly=True, help="A few of the records or QuickBooks objects concerned.")


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    def _qbo_preview(self):
        """Download all, then upload all, inside a savepoint rolled back at the end; writes to
        QuickBooks answered by a ``PreviewWrites``, never sent.

        :return: (outcome rows for ``qbo.preview.line``, the writes held back, API reads sent)
        """
        self.ensure_one()
        writes = PreviewWrites()
        preview = self.with_context(**{PREVIEW: writes})
        Log = self.env["qbo.sync.log"].sudo()
        try:
            with self.env.cr.savepoint():
                preview.qbo_pull_watermark = False
                runs = [preview._qbo_run("pull")]
                for adapter in preview._qbo_adapters("push"):
                    records = adapter.Model.with_context(active_test=False).search(adapter.upload_all_domain())
                    adapter.flag(records.filtered(adapter.handles))
                for _run in range(MAX_PUSH_RUNS):
                    if not preview._qbo_push_pending():
                        break
                    runs.append(preview._qbo_run("push"))
                runs = [run for run in runs if run]
                raise _Rollback(self._qbo_preview_rows(Log.search([("run_id", "in", [run.id for run in runs])])))
        except _Rollback as done:
            rows = done.rows
        self.env.invalidate_all()
        return rows, writes.writes, writes.reads

    @staticmethod
    def _qbo_preview_rows(logs):
        """One row per direction, entity and outcome of the runs' log lines."""
        groups = defaultdict(list)
        for line in logs:
            groups[(line.direction, line.qbo_entity, line.outcome)].append(line)
        rows = []
        for (direction, entity, outcome), lines in sorted(groups.items()):
            reasons = Counter(line.message or "" for line in lines)
            rows.append({
                "direction": direction, "entity": entity, "outcome": outcome, "count": len(lines),
                "reasons": "\n".join("%d × %s" % (n, reason) for reason, n in reasons.most_common(EXAMPLES) if reason)
                or False,
                "examples": ", ".join(line.record_name or line.qbo_id or "" for line in lines[:EXAMPLES]),
            })
        return rows

    def action_qbo_open_preview(self):
        """The preview of a first sync (or of Download all + Upload all).

        :raises AccessError: the caller is no QuickBooks manager
        """
        check_qbo_group(self.env, QBO_MANAGER)
        self._qbo_check_connected()
        preview = self.env["qbo.preview"].create({"connection_id": self.id})
        return preview.action_compute()
