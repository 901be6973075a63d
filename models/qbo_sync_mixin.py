from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .qbo_binding import BINDING_STATES

# Context key: set while applying QuickBooks' changes, so that they are not uploaded back.
NO_PUSH = "qbo_no_push"
PUSH_CRON = "quickbooks_online.ir_cron_qbo_push"
PULL_CRON = "quickbooks_online.ir_cron_qbo_pull"
QBO_USER = "quickbooks_online.group_qbo_user"
QBO_MANAGER = "quickbooks_online.group_qbo_manager"


def check_qbo_group(env, group):
    """Check, in a method a client can call over RPC, that the caller is in ``group`` (QBO_USER
    or QBO_MANAGER) before the method does anything as superuser: hiding a button is no check.

    :raises AccessError: when not
    """
    if not env.su and not env.user.has_group(group):
        raise AccessError(env._("This needs the QuickBooks Online %(group)s access right.",
                                group=env.ref(group).sudo().name))


class QBODependencyPending(Exception):
    """The record needs another one uploaded first: it waits, visibly, and is retried."""


class QboSyncMixin(models.AbstractModel):
    """What a model whose records sync (or flag records that sync) needs: its bindings (one per
    connection and QuickBooks entity), the sync state of the current company's binding for badges
    and filters, and ``create``/``write`` that only flag records for upload, through the adapters
    that name the model in ``flagged_by`` (docs/ENGINE.md §1). The entity logic is in the adapters."""

    _name = "qbo.sync.mixin"
    _description = "QuickBooks Online Sync Mixin"

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
    # Binding fields of the current company
    # -----------------------------------------------------------------------------------------
    def _qbo_binding(self, connection, entity=None):
        """Return this record's binding for ``connection`` (and ``entity``; default: any, the
        first), empty when none."""
        self.ensure_one()
        return self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", connection.id), ("res_model", "=", self._name), ("res_id", "=", self.id),
            *([("qbo_entity", "=", entity)] if entity else []),
        ], limit=1)

    @api.depends("qbo_binding_ids.state", "qbo_binding_ids.qbo_id", "qbo_binding_ids.last_sync_at",
                 "qbo_binding_ids.last_error")
    @api.depends_context("company")
    def _compute_qbo_binding_fields(self):
        from .qbo_adapter import is_secondary  # noqa: PLC0415 -- qbo_adapter imports this module

        company = self.env.company
        for record in self:
            # The record's own object first (a credit note's CreditMemo, not its application).
            binding = record.qbo_binding_ids.filtered(lambda b: b.connection_id.company_id == company).sorted(
                lambda b: (is_secondary(b.qbo_entity), b.id))[:1]
            record.qbo_id = binding.qbo_id
            record.qbo_sync_state = binding.state
            record.qbo_last_sync_at = binding.last_sync_at
            record.qbo_last_error = binding.last_error
            record.qbo_url = binding.qbo_id and binding.connection_id._qbo_adapter(binding.qbo_entity).url(binding)

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
            records._qbo_flag_for_push(changed=None)
        return records

    def write(self, vals):
        result = super().write(vals)
        if not self.env.context.get(NO_PUSH):
            self._qbo_flag_for_push(changed=vals.keys())
        return result

    def _qbo_flag_for_push(self, connections=None, changed=None, entities=None):
        """Mark the records whose QuickBooks objects ``self`` changes (the adapters' ``targets``)
        as to upload, for ``connections`` (default: every connection whose direction uploads
        them), creating the missing bindings of the records in scope, and wake the upload cron.
        Records in a conflict stay there (a person decides).

        :param changed: the fields written (None: a new record, or every field)
        :param entities: only through the adapters of these entities (default: all)
        :return: the bindings flagged
        """
        Binding = self.env["qbo.binding"].sudo()
        if connections is None:
            connections = self.env["qbo.connection"].sudo().search([("state", "in", ("connected", "needs_reauth"))])
        flagged, new, now = Binding, [], fields.Datetime.now()
        for connection in connections:
            for adapter in connection._qbo_adapters("push"):
                watched = adapter.flagged_by.get(self._name)
                if watched is None or (changed is not None and watched.isdisjoint(changed)) \
                        or (entities is not None and adapter.entity not in entities):
                    continue
                targets = adapter.targets(self)
                records = adapter.in_scope(targets.filtered(adapter.handles)) if targets else targets
                if not records:
                    continue
                existing = {b.res_id: b for b in Binding.search([
                    ("connection_id", "=", connection.id), ("qbo_entity", "=", adapter.entity),
                    ("res_model", "=", records._name), ("res_id", "in", records.ids)])}
                for record in records:
                    binding = existing.get(record.id)
                    if not binding:
                        new.append({"connection_id": connection.id, "res_model": record._name, "res_id": record.id,
                                    "qbo_entity": adapter.entity, "odoo_changed_at": now})
                    elif binding.state != "conflict":
                        flagged |= binding
        flagged.write({"state": "to_push", "odoo_changed_at": now, "retry_count": 0, "next_retry_at": False})
        flagged |= Binding.create(new)
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

        :raises AccessError: the caller is no QuickBooks manager or cannot read the records (the
            upload sends them as they are: it changes nothing in Odoo)
        :raises UserError: when the company is not connected
        """
        check_qbo_group(self.env, QBO_MANAGER)
        self.check_access("read")
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
