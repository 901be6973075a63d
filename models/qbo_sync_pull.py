"""Download (docs/ENGINE.md §3 "Pull"): one CDC request since the watermark (a paged full import
when there is none or it is too old), applied without echo, conflicts per the connection's
policy, merges relinked, the watermark saved with the changes."""

import logging
from collections import Counter
from datetime import timedelta, timezone

from odoo import fields, models
from odoo.tools import format_list

from ..utils.mappers.common import MappingError
from ..utils.qbo_client import QBOError
from .qbo_binding import parse_qbo_datetime, synced_values
from .qbo_sync_engine import QBOStop
from .qbo_sync_mixin import NO_PUSH
from .qbo_sync_pull_tools import LocalMatcher, ParentLinks, PullLog, RunCache, chunks

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
        connection = self.with_context(qbo_pull_cache=RunCache())
        for model in models_:
            connection._qbo_pull_apply(job, model.with_env(connection.env), changes.get(model._qbo_entity) or [])
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
        parents before children, in chunks (``_qbo_pull_chunk``)."""
        Binding = self.env["qbo.binding"].sudo()
        deleted = [row for row in rows if row.get("status") == "Deleted"]
        alive = sorted((row for row in rows if row.get("status") != "Deleted"), key=model._qbo_remote_order)
        for row in deleted:
            self._qbo_pull_deleted(job, model, row)
        ids = [str(row.get("Id")) for row in alive]
        bindings = {b.qbo_id: b for b in Binding.search([
            ("connection_id", "=", self.id), ("qbo_entity", "=", model._qbo_entity), ("qbo_id", "in", ids)])}
        todo = []
        for data in alive:
            binding = bindings.get(str(data.get("Id")))
            if not (binding and binding.qbo_sync_token == data.get("SyncToken")):
                todo.append((binding, data))  # else our own write, or nothing new: no echo, no write
        matcher = LocalMatcher(self, model)
        released = []
        if hasattr(model, "_qbo_remote_parent_id"):  # an entity with parents (ParentRef)
            todo, released = self._qbo_pull_cycles(job, model, alive, todo, matcher)
        since_commit = 0
        todo = sorted(todo + released, key=lambda item: model._qbo_remote_order(item[1])) if released else todo
        for chunk in chunks(todo, lambda item: model._qbo_remote_order(item[1])):
            self._qbo_pull_chunk(job, model, chunk, matcher)
            since_commit += len(chunk)
            if since_commit >= PULL_COMMIT_EVERY:
                self._qbo_commit()
                since_commit = 0

    def _qbo_pull_cycles(self, job, model, alive, todo, matcher):
        """Take out of ``todo`` the objects that name each other as parent (a ParentRef cycle,
        ``ParentLinks``): each one is put in error with one message naming them all, once (not
        again while they stay as they are), and a new one is first created (or linked) without
        its parent, for the error to show on a record. The rest of ``todo`` applies as usual.

        :return: (the rest of ``todo``, [(binding, stored version)] of the objects whose cycle
            this download ends while they did not change, to be applied as they stand)
        """
        links = ParentLinks(self, model, alive)
        cycles = links.cycles([str(data.get("Id")) for _binding, data in todo])
        was = {}  # qbo_id: message of the cycle it was put in error for
        erring = [binding.qbo_id for binding, _data in todo if binding and binding.state == "error"]
        if erring:
            stored = ParentLinks(self, model)
            for members in set(stored.cycles(erring).values()):
                was.update(dict.fromkeys(members, self._qbo_cycle_message(model, stored, members)))
        for members in set(cycles.values()):
            self._qbo_pull_cycle(job, model, links, members, matcher)
        pending = {str(data.get("Id")) for _binding, data in todo}
        ended = [qbo_id for qbo_id in was if qbo_id not in cycles and qbo_id not in pending]
        released = [(binding, binding.qbo_payload) for binding in self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", self.id), ("qbo_entity", "=", model._qbo_entity), ("qbo_id", "in", ended)])
            if binding.state == "error" and binding.last_error == was[binding.qbo_id] and binding.qbo_payload
        ] if ended else []
        return [item for item in todo if str(item[1].get("Id")) not in cycles], released

    def _qbo_pull_cycle(self, job, model, links, members, matcher):
        """Put the objects ``members`` of one ParentRef cycle in error (see ``_qbo_pull_cycles``)."""
        message = self._qbo_cycle_message(model, links, members)
        Binding = self.env["qbo.binding"].sudo()
        domain = [("connection_id", "=", self.id), ("qbo_entity", "=", model._qbo_entity)]
        bindings = {b.qbo_id: b for b in Binding.search(domain + [("qbo_id", "in", list(members))])}
        for qbo_id in members:
            data, binding = links.objects.get(qbo_id), bindings.get(qbo_id)
            if not binding:
                # QuickBooks' hierarchy field of every name list: without it, a top-level object.
                detached = {key: value for key, value in data.items() if key != "ParentRef"}
                self._qbo_pull_chunk(job, model, [(None, detached)], matcher)
                binding = Binding.search(domain + [("qbo_id", "=", qbo_id)])
                if not binding:
                    continue  # left out (e.g. "skip customers without e-mail"), or it failed: logged
            if data:
                # The version QuickBooks holds: what a fix will be compared with, and no new error
                # while it comes again unchanged (the CDC overlap, a full import).
                binding.write({key: value for key, value in synced_values(data).items()
                               if key in ("qbo_sync_token", "qbo_last_updated", "qbo_payload")})
            if binding.state != "error" or binding.last_error != message:
                self._qbo_record_error(job, binding, ValueError(message))

    def _qbo_cycle_message(self, model, links, members):
        names = ["“%s” (%s)" % (links.name(qbo_id), qbo_id) for qbo_id in members]
        if len(names) == 1:
            return self.env._("QuickBooks %(entity)s %(name)s is its own parent (ParentRef cycle): fix it in "
                              "QuickBooks.", entity=model._qbo_entity, name=names[0])
        return self.env._("QuickBooks %(entity)s %(names)s refer to each other as parent (ParentRef cycle): fix "
                          "it in QuickBooks.", entity=model._qbo_entity, names=format_list(self.env, names))

    def _qbo_pull_chunk(self, job, model, chunk, matcher):
        """Apply ``chunk`` ([(binding or None, object)]) in one savepoint, its new records created
        in one batch. When anything in it fails, it is rolled back and applied again one object
        per savepoint: the bad object ends in its own error (ARCHITECTURE.md §4), the others apply."""
        before = (Counter(job.counts), matcher.mark())
        try:
            with self.env.cr.savepoint():
                self._qbo_pull_rows(job, model, chunk, matcher)
            return
        except Exception:  # pylint: disable=broad-except
            if len(chunk) > 1:
                _logger.info("QuickBooks: a chunk of %s %s objects failed, applied one by one",
                             len(chunk), model._qbo_entity)
            self._qbo_pull_rolled_back(job, matcher, *before)
        for binding, data in chunk:
            before = (Counter(job.counts), matcher.mark())
            try:
                with self.env.cr.savepoint():
                    self._qbo_pull_rows(job, model, [(binding, data)], matcher)
                continue
            except MappingError as e:
                error = e
            except Exception as e:  # pylint: disable=broad-except
                _logger.exception("QuickBooks: applying %s %s failed", model._qbo_entity, data.get("Id"))
                error = ValueError(str(e))
            self._qbo_pull_rolled_back(job, matcher, *before)
            if binding:
                self._qbo_record_error(job, binding, error)

    def _qbo_pull_rolled_back(self, job, matcher, counts, mark):
        """Forget what a rolled-back savepoint undid: its counts, its links, the run's lookups."""
        job.counts.clear()
        job.counts.update(counts)
        matcher.rollback(mark)
        self.env.context["qbo_pull_cache"].clear()

    def _qbo_pull_rows(self, job, model, items, matcher):
        """Apply [(binding or None, object)]: known objects one by one, first links one by one,
        new records in one ``_qbo_create_from_remote_multi``; their log lines in one batch."""
        log = PullLog(self, job)
        new = []
        for binding, data in items:
            remote = model._qbo_remote_values(data)
            if binding:
                self._qbo_pull_known(model, binding, data, remote, log)
            elif remote.get("email") is None and self.skip_customers_without_email:
                job.counts["skipped"] += 1
            else:
                record = matcher.pop(remote)
                if record:
                    self._qbo_pull_link(model, record, data, remote, log)
                else:
                    new.append((data, remote))
        if new:
            records = model._qbo_create_from_remote_multi(self, [remote for _data, remote in new])
            created = [(record, data) for record, (data, _remote) in zip(records, new, strict=True) if record]
            job.counts["skipped"] += len(new) - len(created)
            bindings = self.env["qbo.binding"].sudo().create([
                {"connection_id": self.id, "res_model": model._name, "res_id": record.id,
                 "qbo_entity": model._qbo_entity, **synced_values(data)} for record, data in created])
            for binding in bindings:
                log.add(binding, "created")
        log.flush()

    def _qbo_pull_known(self, model, binding, data, remote, log):
        """A new version of a linked object: apply what QuickBooks changed (or the conflict policy)."""
        record = binding._qbo_record().with_context(active_test=False).exists()
        if not record:
            binding.unlink()
            return
        current = record._qbo_local_values(self)
        changes = model._qbo_pull_changes(current, remote)
        if binding.state in ("to_push", "conflict") and changes:
            self._qbo_pull_conflict(model, binding, record, data, current, changes, log)
            return
        if changes:
            record.with_context(**{NO_PUSH: True})._qbo_apply_remote_values(self, changes)
        was_pending = binding.state == "to_push"
        binding._qbo_mark_synced(data)
        if was_pending:
            binding.state = "to_push"  # Odoo's own change still has to go up
        if changes:
            log.add(binding, "updated")

    def _qbo_pull_link(self, model, record, data, remote, log):
        """First link of an object to the Odoo record with its e-mail or name: QuickBooks' non-empty
        values come down, what only Odoo has goes up (the first link never clears either side)."""
        binding = self.env["qbo.binding"].sudo().create({
            "connection_id": self.id, "res_model": model._name, "res_id": record.id, "qbo_entity": model._qbo_entity})
        current = record._qbo_local_values(self)
        changes = {k: v for k, v in model._qbo_pull_changes(current, remote).items() if v not in (None, "")}
        if changes:
            record.with_context(**{NO_PUSH: True})._qbo_apply_remote_values(self, changes)
        binding._qbo_mark_synced(data)
        record._qbo_on_linked(self)
        if model._qbo_changed_fields(data, record._qbo_prepare_payload(binding)):
            binding.write({"state": "to_push", "odoo_changed_at": fields.Datetime.now()})
            self._qbo_cron("push")._trigger()
        log.add(binding, "linked", self.env._("Linked to the Odoo record with the same e-mail or name."))

    def _qbo_pull_conflict(self, model, binding, record, data, current, changes, log):
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
            log.add(binding, "conflict", self.env._("Changed on both sides; nothing applied."),
                    losing_side="qbo", losing_values=changes, losing_qbo_version=data)
            return
        if policy == "qbo":
            losing = {key: current.get(key) for key in changes}
            record.with_context(**{NO_PUSH: True})._qbo_apply_remote_values(self, changes)
            binding._qbo_mark_synced(data)
            # Odoo's changes to other fields still go up.
            if model._qbo_changed_fields(data, record._qbo_prepare_payload(binding)):
                binding.state = "to_push"
            log.add(binding, "conflict", self.env._("Changed on both sides: QuickBooks' version was kept."),
                    losing_side="odoo", losing_values=losing)
            return
        # Odoo wins: QuickBooks' version becomes the base of the upload, which overwrites it.
        binding.write({"qbo_sync_token": data.get("SyncToken"), "qbo_payload": data, "state": "to_push"})
        self._qbo_cron("push")._trigger()
        log.add(binding, "conflict", self.env._("Changed on both sides: Odoo's version was kept."),
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
