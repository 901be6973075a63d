"""Download (docs/ENGINE.md §4 "Pull"): one CDC request since the watermark (a paged full import,
applied page by page, when there is none or it is too old), applied without echo, references
fetched first, conflicts merged three ways, what cannot be applied parked (never dropped), the
watermark saved with the changes."""

import logging
from collections import Counter
from datetime import timedelta, timezone

from odoo import fields, models
from odoo.tools import SQL, format_list

from ..utils.mappers.common import MappingError
from ..utils.qbo_client import QBOError, qbo_value
from .qbo_adapter import NAME_LIST, TRANSACTION
from .qbo_binding import synced_values
from .qbo_sync_engine import QBOStop
from .qbo_sync_mixin import NO_PUSH
from .qbo_sync_pull_tools import LocalMatcher, ParentLinks, PullLog, RunCache, chunks

_logger = logging.getLogger(__name__)

# CDC looks back 30 days at most: older watermarks (or none) mean a full import.
CDC_MAX_DAYS = 29
# Changes committed in QuickBooks just before its reply time may not be in that reply yet.
CDC_OVERLAP = timedelta(minutes=1)
# CDC sends at most 1,000 objects per response, silently cut (QBO_API.md): at that size, ask per
# entity, and read an entity that still reaches it by query.
CDC_CAP = 1000
# Objects of a page of a full import (QuickBooks' largest page), applied before the next is read.
PAGE_SIZE = 1000
# Referenced objects read in one query (Id IN (...)).
REFERENCE_BATCH = 100


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    def _qbo_pull_run(self, job, full=False):
        """Download and apply the changes of every pulled entity, retry what was parked, then
        move the watermark. Creates in flight are resolved first (``_qbo_resolve_in_flight``):
        a download never creates the twin of an upload whose reply was lost.

        :raises QBOStop: when the run must stop; the watermark then stays where it was
        """
        connection = self.with_context(qbo_pull_cache=RunCache())
        for adapter in connection._qbo_adapters("push"):
            connection._qbo_resolve_in_flight(job, adapter)
        adapters = connection._qbo_adapters("pull")
        for adapter in adapters:
            adapter.prepare(job)
        entities = list(dict.fromkeys(adapter.api_entity for adapter in adapters))
        watermark = self.qbo_pull_watermark
        try:
            if full or not watermark or watermark < fields.Datetime.now() - timedelta(days=CDC_MAX_DAYS):
                # QuickBooks' time before the first page: what changes during the import comes
                # again with the next CDC.
                server_time = self._qbo_request(job, "cdc", entities, fields.Datetime.now()).server_time
                for adapter in adapters:
                    seen = set()
                    for page in connection._qbo_pages(job, adapter.api_entity, adapter.full_import_where()):
                        seen.update(str(row.get("Id")) for row in page)
                        connection._qbo_pull_apply(job, adapter, page)
                        # A page applied is kept, and released from the ORM cache: memory and
                        # work bounded by a page, whatever the number of objects.
                        self._qbo_commit(release=True)
                    if adapter.full_import_where() == adapter.all_where():
                        connection._qbo_pull_vanished(job, adapter, seen)
            else:
                changes, server_time = connection._qbo_cdc(job, adapters, watermark - CDC_OVERLAP)
                for adapter in adapters:
                    connection._qbo_pull_apply(job, adapter, changes.get(adapter.entity) or [])
        except QBOError as e:
            raise QBOStop(self.env._("QuickBooks could not be read: %s", e)) from e
        for adapter in adapters:
            connection._qbo_pull_parked(job, adapter)
        # QuickBooks' clock, naive UTC as Odoo stores it; saved in the transaction of the last
        # changes. Nothing it passes is lost: every object is applied or parked with its payload.
        self.qbo_pull_watermark = server_time.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)

    def _qbo_pull_vanished(self, job, adapter, seen):
        """After a full import of every object of ``adapter``: a linked object it did not see is
        gone from QuickBooks (merged away: CDC alone says so, and only for 30 days), and is
        handled as a deletion (the merge event relinks or archives).

        The linked ids are read in SQL, without records: bindings read by the ORM would come
        with their stored QuickBooks objects, 700 MB for 100,000 customers."""
        self.env["qbo.binding"].flush_model(["connection_id", "qbo_entity", "qbo_id", "res_id"])
        self.env.cr.execute(SQL(
            "SELECT qbo_id FROM qbo_binding WHERE connection_id = %s AND qbo_entity = %s "
            "AND COALESCE(qbo_id, '') != '' AND COALESCE(res_id, 0) != 0 ORDER BY id", self.id, adapter.entity))
        vanished = [qbo_id for qbo_id, in self.env.cr.fetchall() if qbo_id not in seen]
        for qbo_id in vanished:
            self._qbo_pull_isolated(job, adapter, {"Id": qbo_id, "status": "Deleted"}, self._qbo_pull_deleted)

    def _qbo_pages(self, job, entity, where):
        """Yield the objects of ``entity`` matching ``where`` a page at a time."""
        start = 1
        while True:
            page = self._qbo_request(job, "query_page", entity, where, start, PAGE_SIZE)
            if page:
                yield page
            if len(page) < PAGE_SIZE:
                return
            start += PAGE_SIZE

    def _qbo_cdc(self, job, adapters, since):
        """{adapter's entity: objects changed since ``since``} and QuickBooks' time, in one CDC
        request when the reply stays under QuickBooks' cap of 1,000 objects per response; else one
        request per API entity, and an entity still at the cap read by query (its deletions then
        come with the next CDC or full import). The time is the first reply's: the earliest, so
        nothing is skipped. Adapters sharing an API entity get the objects they accept."""
        kinds = {adapter.api_entity: adapter.kind for adapter in adapters}
        entities = list(kinds)
        changes, server_time = self._qbo_request(job, "cdc", entities, since)
        if sum(len(rows) for rows in changes.values()) >= CDC_CAP:
            for entity in entities:
                rows = changes.get(entity) or []
                if len(entities) > 1:
                    rows = self._qbo_request(job, "cdc", [entity], since).changes[entity]
                if len(rows) >= CDC_CAP:
                    rows = [row for page in self._qbo_pages(job, entity, self._qbo_changed_since_where(
                        kinds[entity], since)) for row in page]
                changes[entity] = rows
        return {adapter.entity: self._qbo_accepted(adapter, changes.get(adapter.api_entity) or [])
                for adapter in adapters}, server_time

    @staticmethod
    def _qbo_accepted(adapter, rows):
        """The objects of ``rows`` (of ``adapter.api_entity``) that are ``adapter``'s; deletions all."""
        return [row for row in rows if row.get("status") == "Deleted" or adapter.accepts(row)]

    @staticmethod
    def _qbo_changed_since_where(kind, since):
        """The query of what changed since ``since`` (naive UTC, sent with its offset, which
        QuickBooks would otherwise read in the company's time zone), inactive objects included."""
        where = "MetaData.LastUpdatedTime >= %s" % qbo_value(since.replace(tzinfo=timezone.utc))
        return where + " AND Active IN (true, false)" if kind == NAME_LIST else where

    def _qbo_pull_apply(self, job, adapter, rows):
        """Apply the QuickBooks objects ``rows`` of ``adapter``: deletions and merges first (each
        on its own), then the references they lack, then parents before children, in chunks."""
        Binding = self.env["qbo.binding"].sudo()
        rows = self._qbo_accepted(adapter, rows)  # a page of a full import holds other adapters' too
        alive = [row for row in rows if row.get("status") != "Deleted"]
        for row in rows:
            if row.get("status") == "Deleted":
                self._qbo_pull_isolated(job, adapter, row, self._qbo_pull_deleted)
        ids = [str(row.get("Id")) for row in alive]
        bindings = {b.qbo_id: b for b in Binding.search([
            ("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity), ("qbo_id", "in", ids)])}
        todo = []
        for data in alive:
            binding = bindings.get(str(data.get("Id")))
            if not (binding and binding.qbo_sync_token == data.get("SyncToken")):
                todo.append((binding, data))  # else our own write, or nothing new: no echo, no write
        self._qbo_pull_references(job, adapter, [data for _binding, data in todo])
        matcher = LocalMatcher(self, adapter)
        released = []
        if adapter.hierarchy_field:
            todo, released = self._qbo_pull_cycles(job, adapter, alive, todo, matcher)
        todo = self._qbo_parents_first(adapter, todo + released)
        for chunk in chunks(todo, lambda item: item[2]):
            self._qbo_pull_chunk(job, adapter, [item[:2] for item in chunk], matcher)

    def _qbo_parents_first(self, adapter, todo):
        """[(binding, object, level)] of ``todo``, sorted so that an object comes after the object
        of the same entity it hangs under when both are in ``todo`` (no loop is left: cycles were
        taken out)."""
        by_id = {str(data.get("Id")): data for _binding, data in todo}
        levels = {}

        def level(qbo_id, seen=()):
            if qbo_id not in levels:
                parent = adapter.parent_reference(by_id[qbo_id])
                levels[qbo_id] = 0 if parent not in by_id or parent in seen else 1 + level(parent, (*seen, qbo_id))
            return levels[qbo_id]

        items = [(binding, data, level(str(data.get("Id")))) for binding, data in todo]
        return sorted(items, key=lambda item: item[2])

    def _qbo_pull_references(self, job, adapter, rows):
        """Fetch the objects ``rows`` refer to that Odoo does not have (``Id IN (...)``, batched)
        and apply them through their adapters first; what stays missing makes the referring
        object wait (parked by ``_qbo_pull_rows``)."""
        wanted = {}
        here = {str(row.get("Id")) for row in rows}
        for row in rows:
            for entity, qbo_id in adapter.references(row):
                if not (entity == adapter.entity and str(qbo_id) in here):
                    wanted.setdefault(entity, set()).add(str(qbo_id))
        visited = job.__dict__.setdefault("fetched_references", set())
        pulled = self._qbo_adapters("pull")
        for entity, ids in wanted.items():
            target = next((a for a in pulled if a.entity == entity), None)
            if target is None:
                continue
            # An object of the API entity linked through any adapter is known (an Item's parent
            # may be a category or another item), and what is read goes to the adapter accepting it.
            siblings = [a for a in pulled if a.api_entity == target.api_entity]
            known = set(self.env["qbo.binding"].sudo().search([
                ("connection_id", "=", self.id), ("qbo_entity", "in", [a.entity for a in siblings]),
                ("qbo_id", "in", list(ids)), ("res_id", "!=", False)]).mapped("qbo_id"))
            missing = sorted(ids - known - {id_ for e, id_ in visited if e == target.api_entity})
            if not missing:
                continue
            visited.update((target.api_entity, id_) for id_ in missing)
            for start in range(0, len(missing), REFERENCE_BATCH):
                batch = missing[start:start + REFERENCE_BATCH]
                try:
                    fetched = self._qbo_request(job, "query_page", target.api_entity, "Id IN %s" % qbo_value(batch),
                                                1, PAGE_SIZE)
                except QBOError as e:
                    # The referring objects wait, parked, and are retried by the next download.
                    _logger.info("QuickBooks: %s referred to could not be read: %s", entity, e)
                    visited.difference_update((target.api_entity, id_) for id_ in batch)
                    continue
                for sibling in siblings:
                    rows = self._qbo_accepted(sibling, fetched)
                    if rows:
                        self._qbo_pull_apply(job, sibling, rows)

    def _qbo_pull_cycles(self, job, adapter, alive, todo, matcher):
        """Take out of ``todo`` the objects that name each other as parent (a ParentRef cycle,
        ``ParentLinks``): each one is put in error with one message naming them all, once (not
        again while they stay as they are), and a new one is first created (or linked) without
        its parent, for the error to show on a record. The rest of ``todo`` applies as usual.

        :return: (the rest of ``todo``, [(binding, stored version)] of the objects whose cycle
            this download ends while they did not change, to be applied as they stand)
        """
        links = ParentLinks(self, adapter, alive)
        cycles = links.cycles([str(data.get("Id")) for _binding, data in todo])
        was = {}  # qbo_id: message of the cycle it was put in error for
        erring = [binding.qbo_id for binding, _data in todo if binding and binding.state == "error"]
        if erring:
            stored = ParentLinks(self, adapter)
            for members in set(stored.cycles(erring).values()):
                was.update(dict.fromkeys(members, self._qbo_cycle_message(adapter, stored, members)))
        for members in set(cycles.values()):
            self._qbo_pull_cycle(job, adapter, links, members, matcher)
        pending = {str(data.get("Id")) for _binding, data in todo}
        ended = [qbo_id for qbo_id in was if qbo_id not in cycles and qbo_id not in pending]
        released = [(binding, binding.qbo_payload) for binding in self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity), ("qbo_id", "in", ended)])
            if binding.state == "error" and binding.last_error == was[binding.qbo_id] and binding.qbo_payload
        ] if ended else []
        return [item for item in todo if str(item[1].get("Id")) not in cycles], released

    def _qbo_pull_cycle(self, job, adapter, links, members, matcher):
        """Put the objects ``members`` of one ParentRef cycle in error (see ``_qbo_pull_cycles``)."""
        message = self._qbo_cycle_message(adapter, links, members)
        Binding = self.env["qbo.binding"].sudo()
        domain = [("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity)]
        bindings = {b.qbo_id: b for b in Binding.search(domain + [("qbo_id", "in", list(members))])}
        for qbo_id in members:
            data, binding = links.objects.get(qbo_id), bindings.get(qbo_id)
            if not binding:
                # Without its hierarchy field, a top-level object.
                detached = {key: value for key, value in data.items() if key != adapter.hierarchy_field}
                self._qbo_pull_chunk(job, adapter, [(None, detached)], matcher)
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

    def _qbo_cycle_message(self, adapter, links, members):
        names = ["“%s” (%s)" % (links.name(qbo_id), qbo_id) for qbo_id in members]
        if len(names) == 1:
            return self.env._("QuickBooks %(entity)s %(name)s is its own parent (%(field)s cycle): fix it in "
                              "QuickBooks.", entity=adapter.entity, name=names[0], field=adapter.hierarchy_field)
        return self.env._("QuickBooks %(entity)s %(names)s refer to each other as parent (%(field)s cycle): fix "
                          "it in QuickBooks.", entity=adapter.entity, names=format_list(self.env, names),
                          field=adapter.hierarchy_field)

    def _qbo_pull_chunk(self, job, adapter, chunk, matcher):
        """Apply ``chunk`` ([(binding or None, object)]) in one savepoint, its new records created
        in one batch. When anything in it fails, it is rolled back and applied again one object
        per savepoint: the bad object ends in its own error, parked with its payload when Odoo
        has no record for it yet (ARCHITECTURE.md §4); the others apply."""
        before = (Counter(job.counts), matcher.mark())
        try:
            with self.env.cr.savepoint():
                self._qbo_pull_rows(job, adapter, chunk, matcher)
            return
        except Exception:  # pylint: disable=broad-except
            if len(chunk) > 1:
                _logger.info("QuickBooks: a chunk of %s %s objects failed, applied one by one",
                             len(chunk), adapter.entity)
            self._qbo_pull_rolled_back(job, matcher, *before)
        for binding, data in chunk:
            before = (Counter(job.counts), matcher.mark())
            try:
                with self.env.cr.savepoint():
                    self._qbo_pull_rows(job, adapter, [(binding, data)], matcher)
                continue
            except MappingError as e:
                error = e
            except Exception as e:  # pylint: disable=broad-except
                _logger.exception("QuickBooks: applying %s %s failed", adapter.entity, data.get("Id"))
                error = ValueError(str(e))
            self._qbo_pull_rolled_back(job, matcher, *before)
            self._qbo_record_error(job, binding or self._qbo_park(adapter, data, "error"), error)

    def _qbo_pull_rolled_back(self, job, matcher, counts, mark):
        """Forget what a rolled-back savepoint undid: its counts, its links, the run's lookups."""
        job.counts.clear()
        job.counts.update(counts)
        matcher.rollback(mark)
        self.env.context["qbo_pull_cache"].clear()

    def _qbo_park(self, adapter, data, state, message=False):
        """The binding of a QuickBooks object Odoo has no record for yet: kept with its payload
        (never dropped), retried by later downloads (``_qbo_pull_parked``)."""
        Binding = self.env["qbo.binding"].sudo()
        values = {**synced_values(data), "state": state, "last_error": message, "res_model": adapter.model}
        binding = Binding.search([("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity),
                                  ("qbo_id", "=", str(data.get("Id")))], limit=1)
        if binding:
            binding.write(values)
            return binding
        return Binding.create({"connection_id": self.id, "qbo_entity": adapter.entity, **values})

    def _qbo_pull_parked(self, job, adapter):
        """Apply again the objects parked while waiting (for an object they refer to): their
        stored payload, as if new. Those parked in error wait for a change in QuickBooks or a
        Retry (which makes them wait again): retrying them every run would fail the same way."""
        parked = self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity), ("res_id", "=", False),
            ("state", "=", "waiting"), ("qbo_payload", "!=", False)])
        if parked:
            todo = [(binding, binding.qbo_payload) for binding in parked]
            self._qbo_pull_references(job, adapter, [data for _binding, data in todo])
            matcher = LocalMatcher(self, adapter)
            for chunk in chunks(self._qbo_parents_first(adapter, todo), lambda item: item[2]):
                self._qbo_pull_chunk(job, adapter, [item[:2] for item in chunk], matcher)

    def _qbo_pull_rows(self, job, adapter, items, matcher):
        """Apply [(binding or None, object)]: known objects one by one, first links one by one,
        new records in one ``create_from_remote``; their log lines in one batch. An object whose
        record cannot be created yet waits, parked."""
        log = PullLog(self, job)
        new = []
        choices = self._qbo_link_choices(job, adapter.entity)
        for binding, data in items:
            remote = adapter.remote_values(data)
            if binding and binding.res_id:
                self._qbo_pull_known(adapter, binding, data, log)
            elif adapter.skip_remote(remote) or str(data.get("Id")) in choices["skip_qbo"]:
                job.counts["skipped"] += 1
            else:
                apart = choices["apart"].get(str(data.get("Id")), ())
                record = matcher.pop(remote, apart) if adapter.match_on_first_link else None
                if record:
                    self._qbo_pull_link(adapter, record, binding, data, log)
                else:
                    new.append((binding, data, remote))
        if new:
            records = adapter.create_from_remote([remote for _binding, _data, remote in new])
            Binding = self.env["qbo.binding"].sudo()
            created, applied = [], []  # applied: (binding, record, object) to compare once bound
            for record, (binding, data, _remote) in zip(records, new, strict=True):
                if not record:
                    binding = self._qbo_park(adapter, data, "waiting", self.env._(
                        "Waiting for the QuickBooks objects it refers to: retried with every download."))
                    log.add(binding, "skipped", binding.last_error)
                elif binding:
                    binding.write({"res_id": record.id, **synced_values(data)})
                    log.add(binding, "created")
                    applied.append((binding, record, data))
                else:
                    created.append((record, data))
            bindings = Binding.create([
                {"connection_id": self.id, "res_model": adapter.model, "res_id": record.id,
                 "qbo_entity": adapter.entity, **synced_values(data)} for record, data in created])
            for binding, (record, data) in zip(bindings, created, strict=True):
                log.add(binding, "created")
                applied.append((binding, record, data))
            for binding, record, data in applied:
                self._qbo_check_synced(job, adapter, binding, record, data)
        log.flush()

    def _qbo_pull_known(self, adapter, binding, data, log):
        """A new version of a linked object: merged three ways (``_qbo_merge_remote``)."""
        record = binding._qbo_record().with_context(active_test=False).exists()
        if not record:
            binding.unlink()
            return
        self._qbo_merge_remote(adapter, binding, record, data, log)
        if binding.state == "synced":
            self._qbo_check_synced(log.job, adapter, binding, record, data)

    def _qbo_pull_link(self, adapter, record, binding, data, log):
        """First link of an object to the Odoo record with the same keys (its binding, if it was
        waiting for its first upload, is the one used): ``_qbo_first_link``."""
        binding = binding or record._qbo_binding(self, adapter.entity)
        values = {"res_model": adapter.model, "res_id": record.id}
        if binding:
            binding.write(values)
        else:
            binding = self.env["qbo.binding"].sudo().create(
                {"connection_id": self.id, "qbo_entity": adapter.entity, **values})
        self._qbo_first_link(adapter, binding, record, data, log)

    def _qbo_pull_isolated(self, job, adapter, row, apply):
        """``apply(job, adapter, row)`` in its own savepoint: a failure (QuickBooks unreachable
        while reading a merge's survivor, say) puts that object's binding in error, nothing else."""
        try:
            with self.env.cr.savepoint():
                apply(job, adapter, row)
        except QBOStop:
            raise
        except Exception as e:  # pylint: disable=broad-except
            _logger.warning("QuickBooks: applying %s %s failed: %s", adapter.entity, row.get("Id"), e)
            binding = self.env["qbo.binding"].sudo().search([
                ("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity),
                ("qbo_id", "=", str(row.get("Id")))], limit=1)
            if binding:
                self._qbo_record_error(job, binding, e)

    def _qbo_pull_deleted(self, job, adapter, row):
        """An object deleted in QuickBooks. A name-list object only disappears in a merge: the
        binding follows the survivor when the webhook told which one it is (or the record is
        archived when Odoo has the survivor too); otherwise the record is in error."""
        Binding = self.env["qbo.binding"].sudo()
        domain = [("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity)]
        binding = Binding.search(domain + [("qbo_id", "=", str(row.get("Id")))], limit=1)
        if not binding:
            return
        if adapter.kind == TRANSACTION:
            # Transactions are deleted for good: the record follows (a cancelled invoice), or
            # the adapter refuses (it raises: the binding shows why) and nothing changes.
            record = binding._qbo_record().exists()
            message = adapter.remote_deleted(record.with_context(**{NO_PUSH: True})) if record else None
            self._qbo_log(job, binding, "deleted", message or self.env._("Deleted in QuickBooks."))
            binding.unlink()
            return
        merge = self.env["qbo.merge.event"].sudo().search([  # webhooks name the API's entity
            ("connection_id", "=", self.id), ("qbo_entity", "=", adapter.api_entity),
            ("deleted_id", "=", binding.qbo_id)], order="id desc", limit=1)
        if not merge or not binding.res_id:
            binding.write({"state": "error", "last_error": self.env._("Deleted in QuickBooks.")})
            self._qbo_log(job, binding, "deleted", self.env._("Deleted in QuickBooks."))
            return
        merge.done = True
        survivor = Binding.search(domain + [("qbo_id", "=", merge.survivor_id), ("res_id", "!=", False)], limit=1)
        if survivor:
            # Odoo has both: the merged-away record is archived, the survivor's stays linked.
            record = binding._qbo_record().exists()
            message = self.env._("Merged in QuickBooks into %s: archived.", survivor._qbo_record().display_name)
            self._qbo_log(job, binding, "merged", message)
            binding.unlink()
            if record:
                adapter.archive(record.with_context(**{NO_PUSH: True}))
            return
        data = self._qbo_request(job, "read", adapter.api_entity, merge.survivor_id)
        Binding.search(domain + [("qbo_id", "=", merge.survivor_id)]).unlink()  # parked, if it was
        binding.write({"qbo_id": merge.survivor_id})
        record = binding._qbo_record()
        changes = adapter.pull_changes(adapter.local_values(record), adapter.remote_values(data))
        if changes:
            adapter.apply_remote_values(record.with_context(**{NO_PUSH: True}), changes)
        binding._qbo_mark_synced(data)
        self._qbo_log(job, binding, "merged", self.env._("Merged in QuickBooks: now linked to %s.", merge.survivor_id))
