"""Download (docs/ENGINE.md §3 "Pull"): one CDC request since the watermark (a paged full import
when there is none or it is too old), applied without echo, conflicts per the connection's
policy, merges relinked, the watermark saved with the changes."""

import logging
from datetime import timedelta, timezone

from odoo import fields, models

from ..utils.mappers.common import MappingError
from ..utils.qbo_client import QBOError
from .qbo_binding import parse_qbo_datetime
from .qbo_sync_engine import QBOStop
from .qbo_sync_mixin import NO_PUSH

_logger = logging.getLogger(__name__)

# CDC looks back 30 days at most: older watermarks (or none) mean a full import.
CDC_MAX_DAYS = 29
# Changes committed in QuickBooks just before its reply time may not be in that reply yet.
CDC_OVERLAP = timedelta(minutes=1)
# CDC sends at most 1,000 objects in all, silently cut: at that size, read the entity by query.
CDC_CAP = 1000
# Objects applied between two commits of a full import.
PULL_COMMIT_EVERY = 500


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    def _qbo_pull_run(self, job, full=False):
        """Download and apply the changes of every pulled model, then move the watermark.

        :raises QBOStop: when the run must stop; the watermark then stays where it was
        """
        models_ = self._qbo_sync_models("pull")
        entities = [model._qbo_entity for model in models_]
        watermark = self.qbo_pull_watermark
        oldest = fields.Datetime.now() - timedelta(days=CDC_MAX_DAYS)
        try:
            if full or not watermark or watermark < oldest:
                changes, server_time = self._qbo_pull_everything(job, entities)
            else:
                changes, server_time = self._qbo_request(job, "cdc", entities, watermark - CDC_OVERLAP)
                for entity, rows in changes.items():
                    if len(rows) >= CDC_CAP:
                        changes[entity] = list(self._qbo_request(
                            job, "query_all", entity, "MetaData.LastUpdatedTime >= '%s'" % watermark.isoformat()))
        except QBOError as e:
            raise QBOStop(self.env._("QuickBooks could not be read: %s", e)) from e
        for model in models_:
            self._qbo_pull_apply(job, model, changes.get(model._qbo_entity) or [])
        # QuickBooks' clock, naive UTC as Odoo stores it; saved in the transaction of the last changes.
        self.qbo_pull_watermark = server_time.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)

    def _qbo_pull_everything(self, job, entities):
        """Every object of ``entities`` (active or not), with QuickBooks' time before the first
        page (changes made during the import come again with the next CDC)."""
        server_time = self._qbo_request(job, "cdc", entities, fields.Datetime.now()).server_time
        changes = {entity: list(self._qbo_request(job, "query_all", entity, "Active IN (true, false)"))
                   for entity in entities}
        return changes, server_time

    def _qbo_pull_apply(self, job, model, rows):
        """Apply the QuickBooks objects ``rows`` of ``model``: merges and deletions first, then
        parents before children."""
        Binding = self.env["qbo.binding"].sudo()
        deleted = [row for row in rows if row.get("status") == "Deleted"]
        alive = sorted((row for row in rows if row.get("status") != "Deleted"), key=model._qbo_remote_order)
        for row in deleted:
            self._qbo_pull_deleted(job, model, row)
        ids = [str(row.get("Id")) for row in alive]
        bindings = {b.qbo_id: b for b in Binding.search([
            ("connection_id", "=", self.id), ("qbo_entity", "=", model._qbo_entity), ("qbo_id", "in", ids)])}
        matcher = _LocalMatcher(self, model)
        for count, data in enumerate(alive, 1):
            binding = bindings.get(str(data.get("Id")))
            if binding and binding.qbo_sync_token == data.get("SyncToken"):
                continue  # our own write, or nothing new: no echo, no write
            try:
                with self.env.cr.savepoint():
                    self._qbo_pull_one(job, model, binding, data, matcher)
            except MappingError as e:
                if binding:
                    self._qbo_record_error(job, binding, e)
            except Exception as e:  # pylint: disable=broad-except
                _logger.exception("QuickBooks: applying %s %s failed", model._qbo_entity, data.get("Id"))
                if binding:
                    self._qbo_record_error(job, binding, ValueError(str(e)))
            if count % PULL_COMMIT_EVERY == 0:
                self._qbo_commit()

    def _qbo_pull_one(self, job, model, binding, data, matcher):
        remote = model._qbo_remote_values(data)
        if not binding:
            self._qbo_pull_new(job, model, data, remote, matcher)
            return
        record = binding._qbo_record().with_context(active_test=False).exists()
        if not record:
            binding.unlink()
            return
        current = record._qbo_local_values(self)
        changes = model._qbo_pull_changes(current, remote)
        if binding.state in ("to_push", "conflict") and changes:
            self._qbo_pull_conflict(job, model, binding, record, data, current, changes)
            return
        if changes:
            record.with_context(**{NO_PUSH: True})._qbo_apply_remote_values(self, changes)
        was_pending = binding.state == "to_push"
        binding._qbo_mark_synced(data)
        if was_pending:
            binding.state = "to_push"  # Odoo's own change still has to go up
        if changes:
            self._qbo_log(job, binding, "updated")

    def _qbo_pull_new(self, job, model, data, remote, matcher):
        """An object Odoo has no link to: link the same record (e-mail, then name), else create
        it when in scope; records of other companies are never touched."""
        if remote.get("email") is None and self.skip_customers_without_email:
            job.counts["skipped"] += 1
            return
        record = matcher.pop(remote)
        Binding = self.env["qbo.binding"].sudo()
        if record:
            binding = Binding.create({"connection_id": self.id, "res_model": model._name, "res_id": record.id,
                                      "qbo_entity": model._qbo_entity})
            current = record._qbo_local_values(self)
            changes = {k: v for k, v in model._qbo_pull_changes(current, remote).items() if v not in (None, "")}
            if changes:
                record.with_context(**{NO_PUSH: True})._qbo_apply_remote_values(self, changes)
            binding._qbo_mark_synced(data)
            record._qbo_on_linked(self)
            # What only Odoo has goes up (the first link never clears either side).
            if model._qbo_changed_fields(data, record._qbo_prepare_payload(binding)):
                binding.write({"state": "to_push", "odoo_changed_at": fields.Datetime.now()})
                self._qbo_cron("push")._trigger()
            self._qbo_log(job, binding, "linked", self.env._("Linked to the Odoo record with the same e-mail or name."))
            return
        record = model._qbo_create_from_remote(self, remote)
        if not record:
            job.counts["skipped"] += 1
            return
        binding = Binding.create({"connection_id": self.id, "res_model": model._name, "res_id": record.id,
                                  "qbo_entity": model._qbo_entity})
        binding._qbo_mark_synced(data)
        self._qbo_log(job, binding, "created")

    def _qbo_pull_conflict(self, job, model, binding, record, data, current, changes):
        """Both sides changed since the last sync: apply the connection's policy and keep the
        losing version in the log."""
        policy = self.conflict_policy
        if policy == "last_updated":
            qbo_time = parse_qbo_datetime((data.get("MetaData") or {}).get("LastUpdatedTime"))
            policy = "qbo" if qbo_time and (not binding.odoo_changed_at or qbo_time > binding.odoo_changed_at) \
                else "odoo"
        if policy == "manual":
            binding.write({"state": "conflict", "last_error": self.env._(
                "Changed in Odoo and in QuickBooks: choose a version in the sync log.")})
            self._qbo_log(job, binding, "conflict", self.env._("Changed on both sides; nothing applied."),
                          losing_side="qbo", losing_values=changes, losing_qbo_version=data)
            return
        if policy == "qbo":
            losing = {key: current.get(key) for key in changes}
            record.with_context(**{NO_PUSH: True})._qbo_apply_remote_values(self, changes)
            binding._qbo_mark_synced(data)
            # Odoo's changes to other fields still go up.
            if model._qbo_changed_fields(data, record._qbo_prepare_payload(binding)):
                binding.state = "to_push"
            self._qbo_log(job, binding, "conflict", self.env._("Changed on both sides: QuickBooks' version was kept."),
                          losing_side="odoo", losing_values=losing)
            return
        # Odoo wins: QuickBooks' version becomes the base of the upload, which overwrites it.
        binding.write({"qbo_sync_token": data.get("SyncToken"), "qbo_payload": data, "state": "to_push"})
        self._qbo_cron("push")._trigger()
        self._qbo_log(job, binding, "conflict", self.env._("Changed on both sides: Odoo's version was kept."),
                      losing_side="qbo", losing_values=changes)

    def _qbo_pull_deleted(self, job, model, row):
        """A name-list object only disappears in a merge: relink to the survivor when the webhook
        told which one it is, else put the record in error."""
        Binding = self.env["qbo.binding"].sudo()
        binding = Binding.search([("connection_id", "=", self.id), ("qbo_entity", "=", model._qbo_entity),
                                  ("qbo_id", "=", str(row.get("Id")))], limit=1)
        if not binding:
            return
        merge = self.env["qbo.merge.event"].sudo().search([
            ("connection_id", "=", self.id), ("qbo_entity", "=", model._qbo_entity),
            ("deleted_id", "=", binding.qbo_id)], order="id desc", limit=1)
        if not merge:
            binding.write({"state": "error", "last_error": self.env._("Deleted in QuickBooks.")})
            self._qbo_log(job, binding, "deleted", self.env._("Deleted in QuickBooks."))
            return
        merge.done = True
        survivor = Binding.search([("connection_id", "=", self.id), ("qbo_entity", "=", model._qbo_entity),
                                   ("qbo_id", "=", merge.survivor_id)], limit=1)
        if survivor:
            # Odoo has both: the merged-away record is archived, the survivor's stays linked.
            record = binding._qbo_record().exists()
            message = self.env._("Merged in QuickBooks into %s: archived.", survivor._qbo_record().display_name)
            self._qbo_log(job, binding, "merged", message)
            binding.unlink()
            if record:
                record.with_context(**{NO_PUSH: True}).active = False
            return
        data = self._qbo_request(job, "read", model._qbo_entity, merge.survivor_id)
        binding.write({"qbo_id": merge.survivor_id})
        record = binding._qbo_record()
        changes = model._qbo_pull_changes(record._qbo_local_values(self), model._qbo_remote_values(data))
        if changes:
            record.with_context(**{NO_PUSH: True})._qbo_apply_remote_values(self, changes)
        binding._qbo_mark_synced(data)
        self._qbo_log(job, binding, "merged", self.env._("Merged in QuickBooks: now linked to %s.", merge.survivor_id))


class _LocalMatcher:
    """First-link index of the Odoo records not linked to this connection, built on first use."""

    def __init__(self, connection, model):
        self.connection, self.model, self.index = connection, model, None

    def pop(self, remote):
        if self.index is None:
            self.index = self._build()
        record_id = next((self.index[key] for key in self.model._qbo_match_keys(remote) if key in self.index), None)
        if not record_id:
            return None
        record = self.model.browse(record_id)
        for _record, values in record._qbo_match_values(self.connection):
            for key in self.model._qbo_match_keys(values):
                self.index.pop(key, None)
        return record

    def _build(self):
        connection, model = self.connection, self.model
        linked = connection.env["qbo.binding"].sudo().search([
            ("connection_id", "=", connection.id), ("res_model", "=", model._name)]).mapped("res_id")
        candidates = model.with_context(active_test=False).search(
            [("company_id", "in", (False, connection.company_id.id)), ("id", "not in", linked)], order="id")
        index = {}
        for record, values in candidates._qbo_in_scope(connection, matching=True)._qbo_match_values(connection):
            for key in model._qbo_match_keys(values):
                index.setdefault(key, record.id)
        return index
