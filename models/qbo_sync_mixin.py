from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .qbo_binding import BINDING_STATES

# Context key: set while applying QuickBooks' changes, so that they are not uploaded back.
NO_PUSH = "qbo_no_push"
PUSH_CRON = "quickbooks_online.ir_cron_qbo_push"
PULL_CRON = "quickbooks_online.ir_cron_qbo_pull"
QBO_USER = "quickbooks_online.group_qbo_user"
QBO_MANAGER = "quickbooks_online.group_qbo_manager"
# Where a QuickBooks object opens in QuickBooks' own interface, per environment.
APP_URLS = {"production": "https://app.qbo.intuit.com", "sandbox": "https://app.sandbox.qbo.intuit.com"}


def check_qbo_group(env, group):
    """Check, in a method a client can call over RPC, that the caller is in ``group`` (QBO_USER
    or QBO_MANAGER) before the method does anything as superuser: hiding a button is no check.

    :raises AccessError: when not
    """
    if not env.su and not env.user.has_group(group):
        raise AccessError(env._("This needs the QuickBooks Online %(group)s access right.",
                                group=env.ref(group).sudo().name))


class QBODependencyPending(Exception):
    """The record needs another one uploaded first (a contact's company): retried shortly."""


class QboSyncMixin(models.AbstractModel):
    """What a model needs to sync with QuickBooks: its bindings (one per connection), the sync
    state of the current company's binding for badges and filters, ``create``/``write`` that
    only flag records for upload, and the hooks an adapter implements (docs/ENGINE.md §1)."""

    _name = "qbo.sync.mixin"
    _description = "QuickBooks Online Sync Mixin"

    _qbo_entity = None  # the QuickBooks entity, e.g. "Customer"
    _qbo_direction_field = None  # the qbo.connection field giving the direction, e.g. "customer_direction"
    _qbo_url_path = None  # path of the object in QuickBooks' interface, "%s" is its Id

    # res_id alone is ambiguous (every model using the mixin has its own ids): the model is part of
    # the link. Odoo 18 adds this condition for a Many2oneReference inverse too; it is spelled
    # out here because the computed fields below read this one2many as "this record's bindings".
    qbo_binding_ids = fields.One2many("qbo.binding", "res_id", string="QuickBooks Links", copy=False,
                                      domain=lambda self: [("res_model", "=", self._name)])
    qbo_id = fields.Char(
        "QuickBooks Id", compute="_compute_qbo_binding_fields", search="_search_qbo_id", compute_sudo=True)
    qbo_sync_state = fields.Selection(
        BINDING_STATES, "QuickBooks Sync", compute="_compute_qbo_binding_fields",
        search="_search_qbo_sync_state", compute_sudo=True)
    qbo_last_sync_at = fields.Datetime("QuickBooks Last Sync", compute="_compute_qbo_binding_fields",
                                       compute_sudo=True)
    # What QuickBooks said and where the object is there: QuickBooks users only (computed as
    # superuser, so the field's group is the check).
    qbo_last_error = fields.Text("QuickBooks Error", compute="_compute_qbo_binding_fields", compute_sudo=True,
                                 groups=QBO_USER)
    qbo_url = fields.Char("QuickBooks Link", compute="_compute_qbo_binding_fields", compute_sudo=True,
                          groups=QBO_USER)

    # -----------------------------------------------------------------------------------------
    # Hooks (the adapter overrides them)
    # -----------------------------------------------------------------------------------------
    def _qbo_synced_fields(self):
        """Return the set of field names whose change must be uploaded."""
        return set()

    def _qbo_push_targets(self):
        """Return the records whose QuickBooks object changes when ``self`` changes (by default
        ``self``; e.g. a company's primary contact changes the company's Customer)."""
        return self

    def _qbo_depth(self):
        """Return how many records this one waits for (its parents): uploads go by depth."""
        return 0

    def _qbo_in_scope(self, connection, matching=False):
        """Return the records of ``self`` that ``connection`` syncs; with ``matching``, those a
        QuickBooks object may be linked to (the scope options aside: linking puts them in scope)."""
        return self

    def _qbo_match_values(self, connection):
        """Return [(record, mapper values with at least what ``_qbo_match_keys`` reads)]."""
        return [(record, record._qbo_local_values(connection)) for record in self]

    def _qbo_prepare_payload(self, binding):
        """Return the QuickBooks payload (a dict, no Id/SyncToken) of this record for ``binding``.

        :raises MappingError: when the record cannot be sent as it is
        :raises QBODependencyPending: when a record it refers to has no QuickBooks id yet
        """
        raise NotImplementedError

    def _qbo_local_values(self, connection):
        """Return the record as mapper values (the shape ``_qbo_remote_values`` gives)."""
        raise NotImplementedError

    @api.model
    def _qbo_remote_values(self, data):
        """Return mapper values of a QuickBooks object (raises MappingError when unusable)."""
        raise NotImplementedError

    @api.model
    def _qbo_changed_fields(self, old_payload, new_payload):
        """Return the sparse-update delta from ``old_payload`` to ``new_payload`` ({} if none)."""
        raise NotImplementedError

    @api.model
    def _qbo_pull_changes(self, current, pulled):
        """Return the mapper values of ``pulled`` that differ from ``current`` ({} if none)."""
        raise NotImplementedError

    @api.model
    def _qbo_match_keys(self, values):
        """Return the first-link keys of mapper values (hashable, strongest first)."""
        raise NotImplementedError

    @api.model
    def _qbo_remote_order(self, data):
        """Return a sort key of QuickBooks objects: dependencies (parents) first."""
        return 0

    @api.model
    def _qbo_create_from_remote(self, connection, values):
        """Create the record of a QuickBooks object (not uploaded back); None when it cannot be."""
        raise NotImplementedError

    @api.model
    def _qbo_create_from_remote_multi(self, connection, values_list):
        """Create the records of several QuickBooks objects; adapters override it to create them
        in one batch.

        :return: a list aligned on ``values_list``: the record, or None when it cannot be
        """
        return [self._qbo_create_from_remote(connection, values) for values in values_list]

    def _qbo_on_linked(self, connection):
        """Called when a download links the record to an existing QuickBooks object."""

    def _qbo_apply_remote_values(self, connection, values):
        """Write mapper values (as the entity's mapper reads them from QuickBooks) on the record."""
        raise NotImplementedError

    # -----------------------------------------------------------------------------------------
    # Binding fields of the current company
    # -----------------------------------------------------------------------------------------
    def _qbo_binding(self, connection):
        """Return this record's binding for ``connection`` (empty when none)."""
        self.ensure_one()
        return self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", connection.id), ("res_model", "=", self._name), ("res_id", "=", self.id),
        ], limit=1)

    @api.depends("qbo_binding_ids.state", "qbo_binding_ids.qbo_id", "qbo_binding_ids.last_sync_at",
                 "qbo_binding_ids.last_error")
    @api.depends_context("company")
    def _compute_qbo_binding_fields(self):
        company = self.env.company
        for record in self:
            binding = record.qbo_binding_ids.filtered(lambda b: b.connection_id.company_id == company)[:1]
            record.qbo_id = binding.qbo_id
            record.qbo_sync_state = binding.state
            record.qbo_last_sync_at = binding.last_sync_at
            record.qbo_last_error = binding.last_error
            record.qbo_url = binding.qbo_id and record._qbo_app_url(binding)

    def _qbo_app_url(self, binding):
        connection = binding.connection_id
        base = connection.custom_base_url if connection.environment == "custom" else APP_URLS[connection.environment]
        return "%s/app/%s" % ((base or "").rstrip("/"), self._qbo_url_path % binding.qbo_id)

    def _qbo_search_bindings(self, domain):
        bindings = self.env["qbo.binding"].sudo().search([
            ("res_model", "=", self._name), ("connection_id.company_id", "=", self.env.company.id), *domain])
        return bindings.mapped("res_id")

    def _search_qbo_id(self, operator, value):
        if operator in ("=", "!=") and not value:
            # "has (no) QuickBooks id"
            ids = self._qbo_search_bindings([("qbo_id", "!=", False)])
            return [("id", "not in" if operator == "=" else "in", ids)]
        return [("id", "in", self._qbo_search_bindings([("qbo_id", operator, value)]))]

    def _search_qbo_sync_state(self, operator, value):
        if operator in ("=", "!=") and not value:
            ids = self._qbo_search_bindings([])
            return [("id", "not in" if operator == "=" else "in", ids)]
        return [("id", "in", self._qbo_search_bindings([("state", operator, value)]))]

    # -----------------------------------------------------------------------------------------
    # Flagging: create/write never talk to QuickBooks, they flag and wake the upload cron
    # -----------------------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if not self.env.context.get(NO_PUSH):
            records._qbo_flag_for_push()
        return records

    def write(self, vals):
        result = super().write(vals)
        if not self.env.context.get(NO_PUSH) and not vals.keys().isdisjoint(self._qbo_synced_fields()):
            self._qbo_flag_for_push()
        return result

    def _qbo_flag_for_push(self, connections=None):
        """Mark the records that ``self`` changes as to upload, for ``connections`` (default:
        every connection whose direction uploads), creating the missing bindings of the records
        in scope, and wake the upload cron. Records in a conflict stay there (a person decides).

        :return: the bindings flagged
        """
        targets = self._qbo_push_targets()
        Binding = self.env["qbo.binding"].sudo()
        if not targets:
            return Binding
        if connections is None:
            connections = self.env["qbo.connection"].sudo().search([
                ("state", "in", ("connected", "needs_reauth")),
                (self._qbo_direction_field, "in", ("odoo_to_qbo", "both")),
            ])
        if not connections:
            return Binding
        existing = Binding.search([
            ("connection_id", "in", connections.ids), ("res_model", "=", targets._name),
            ("res_id", "in", targets.ids),
        ])
        by_key = {(b.connection_id.id, b.res_id): b for b in existing}
        flagged, new = Binding, []
        for connection in connections:
            for record in targets._qbo_in_scope(connection):
                binding = by_key.get((connection.id, record.id))
                if not binding:
                    new.append({"connection_id": connection.id, "res_model": record._name, "res_id": record.id,
                                "qbo_entity": record._qbo_entity})
                elif binding.state != "conflict":
                    flagged |= binding
        now = fields.Datetime.now()
        flagged.write({"state": "to_push", "odoo_changed_at": now, "retry_count": 0, "next_retry_at": False})
        flagged |= Binding.create([dict(values, odoo_changed_at=now) for values in new])
        if flagged:
            self.env.ref(PUSH_CRON).sudo()._trigger()
        return flagged

    # -----------------------------------------------------------------------------------------
    # Deletion: a record known to QuickBooks is archived, never deleted
    # -----------------------------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_except_qbo_synced(self):
        linked = self.env["qbo.binding"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", self.ids), ("qbo_id", "!=", False)], limit=1)
        if linked:
            raise UserError(self.env._(
                "%(record)s is synced with QuickBooks Online, which never deletes it: archive it instead "
                "(it is then made inactive in QuickBooks).", record=linked._qbo_record().display_name))

    def unlink(self):
        bindings = self.env["qbo.binding"].sudo().search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        result = super().unlink()
        bindings.unlink()
        return result

    # -----------------------------------------------------------------------------------------
    # Buttons
    # -----------------------------------------------------------------------------------------
    def action_qbo_open_in_quickbooks(self):
        """Open the record's QuickBooks object in QuickBooks' own interface, in a new tab.

        :raises AccessError: the caller is no QuickBooks user or cannot read the record
        """
        self.ensure_one()
        check_qbo_group(self.env, QBO_USER)
        self.check_access("read")
        if not self.qbo_url:
            raise UserError(self.env._("%s is not in QuickBooks Online yet.", self.display_name))
        return {"type": "ir.actions.act_url", "url": self.qbo_url, "target": "new"}

    def action_qbo_sync_now(self):
        """Queue these records for upload to the current company's QuickBooks and wake the upload
        cron (it runs within seconds, in its own transaction); the outcome shows on each record
        and in the sync log. Nothing is sent from the request itself: no commit in it.

        :raises AccessError: the caller is no QuickBooks manager or cannot edit the records
        :raises UserError: when the company is not connected
        """
        check_qbo_group(self.env, QBO_MANAGER)
        self.check_access("write")
        connection = self.env["qbo.connection"]._qbo_for_company()
        if not connection or connection.state != "connected":
            raise UserError(self.env._("This company is not connected to QuickBooks Online."))
        connection.check_access("write")
        flagged = self._qbo_flag_for_push(connection.sudo())
        if not flagged:
            return connection._qbo_notification(self.env._(
                "Nothing queued: out of the QuickBooks sync's scope (see the setup wizard), or in a conflict "
                "to settle in the sync log."),
                "warning")
        return connection._qbo_notification(self.env._(
            "%s record(s) queued for upload to QuickBooks Online: the result shows on the QuickBooks tab and in "
            "the sync log in a moment.", len(flagged)), "info")
