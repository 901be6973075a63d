from datetime import datetime, timedelta, timezone

from odoo import api, fields, models
from odoo.tools import SQL, create_unique_index, index_exists

# What makes a merge event the same event (with event_time, compared as equal when both empty).
MERGE_EVENT_KEY = ("connection_id", "qbo_entity", "deleted_id", "survivor_id", "event_time")
MERGE_EVENT_INDEX = "qbo_merge_event_once_uniq"
# An undone merge older than CDC's 30-day window can never be met by a download.
MERGE_EVENT_KEEP_DAYS = 30

BINDING_STATES = [
    ("to_push", "To Upload"),
    ("waiting", "Waiting"),
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
    # Empty for a QuickBooks object that could not be applied yet (parked with its payload, in
    # error or waiting): retried by every download until it has its record.
    res_id = fields.Many2oneReference("Odoo Record", model_field="res_model", index=True)
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
        ("record_uniq", "unique(connection_id, qbo_entity, res_model, res_id)",
         "A record is linked once per QuickBooks connection and entity."),
        ("qbo_uniq", "unique(connection_id, qbo_entity, qbo_id)",
         "A QuickBooks object is linked to one Odoo record per connection."),
    ]

    @api.depends("res_model", "res_id", "qbo_entity", "qbo_id")
    def _compute_display_name(self):
        for binding in self:
            record = binding.res_id and binding.res_model in self.env and binding._qbo_record().sudo().exists()
            binding.display_name = record.display_name if record else "%s %s" % (binding.qbo_entity,
                                                                                 binding.qbo_id or "")

    def _qbo_record(self):
        """Return the Odoo record of this binding (may not exist any more)."""
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)

    def _qbo_mark_synced(self, data):
        """Store the QuickBooks version ``data`` (as read or as answered to a write)."""
        self.write(synced_values(data, self.qbo_id))


class QboMergeEvent(models.Model):
    """A merge notified by QuickBooks' webhook (``deletedId`` merged into ``qbo_id``). CDC only
    says the merged-away object is deleted; this row tells the pull which object survived.

    Intuit sends a notification again when it doubts it arrived, and anyone holding a signed body
    can replay it: an event (connection, entity, both ids, QuickBooks' time of the event) is
    stored once, by a unique index the inserts of ``_qbo_store`` ignore conflicts on. Rows are
    vacuumed once used (``done``) or after CDC's 30 days, when no download can use them any more."""

    _name = "qbo.merge.event"
    _description = "QuickBooks Online Merge"
    _order = "id"

    connection_id = fields.Many2one("qbo.connection", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    qbo_entity = fields.Char(required=True)
    deleted_id = fields.Char(required=True, index=True)
    survivor_id = fields.Char(required=True)
    event_time = fields.Datetime(help="QuickBooks' time of the merge, as notified (empty when not given).")
    done = fields.Boolean(index=True)

    def _auto_init(self):
        result = super()._auto_init()
        if not index_exists(self.env.cr, MERGE_EVENT_INDEX):
            # Rows stored before the index was: keep the newest of each event (the one a download reads).
            self.env.cr.execute(SQL(
                "DELETE FROM qbo_merge_event e USING qbo_merge_event newer WHERE %s AND newer.id > e.id",
                SQL(" AND ").join(SQL("newer.%s IS NOT DISTINCT FROM e.%s", SQL.identifier(name), SQL.identifier(name))
                                  for name in MERGE_EVENT_KEY)))
            create_unique_index(self.env.cr, MERGE_EVENT_INDEX, self._table, [
                *MERGE_EVENT_KEY[:-1], "COALESCE(event_time, '1970-01-01'::timestamp)"])
        return result

    @api.model
    def _qbo_store(self, events):
        """Store merge events ({connection_id, qbo_entity, deleted_id, survivor_id, event_time}, the
        time as QuickBooks writes it or as Odoo does, or empty), each one once: the events
        already stored (or twice in ``events``) are left out, in one ``INSERT … ON CONFLICT DO
        NOTHING`` that also holds when two requests bring the same event at the same moment.

        :return: the ids of the rows inserted
        """
        if not events:
            return []
        companies = {c.id: c.company_id.id for c in self.env["qbo.connection"].sudo().browse(
            list({event["connection_id"] for event in events}))}
        uid, now = self.env.uid, self.env.cr.now()
        rows = SQL(", ").join(
            SQL("(%s, %s, %s, %s, %s, %s::timestamp, FALSE, %s, %s, %s, %s)",
                event["connection_id"], companies[event["connection_id"]] or None, event["qbo_entity"],
                event["deleted_id"], event["survivor_id"], self._qbo_event_time(event.get("event_time")),
                uid, now, uid, now)
            for event in events)
        self.env.cr.execute(SQL(
            "INSERT INTO qbo_merge_event (connection_id, company_id, qbo_entity, deleted_id, survivor_id, "
            "event_time, done, create_uid, create_date, write_uid, write_date) VALUES %s "
            "ON CONFLICT DO NOTHING RETURNING id", rows))
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _qbo_event_time(self, value):
        """Naive UTC of an event's time: QuickBooks' ISO text (any offset: one instant is one
        event), an Odoo datetime, or None."""
        if isinstance(value, datetime):
            return value.replace(microsecond=0)
        return parse_qbo_datetime(value) or None

    @api.autovacuum
    def _gc_qbo_merge_events(self):
        """Drop the merges a download used, and those older than CDC's window, which no download
        can meet any more (the merged-away object's deletion is only seen by CDC)."""
        old = fields.Datetime.now() - timedelta(days=MERGE_EVENT_KEEP_DAYS)
        self.sudo().search(["|", ("done", "=", True), ("create_date", "<", old)]).unlink()
