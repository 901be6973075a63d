"""Health at a glance (issue 13, docs/ENGINE.md §7b): per connection and QuickBooks entity, what is
synced and what waits (to upload, waiting on a dependency, in error, in conflict), each count
opening the very list it counts; the connection's token expiry, last runs and API use against
QuickBooks' limits over the last hour."""

from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..const import PREVIEW
from .qbo_sync_mixin import QBO_USER, check_qbo_group

# QuickBooks' throttle per company (QBO_API.md §4): requests per minute.
API_LIMIT_PER_MINUTE = 500
HEALTH_STATES = ("to_push", "waiting", "error", "conflict", "synced")


class QboHealth(models.Model):
    """A view on the bindings: one row per connection and QuickBooks entity."""

    _name = "qbo.health"
    _description = "QuickBooks Online Sync Health"
    _auto = False
    _order = "connection_id, qbo_entity"
    # What the view reads: flushed before it is searched.
    _depends = {"qbo.binding": ["connection_id", "qbo_entity", "state"], "qbo.connection": ["company_id"]}

    connection_id = fields.Many2one("qbo.connection", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    qbo_entity = fields.Char("QuickBooks Entity", readonly=True)
    count_to_push = fields.Integer("To Upload", readonly=True)
    count_waiting = fields.Integer("Waiting", readonly=True,
                                   help="Waiting for what they refer to (a customer, an invoice), or parked.")
    count_error = fields.Integer("Errors", readonly=True)
    count_conflict = fields.Integer("Conflicts", readonly=True)
    count_synced = fields.Integer("Synced", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        counts = SQL(", ").join(SQL("count(*) FILTER (WHERE b.state = %s) AS %s", state,
                                    SQL.identifier("count_%s" % state)) for state in HEALTH_STATES)
        self.env.cr.execute(SQL(
            "CREATE VIEW %s AS (SELECT min(b.id) AS id, b.connection_id, c.company_id, b.qbo_entity, %s "
            "FROM qbo_binding b JOIN qbo_connection c ON c.id = b.connection_id "
            "GROUP BY b.connection_id, c.company_id, b.qbo_entity)", SQL.identifier(self._table), counts))

    def action_qbo_open_bindings(self):
        """The bindings this row counts in the state the button names (context ``qbo_state``).

        :raises AccessError: the caller is no QuickBooks user
        """
        check_qbo_group(self.env, QBO_USER)
        self.ensure_one()
        self.check_access("read")
        state = self.env.context.get("qbo_state")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("%(entity)s in QuickBooks", entity=self.qbo_entity),
            "res_model": "qbo.binding",
            "view_mode": "list,form",
            "domain": self._qbo_binding_domain(state),
        }

    def _qbo_binding_domain(self, state):
        return [("connection_id", "=", self.connection_id.id), ("qbo_entity", "=", self.qbo_entity),
                *([("state", "=", state)] if state in HEALTH_STATES else [])]


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    health_ids = fields.One2many("qbo.health", "connection_id")
    qbo_api_use = fields.Json(copy=False, readonly=True,
                              help="API requests per minute (UTC, 'YYYY-MM-DD HH:MM'), the last hour's.")
    api_requests_hour = fields.Integer("API Requests (last hour)", compute="_compute_health")
    api_peak_minute = fields.Integer(
        "Busiest Minute", compute="_compute_health",
        help="The most API requests in one minute over the last hour; QuickBooks allows 500 per minute (and 40 "
             "batch requests) per company.")
    health_to_push = fields.Integer("To Upload", compute="_compute_health")
    health_waiting = fields.Integer("Waiting", compute="_compute_health")
    health_error = fields.Integer("Errors", compute="_compute_health")
    health_conflict = fields.Integer("Conflicts", compute="_compute_health")

    @api.depends_context("uid")
    def _compute_health(self):
        since = (fields.Datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
        totals = {(row["connection_id"][0], state): row["count_%s" % state]
                  for row in self.env["qbo.health"].sudo().read_group(
                      [("connection_id", "in", self.ids)], ["count_%s:sum" % s for s in HEALTH_STATES],
                      ["connection_id"]) for state in HEALTH_STATES}
        for connection in self:
            use = [count for minute, count in (connection.qbo_api_use or {}).items() if minute >= since]
            connection.api_requests_hour = sum(use)
            connection.api_peak_minute = max(use, default=0)
            for state in ("to_push", "waiting", "error", "conflict"):
                connection["health_%s" % state] = totals.get((connection.id, state), 0)

    def _qbo_note_api_use(self, started, ended, count):
        """Add a run's ``count`` requests to the per-minute use, spread evenly over the minutes
        it ran (the last hour's kept)."""
        if not count:
            return
        preview = self.env.context.get(PREVIEW)
        if preview:
            preview.reads += count  # (its runs are rolled back, this record with them)
        start = started.replace(second=0, microsecond=0)
        minutes = max(1, int((ended - start).total_seconds() // 60) + 1)
        use = {minute: n for minute, n in (self.qbo_api_use or {}).items()
               if minute >= (ended - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")}
        for i in range(minutes):
            minute = (start + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M")
            use[minute] = use.get(minute, 0) + count // minutes + (1 if i < count % minutes else 0)
        self.sudo().qbo_api_use = use

    def action_qbo_open_health(self):
        """The health dashboard of this connection.

        :raises AccessError: the caller is no QuickBooks user, or not of the connection's company
        """
        check_qbo_group(self.env, QBO_USER)
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("quickbooks_online.action_qbo_health")
        action["domain"] = [("connection_id", "in", self.ids)]
        return action
