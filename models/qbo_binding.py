from datetime import datetime, timezone

from odoo import fields, models

BINDING_STATES = [
    ("to_push", "To Upload"),
    ("synced", "Synced"),
    ("error", "Error"),
    ("conflict", "Conflict"),
]


def parse_qbo_datetime(value):
    """Odoo's naive UTC datetime for a QuickBooks ISO timestamp ("2025-01-01T10:00:00-07:00"),
    or False when empty or unreadable."""
    if not value:
        return False
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return False
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def synced_values(data, qbo_id=False):
    """Binding values of a record in sync with the QuickBooks version ``data``: for a write, or
    for creating the binding of a downloaded record in the same call (no write after it)."""
    return {
        "qbo_id": data.get("Id") or qbo_id,
        "qbo_sync_token": data.get("SyncToken"),
        "qbo_last_updated": parse_qbo_datetime((data.get("MetaData") or {}).get("LastUpdatedTime")),
        "qbo_payload": data,
        "state": "synced",
        "last_sync_at": fields.Datetime.now(),
        "last_error": False,
        "retry_count": 0,
        "next_retry_at": False,
        "request_id": False,
        "request_in_batch": False,
    }


class QboBinding(models.Model):
    """The link of one Odoo record to one QuickBooks object, for one connection (so one Odoo
    company). A partner shared by several companies has one row per connection, each with the
    id of its QuickBooks company. A row without ``qbo_id`` is a record waiting for its first
    upload (or for matching)."""

    _name = "qbo.binding"
    _description = "QuickBooks Online Binding"
    _order = "id"
    _rec_name = "qbo_id"

    connection_id = fields.Many2one("qbo.connection", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    res_model = fields.Char("Odoo Model", required=True, index=True)
    res_id = fields.Many2oneReference("Odoo Record", model_field="res_model", required=True, index=True)
    qbo_entity = fields.Char("QuickBooks Entity", required=True)
    qbo_id = fields.Char("QuickBooks Id", index=True, copy=False)
    qbo_sync_token = fields.Char("SyncToken", copy=False)
    qbo_last_updated = fields.Datetime(
        "Changed in QuickBooks", copy=False, help="QuickBooks' LastUpdatedTime of the version last read or written.")
    qbo_payload = fields.Json(
        copy=False, help="The QuickBooks object as last read or written: what QuickBooks holds, the base of "
                         "sparse updates and of 'did anything change?'.")
    state = fields.Selection(BINDING_STATES, required=True, default="to_push", index=True)
    odoo_changed_at = fields.Datetime(
        "Changed in Odoo", copy=False, help="When a synced field last changed in Odoo (for 'last updated wins').")
    last_sync_at = fields.Datetime("Last Sync", copy=False)
    last_error = fields.Text(copy=False)
    retry_count = fields.Integer(copy=False)
    next_retry_at = fields.Datetime(
        "Next Retry", index=True, copy=False, help="Set after a temporary failure: not uploaded before then.")
    request_id = fields.Char(
        "Request Id", copy=False, help="requestid of a create in flight: a retry reuses it, so QuickBooks answers "
                                       "the first reply again instead of creating a duplicate.")
    request_in_batch = fields.Boolean(copy=False, help="The create in flight was sent in a batch.")
    disambiguation = fields.Integer(
        copy=False, help="How many times the display name was taken in QuickBooks (error 6240).")

    _sql_constraints = [
        ("record_uniq", "unique(connection_id, res_model, res_id)",
         "A record is linked once per QuickBooks connection."),
        ("qbo_uniq", "unique(connection_id, qbo_entity, qbo_id)",
         "A QuickBooks object is linked to one Odoo record per connection."),
    ]

    def _qbo_record(self):
        """Return the Odoo record of this binding (may not exist any more)."""
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)

    def _qbo_mark_synced(self, data):
        """Store the QuickBooks version ``data`` (as read or as answered to a write)."""
        self.write(synced_values(data, self.qbo_id))


class QboMergeEvent(models.Model):
    """A merge notified by QuickBooks' webhook (``deletedId`` merged into ``qbo_id``). CDC only
    says the merged-away object is deleted; this row tells the pull which object survived."""

    _name = "qbo.merge.event"
    _description = "QuickBooks Online Merge"
    _order = "id"

    connection_id = fields.Many2one("qbo.connection", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    qbo_entity = fields.Char(required=True)
    deleted_id = fields.Char(required=True, index=True)
    survivor_id = fields.Char(required=True)
    done = fields.Boolean(index=True)
