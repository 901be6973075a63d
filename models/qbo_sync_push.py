"""Upload (docs/ENGINE.md §3 "Push"): flagged bindings, adapters in dependency order and what a
record depends on first, creates matched then sent in batches with a committed requestid,
updates as exact sparse deltas on the stored SyncToken."""

import logging
import time
import traceback
import uuid
from datetime import timedelta

from psycopg2 import IntegrityError

from odoo import fields, models

from ..utils.mappers.common import MappingError
from ..utils.qbo_client import BATCH_LIMIT, QBODuplicateError, QBOError, QBOStaleError, QBOTransportError
from .qbo_sync_engine import QBOStop
from .qbo_sync_mixin import QBODependencyPending
from .qbo_sync_pull_tools import PullLog

_logger = logging.getLogger(__name__)

# Bindings mapped and sent together (committed after each batch of 30 in any case).
PUSH_CHUNK = 200
# Seconds a run keeps taking chunks: one first-link read of QuickBooks serves all of them, and
# the run stays well within Odoo's cron time limit (limit_time_real_cron, 120 s by default).
PUSH_TIME_BUDGET = 60
# A record waiting for another one is looked at again after this long (and at every upload).
DEPENDENCY_WAIT_MINUTES = 1
# A binding whose record QuickBooks holds as it is: nothing to send.
UNCHANGED = {"state": "synced", "last_error": False, "retry_count": 0, "next_retry_at": False}
# A record waiting for a change of its own (a draft): looked at again after this long at the latest.
IDLE_WAIT_DAYS = 30
# Records depending on records depending on...: deeper is a loop.
MAX_DEPENDENCY_DEPTH = 20


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    def _qbo_push_domain(self, adapter):
        return [("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity),
                ("state", "in", ("to_push", "waiting")), ("res_id", "!=", False),
                "|", ("next_retry_at", "=", False), ("next_retry_at", "<=", fields.Datetime.now())]

    def _qbo_push_pending(self):
        """Whether any binding of an uploaded entity is due for upload."""
        Binding = self.env["qbo.binding"].sudo()
        return any(Binding.search_count(self._qbo_push_domain(adapter), limit=1)
                   for adapter in self._qbo_adapters("push"))

    def _qbo_push_run(self, job, bindings=None):
        """Upload the flagged bindings (or only ``bindings``) of every uploaded entity, adapters
        in dependency order: chunks of PUSH_CHUNK while the run's time budget lasts, then the cron
        is called again for the rest (_notify_progress). Chunks go by binding id, so a binding is
        taken once per run.

        :raises QBOStop: when the run must stop (per the error matrix)
        """
        Binding = self.env["qbo.binding"].sudo()
        for adapter in self._qbo_adapters("push"):
            adapter.prepare(job)
        if bindings is not None:
            for adapter in self._qbo_adapters("push"):
                self._qbo_push_chunk(job, adapter, bindings.filtered_domain(self._qbo_push_domain(adapter)))
            return
        deadline = time.monotonic() + PUSH_TIME_BUDGET
        done = remaining = 0
        for adapter in self._qbo_adapters("push"):
            domain, last_id = self._qbo_push_domain(adapter), 0
            # The first chunk of a run always goes, so that every run makes progress.
            while not done or time.monotonic() < deadline:
                pending = Binding.search(domain + [("id", ">", last_id)], limit=PUSH_CHUNK, order="id")
                if not pending:
                    break
                self._qbo_push_chunk(job, adapter, pending)
                done, last_id = done + len(pending), pending[-1].id
            remaining += Binding.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    # -----------------------------------------------------------------------------------------
    # Dependencies: what a payload refers to goes first, in the same run, or the record waits
    # -----------------------------------------------------------------------------------------
    def _qbo_push_chunk(self, job, adapter, pending):
        """Upload ``pending`` bindings of ``adapter``: those whose dependencies have a QuickBooks
        id (after uploading the dependencies that can be), then those that depended on them."""
        depth = getattr(job, "push_depth", 0)
        if depth > MAX_DEPENDENCY_DEPTH:
            return
        job.push_depth = depth + 1
        try:
            while pending:
                ready, later = self._qbo_push_ready(job, adapter, pending)
                if ready:
                    self._qbo_push_bindings(job, adapter, ready)
                if not ready or not later:
                    break
                pending = later
        finally:
            job.push_depth = depth

    def _qbo_push_ready(self, job, adapter, pending):
        """Split ``pending`` into the bindings ready to go and those waiting for a binding of
        ``pending`` itself (its parent, say). A dependency elsewhere is uploaded now; one that
        cannot be (out of scope, in error) puts the binding in the visible "waiting" state. A
        binding whose record is gone, or that was never uploaded and is out of scope, is dropped.

        :return: (ready bindings, bindings to upload after the ready ones)
        """
        ready, later = pending.browse(), pending.browse()
        records = adapter.Model.browse(pending.mapped("res_id")).with_context(active_test=False).exists()
        in_scope = adapter.in_scope(records)
        for binding in pending:
            record = binding._qbo_record().with_context(active_test=False).exists()
            if not record or (not binding.qbo_id and not binding.request_id and record not in in_scope):
                # Gone, or never uploaded and out of scope now: nothing to upload, ever, so it
                # must not wait (it gets a binding again when it comes back in scope and changes).
                binding.unlink()
                continue
            blocked, waiting_for = False, None
            for entity, dependency in adapter.dependencies(record):
                dependency_binding = self._qbo_push_dependency(job, entity, dependency, pending)
                if dependency_binding in pending:
                    blocked = True
                elif not dependency_binding.qbo_id:
                    waiting_for = (dependency, dependency_binding)
                    break
            if waiting_for:
                self._qbo_wait(job, binding, *waiting_for)
            elif blocked:
                later |= binding
            else:
                ready |= binding
        return ready, later

    def _qbo_push_dependency(self, job, entity, record, pending):
        """The binding of ``record`` for ``entity``, uploaded first when it is due (flagged now if
        it never was and is in scope); empty when it is not synced at all."""
        adapter = self._qbo_adapter(entity)
        binding = record._qbo_binding(self, entity)
        if binding in pending or binding.qbo_id:
            return binding
        if not binding and adapter.direction() in ("odoo_to_qbo", "both"):
            binding = adapter.flag(record)
        if binding.filtered_domain(self._qbo_push_domain(adapter)) and binding.state == "to_push":
            self._qbo_push_chunk(job, adapter, binding)
        return binding

    def _qbo_wait(self, job, binding, dependency, dependency_binding):
        """Put ``binding`` in the "waiting" state, saying for what and why (retried later)."""
        if not dependency_binding:
            reason = self.env._("it is not synced with QuickBooks (out of the sync's scope or direction)")
        else:
            reason = dependency_binding.last_error or dict(
                dependency_binding._fields["state"].selection).get(dependency_binding.state)
        message = self.env._("Waiting for %(record)s: %(reason)s", record=dependency.display_name, reason=reason)
        self._qbo_wait_for(job, binding, message, timedelta(minutes=DEPENDENCY_WAIT_MINUTES))

    def _qbo_wait_for(self, job, binding, message, delay):
        """Put ``binding`` in the "waiting" state with ``message`` (logged when it is new), looked
        at again after ``delay`` (and whenever its record is flagged again)."""
        if binding.state != "waiting" or binding.last_error != message:
            self._qbo_log(job, binding, "skipped", message)
        binding.write({"state": "waiting", "last_error": message, "next_retry_at": fields.Datetime.now() + delay})

    # -----------------------------------------------------------------------------------------
    # Mapping
    # -----------------------------------------------------------------------------------------
    def _qbo_push_bindings(self, job, adapter, bindings):
        """Map, match and send bindings whose dependencies are in QuickBooks: creates get the
        whole payload, updates the exact delta onto QuickBooks' stored version."""
        creates, updates, voids = [], [], []
        records = self._qbo_records(adapter, bindings)
        for binding in bindings:
            record = records[binding.res_id]
            action, reason = adapter.push_action(record, binding)
            if action == "void":
                voids.append(binding)
                continue
            if action == "done":  # QuickBooks holds it already (e.g. voided on both sides)
                binding.write(UNCHANGED)
                continue
            if action == "wait":
                # Until the record changes again (which flags it): no retry in the meantime.
                self._qbo_wait_for(job, binding, reason, timedelta(days=IDLE_WAIT_DAYS))
                continue
            try:
                with self.env.cr.savepoint():
                    if binding.qbo_id:
                        # Nothing changed (e.g. "Upload all" of downloaded records): no request.
                        change = self._qbo_update_delta(adapter, binding, record)
                    else:
                        adapter.check_dependencies(record, binding)
                        change = adapter.values_payload(adapter.local_values(record), binding)
            except MappingError as e:
                self._qbo_record_error(job, binding, e)
                continue
            except QBODependencyPending as e:
                binding.write({"state": "waiting", "last_error": str(e), "next_retry_at": fields.Datetime.now()
                               + timedelta(minutes=DEPENDENCY_WAIT_MINUTES)})
                continue
            except Exception as e:  # pylint: disable=broad-except
                _logger.exception("QuickBooks: mapping %s failed", record)
                self._qbo_record_error(job, binding, ValueError(traceback.format_exc(limit=3) or str(e)))
                continue
            if not binding.qbo_id:
                creates.append((binding, change))
            elif change:
                updates.append((binding, change))
            else:
                binding.write(UNCHANGED)
        if creates and adapter.match_on_first_link:
            creates = self._qbo_push_match(job, adapter, creates, updates)
        self._qbo_push_creates(job, adapter, creates)
        self._qbo_push_updates(job, adapter, updates)
        for binding in voids:
            self._qbo_send_one(job, adapter, binding, {"Id": binding.qbo_id, "SyncToken": binding.qbo_sync_token},
                               "void", str(uuid.uuid4()))
            self._qbo_commit()

    # -----------------------------------------------------------------------------------------
    # First link: never create what QuickBooks already has
    # -----------------------------------------------------------------------------------------
    def _qbo_push_match(self, job, adapter, creates, updates):
        """Link the records QuickBooks already has (same keys: e.g. e-mail or name) instead of
        creating them; their differences become updates (without clearing what only QuickBooks
        has).

        The index of the objects not linked yet is read once per run (``job.remote_index``) and
        kept up to date here: a linked object leaves it, and the objects created by this run were
        never in it. So every chunk of the run matches against what a fresh read would give,
        apart from objects created in QuickBooks during the run (the same window as a read
        before each chunk has, at most the run's time budget).

        :return: the creates left
        """
        if adapter.entity not in job.remote_index:
            # A create whose reply was lost is in QuickBooks, not linked yet: it must not be
            # another record's match. Replayed first (the run stops if QuickBooks cannot answer).
            in_flight = {binding.id for binding, _payload in creates if binding.request_id}
            self._qbo_resolve_in_flight(job, adapter)  # answered: linked, or in error (never sent fresh)
            creates = [(binding, payload) for binding, payload in creates
                       if binding.id not in in_flight and not binding.qbo_id]
            job.remote_index[adapter.entity] = self._qbo_remote_index(job, adapter)
        index = job.remote_index[adapter.entity]
        choices = self._qbo_link_choices(job, adapter.entity)
        left = []
        for binding, payload in creates:
            if binding.request_id:
                left.append((binding, payload))  # a create in flight: replay it, never match
                continue
            record = binding._qbo_record()
            if record.id in choices["skip_res"]:
                self._qbo_log(job, binding, "skipped", self.env._("Kept out of QuickBooks by the first sync's review."))
                binding.unlink()
                continue
            [(_record, values)] = adapter.match_values(record)
            apart = choices["apart_res"].get(record.id, ())
            data = next((candidate for key in adapter.match_keys(values) for candidate in index.get(key) or ()
                         if str(candidate.get("Id")) not in apart), None)
            if not data:
                left.append((binding, payload))
                continue
            for key in adapter.match_keys(adapter.remote_values(data)):
                # Linked once: the next object with the same key (if any) is the candidate now.
                index[key] = [other for other in index.get(key, ()) if other is not data]
            log = PullLog(self, job)
            pending = self._qbo_first_link(adapter, binding, record, data, log)
            log.flush()
            # The first link never clears what only QuickBooks has.
            delta = pending and {k: v for k, v in self._qbo_update_delta(adapter, binding, record).items()
                                 if v not in ("", None)}
            if delta:
                updates.append((binding, delta))
        return left

    def _qbo_remote_index(self, job, adapter):
        """{match key: [QuickBooks objects not linked yet]}, oldest first (the first one wins)."""
        linked = set(self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity), ("qbo_id", "!=", False),
            ("res_id", "!=", False)]).mapped("qbo_id"))
        index = {}
        for data in self._qbo_request(job, "query_all", adapter.api_entity, adapter.all_where()):
            if data.get("Id") in linked or not adapter.accepts(data):
                continue
            try:
                keys = adapter.match_keys(adapter.remote_values(data))
            except MappingError:
                continue
            for key in keys:
                index.setdefault(key, []).append(data)
        return index

    # -----------------------------------------------------------------------------------------
    # Creates: requestid committed before sending, id committed right after the reply
    # -----------------------------------------------------------------------------------------
    def _qbo_push_creates(self, job, adapter, creates):
        replays = {binding.id for binding, _payload in creates if binding.request_id}
        job.replays |= replays
        groups = {}
        for binding, payload in creates:
            if binding.request_id:
                # A create whose reply was lost: same request (and batch) again, QuickBooks replays.
                groups.setdefault(binding.request_id, []).append((binding, payload))
        fresh = [(b, p) for b, p in creates if not b.request_id]
        for start in range(0, len(fresh), BATCH_LIMIT):
            chunk = fresh[start:start + BATCH_LIMIT]
            request_id = str(uuid.uuid4())
            for binding, _payload in chunk:
                binding.write({"request_id": request_id, "request_in_batch": len(chunk) > 1})
            groups[request_id] = chunk
        self._qbo_commit()  # the request ids are stored before anything is sent
        for request_id, chunk in groups.items():
            if chunk[0][0].request_in_batch:
                self._qbo_send_batch(job, adapter, request_id, [(b, p, "create") for b, p in chunk])
            else:
                for binding, payload in chunk:
                    self._qbo_send_one(job, adapter, binding, payload, "create", request_id)
            for binding, _payload in chunk:
                if binding.id in replays and binding.state == "synced":
                    # QuickBooks replayed its first answer: an Odoo edit made since still goes up.
                    self._qbo_still_pending(adapter, binding, binding._qbo_record())
            self._qbo_commit()

    def _qbo_push_updates(self, job, adapter, updates):
        """Send [(binding, delta)] as sparse updates on the stored SyncToken, batched."""
        items = [(binding, {**delta, "Id": binding.qbo_id, "SyncToken": binding.qbo_sync_token, "sparse": True},
                  "update") for binding, delta in updates]
        if len(items) == 1:
            binding, body, _op = items[0]
            self._qbo_send_one(job, adapter, binding, body, "update", str(uuid.uuid4()))
            self._qbo_commit()
            return
        for start in range(0, len(items), BATCH_LIMIT):
            self._qbo_send_batch(job, adapter, str(uuid.uuid4()), items[start:start + BATCH_LIMIT])
            self._qbo_commit()

    @staticmethod
    def _qbo_records(adapter, bindings):
        """{res_id: record} of ``bindings``, read together (one prefetch), not one by one."""
        return {record.id: record for record in adapter.Model.with_context(active_test=False).browse(
            [binding.res_id for binding in bindings if binding.res_id])}

    def _qbo_send_one(self, job, adapter, binding, body, operation, request_id):
        try:
            data = self._qbo_request(job, operation, adapter.api_entity, body, request_id)
        except QBOStop:
            raise
        except QBOError as e:
            self._qbo_push_failed(job, adapter, binding, body, operation, e, replied=False)
            return
        self._qbo_push_succeeded(job, adapter, binding, data, operation)

    def _qbo_send_batch(self, job, adapter, request_id, items):
        """Send ``items`` [(binding, body, operation)] as one batch; bId = binding id."""
        request = [{"bId": str(b.id), "operation": op, adapter.api_entity: body} for b, body, op in items]
        try:
            results = self._qbo_request(job, "batch", request, request_id)
        except QBOStop:
            raise
        except QBOError as e:
            for binding, body, operation in items:
                self._qbo_push_failed(job, adapter, binding, body, operation, e, replied=False)
            return
        records = self._qbo_records(adapter, [binding for binding, _body, _operation in items])
        for binding, body, operation in items:
            result = results.get(str(binding.id))
            if isinstance(result, QBOError):
                self._qbo_push_failed(job, adapter, binding, body, operation, result, replied=True)
            else:
                self._qbo_push_succeeded(job, adapter, binding, result, operation, records.get(binding.res_id))

    def _qbo_push_succeeded(self, job, adapter, binding, data, operation, record=None):
        # A create sent again after a lost reply is answered with its first version: Odoo's
        # changes since are still to send. Any other answer is to what Odoo holds now.
        replayed = operation == "create" and binding.id in job.replays
        if operation == "create":
            try:
                with self.env.cr.savepoint():
                    binding._qbo_mark_synced(data)
                    binding.flush_recordset()
            except IntegrityError:
                # Another Odoo record is linked to this object already: never a second link, and
                # never a failed run (the unique key would stop every later upload).
                other = self.env["qbo.binding"].sudo().search([
                    ("connection_id", "=", self.id), ("qbo_entity", "=", binding.qbo_entity),
                    ("qbo_id", "=", str(data.get("Id")))], limit=1)
                binding.invalidate_recordset()
                self._qbo_record_error(job, binding, ValueError(self.env._(
                    "QuickBooks answered with the object %(id)s, which is linked to %(other)s already.",
                    id=data.get("Id"), other=other._qbo_record().display_name)))
                binding.request_id = False
                return
        else:
            binding._qbo_mark_synced(data)
        record = record or binding._qbo_record().with_context(active_test=False)
        note = self.env._("Voided in QuickBooks.") if operation == "void" else adapter.push_note(record, data)
        self._qbo_log(job, binding, "created" if operation == "create" else "updated", note or False,
                      record_name=record.display_name or None)
        self._qbo_check_synced(job, adapter, binding, record, data, answered=not replayed)

    def _qbo_resolve_in_flight(self, job, adapter):
        """Replay the creates in flight of ``adapter`` (requestid committed, reply unknown) before a
        download may create anything: QuickBooks answers the first reply again, so the objects
        the download is about to see are linked to their Odoo records, never created twice.

        :raises QBOStop: when some stay unknown (QuickBooks unreachable): the download waits
        """
        domain = [("connection_id", "=", self.id), ("qbo_entity", "=", adapter.entity), ("qbo_id", "=", False),
                  ("request_id", "!=", False)]
        Binding = self.env["qbo.binding"].sudo()
        in_flight = Binding.search(domain)
        if not in_flight:
            return
        creates = []
        for binding in in_flight:
            record = binding._qbo_record().with_context(active_test=False).exists()
            try:
                # QuickBooks replays by requestid whatever the body; the body only matters if the
                # first request never arrived, and then it is the record as it is now.
                payload = adapter.values_payload(adapter.local_values(record), binding) if record else {}
            except (MappingError, QBODependencyPending):
                payload = {}
            creates.append((binding, payload))
        self._qbo_push_creates(job, adapter, creates)
        if Binding.search_count(domain):
            raise QBOStop(self.env._(
                "Uploads whose answer was lost could not be confirmed yet: the download waits for them, so that "
                "nothing is created twice."))

    def _qbo_push_failed(self, job, adapter, binding, body, operation, error, replied):
        """One record's failure: stale → re-read and re-apply once; name taken → next name;
        otherwise the error matrix.

        ``replied``: QuickBooks answered this item (a batch reply): its requestid would only
        replay that answer. Without a reply (timeout, 5xx) a create keeps its requestid, since
        QuickBooks may have created the object: the retry replays instead of duplicating.
        """
        if replied or not isinstance(error, QBOTransportError):
            binding.request_id = False
        try:
            if isinstance(error, QBOStaleError) and operation in ("update", "void"):
                self._qbo_reapply(job, adapter, binding)
            elif isinstance(error, QBODuplicateError) and self._qbo_rename(job, adapter, binding, body, operation):
                return
            else:
                self._qbo_record_error(job, binding, error)
        except QBOStop:
            raise
        except (QBOError, MappingError) as e:
            self._qbo_record_error(job, binding, e)
        except QBODependencyPending as e:
            binding.write({"state": "waiting", "last_error": str(e), "next_retry_at": fields.Datetime.now()
                           + timedelta(minutes=DEPENDENCY_WAIT_MINUTES)})

    def _qbo_reapply(self, job, adapter, binding):
        """5010: QuickBooks has a newer version. Merge it into Odoo as a download would (what
        only QuickBooks changed comes down, a field changed on both sides follows the conflict
        policy and its losing value is logged), then send what Odoo still has to say, once, on
        the new SyncToken: the delta, or the void of a document cancelled in Odoo (nothing, when
        the merge itself cancelled it: voided in QuickBooks).

        :raises QBOError: when the second attempt fails too
        """
        data = self._qbo_request(job, "read", adapter.api_entity, binding.qbo_id)
        record = binding._qbo_record()
        log = PullLog(self, job)
        pending = self._qbo_merge_remote(adapter, binding, record, data, log)
        log.flush()
        if not pending:
            return
        action, reason = adapter.push_action(record, binding)
        if action == "void":
            data = self._qbo_request(job, "void", adapter.api_entity,
                                     {"Id": binding.qbo_id, "SyncToken": data["SyncToken"]}, str(uuid.uuid4()))
            self._qbo_push_succeeded(job, adapter, binding, data, "void")
            return
        if action in ("done", "wait"):  # e.g. voided in QuickBooks and so cancelled in Odoo by the merge
            binding.write({"state": "synced" if action == "done" else "waiting", "last_error": reason or False})
            return
        delta = self._qbo_update_delta(adapter, binding, record)
        if not delta:
            binding.write({"state": "synced"})
            return
        data = self._qbo_request(job, "update", adapter.api_entity,
                                 {**delta, "Id": binding.qbo_id, "SyncToken": data["SyncToken"], "sparse": True},
                                 str(uuid.uuid4()))
        self._qbo_push_succeeded(job, adapter, binding, data, "update")

    def _qbo_rename(self, job, adapter, binding, body, operation):
        """6240: the name is taken (maybe by a vendor): send again with the adapter's next name
        ("Name (2)", "Name (3)"...). False when the adapter has none to offer."""
        record = binding._qbo_record()
        fragment = adapter.rename_after_duplicate(record, binding)
        if not fragment:
            return False
        if operation == "create":
            binding.request_id = str(uuid.uuid4())
            self._qbo_commit()
            self._qbo_send_one(job, adapter, binding, {**body, **fragment}, "create", binding.request_id)
        else:
            self._qbo_send_one(job, adapter, binding, {"Id": binding.qbo_id, "SyncToken": binding.qbo_sync_token,
                                                       "sparse": True, **fragment}, "update", str(uuid.uuid4()))
        return True
