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
from ..models.qbo_link_choice import CHOICES
from ..models.qbo_sync_log import DIRECTIONS, OUTCOMES
from ..models.qbo_sync_mixin import QBO_MANAGER, check_qbo_group
from ..utils.mappers import partner as partner_mapper
from ..utils.qbo_preview import PreviewWrites

MAX_PUSH_RUNS = 20  # as many upload runs as the upload needs (each takes bounded chunks)
EXAMPLES = 3


class _Rollback(Exception):
    """Leaves the preview's savepoint, undoing everything it did in Odoo, with what it saw."""

    def __init__(self, rows):
        super().__init__()
        self.rows = rows  # (outcome rows, the customer links made)


class QboPreview(models.TransientModel):
    _name = "qbo.preview"
    _description = "QuickBooks Online Sync Preview"

    connection_id = fields.Many2one("qbo.connection", required=True, readonly=True,
                                    default=lambda self: self.env["qbo.connection"]._qbo_for_company(self.env.company))
    line_ids = fields.One2many("qbo.preview.line", "preview_id", "What Would Happen", readonly=True)
    match_ids = fields.One2many("qbo.preview.match", "preview_id", "Weak Matches to Review")
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
        outcomes, weak, writes, requests = connection._qbo_preview()
        self.line_ids.unlink()
        self.match_ids.unlink()
        self.env["qbo.preview.line"].create([dict(values, preview_id=self.id) for values in outcomes])
        self.env["qbo.preview.match"].create([dict(values, preview_id=self.id) for values in weak])
        self.write({"requests": requests, "writes_held": len(writes), "computed_at": fields.Datetime.now()})
        dialog = bool(self.env.context.get("dialog"))
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "name": self.display_name, "target": "new" if dialog else "current", "context": {"dialog": dialog}}

    def action_run(self):
        """The real thing: download everything, then upload everything in scope (the crons,
        woken now, do it within seconds), honouring the choices made on the weak matches."""
        self.ensure_one()
        check_qbo_group(self.env, QBO_MANAGER)
        Choice = self.env["qbo.link.choice"].sudo()
        for match in self.match_ids:
            pair = [("connection_id", "=", self.connection_id.id), ("qbo_entity", "=", match.qbo_entity),
                    ("res_id", "=", match.res_id), ("qbo_id", "=", match.qbo_id)]
            Choice.search(pair).unlink()
            if match.choice != "link":
                Choice.create({"connection_id": self.connection_id.id, "qbo_entity": match.qbo_entity,
                               "res_id": match.res_id, "qbo_id": match.qbo_id, "choice": match.choice})
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


class QboPreviewMatch(models.TransientModel):
    """A link the runs made on one key while another key differs: for a person to confirm."""

    _name = "qbo.preview.match"
    _description = "QuickBooks Online Sync Preview: Weak Match"
    _order = "id"

    preview_id = fields.Many2one("qbo.preview", required=True, ondelete="cascade")
    qbo_entity = fields.Char("QuickBooks Entity", readonly=True)
    res_id = fields.Integer("Odoo Record", readonly=True)
    record_name = fields.Char("In Odoo", readonly=True)
    qbo_id = fields.Char("QuickBooks Id", readonly=True)
    qbo_name = fields.Char("In QuickBooks", readonly=True)
    reason = fields.Char(readonly=True)
    choice = fields.Selection(CHOICES, required=True, default="link")


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    def _qbo_preview(self):
        """Download all, then upload all, inside a savepoint rolled back at the end; writes to
        QuickBooks answered by a ``PreviewWrites``, never sent.

        :return: (outcome rows for ``qbo.preview.line``, weak-match rows for ``qbo.preview.match``,
            the writes held back, API reads sent)
        """
        self.ensure_one()
        writes = PreviewWrites()
        preview = self.with_context(**{PREVIEW: writes})
        Log = self.env["qbo.sync.log"].sudo()
        try:
            with self.env.cr.savepoint():
                preview.qbo_pull_watermark = False
                runs = [preview._qbo_run("pull")]
                preview._qbo_flag_all()
                for _run in range(MAX_PUSH_RUNS):
                    if not preview._qbo_push_pending():
                        break
                    runs.append(preview._qbo_run("push"))
                runs = [run for run in runs if run]
                logs = Log.search([("run_id", "in", [run.id for run in runs])])
                links = [(line.binding_id.res_id, line.binding_id.qbo_id, line.binding_id.qbo_payload)
                         for line in logs if line.outcome == "linked" and line.qbo_entity == "Customer"
                         and line.binding_id.res_id and line.binding_id.qbo_payload]
                raise _Rollback((self._qbo_preview_rows(logs), links))
        except _Rollback as done:
            rows, links = done.rows
        self.env.invalidate_all()
        # Compared with Odoo's records as they are, not as the link (rolled back) made them.
        return rows, self._qbo_weak_matches(links), writes.writes, writes.reads

    def _qbo_weak_matches(self, links):
        """Of the customer links [(partner id, QuickBooks id, QuickBooks' object)] the runs made,
        those on one key while the other differs (the same name with another e-mail, the same
        e-mail under another name)."""
        adapter = self._qbo_adapter("Customer")
        weak = []
        for res_id, qbo_id, data in links:
            record = self.env["res.partner"].browse(res_id).exists()
            if not record:
                continue
            remote = adapter.remote_values(data)
            (odoo_email, odoo_name), (qbo_email, qbo_name) = (
                partner_mapper.match_keys(adapter.local_values(record)), partner_mapper.match_keys(remote))
            if odoo_name == qbo_name and odoo_email != qbo_email:
                reason = self.env._("Same name, another e-mail (%(odoo)s / %(qbo)s)", odoo=odoo_email or "-",
                                    qbo=qbo_email or "-")
            elif odoo_email and odoo_email == qbo_email and odoo_name != qbo_name:
                reason = self.env._("Same e-mail, another name")
            else:
                continue
            weak.append({"qbo_entity": "Customer", "res_id": record.id, "record_name": record.display_name,
                         "qbo_id": qbo_id, "qbo_name": remote.get("name") or "", "reason": reason})
        return weak

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
