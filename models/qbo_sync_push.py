"""Upload (docs/ENGINE.md §3 "Push"): flagged bindings, in dependency order, creates matched
first then sent in batches with a committed requestid, sparse updates with the SyncToken."""

import logging
import time
import traceback
import uuid
from datetime import timedelta

from odoo import fields, models

from ..utils.mappers.common import MappingError
from ..utils.qbo_client import BATCH_LIMIT, QBODuplicateError, QBOError, QBOStaleError, QBOTransportError
from .qbo_sync_engine import QBOStop
from .qbo_sync_mixin import NO_PUSH, QBODependencyPending

_logger = logging.getLogger(__name__)

# Bindings mapped and sent together (committed after each batch of 30 in any case).
PUSH_CHUNK = 200
# Seconds a run keeps taking chunks: one first-link read of QuickBooks serves all of them, and
# the run stays well within Odoo's cron time limit (limit_time_real_cron, 120 s by default).
PUSH_TIME_BUDGET = 60
# 6240 (name taken by a customer, vendor or employee): "Name (2)" ... up to this attempt.
MAX_DISAMBIGUATION = 9
DEPENDENCY_WAIT_MINUTES = 1


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    def _qbo_push_domain(self, model):
        return [("connection_id", "=", self.id), ("res_model", "=", model._name), ("state", "=", "to_push"),
                "|", ("next_retry_at", "=", False), ("next_retry_at", "<=", fields.Datetime.now())]

    def _qbo_push_pending(self):
        """Whether any binding of a pushed model is due for upload."""
        Binding = self.env["qbo.binding"].sudo()
        return any(Binding.search_count(self._qbo_push_domain(model), limit=1)
                   for model in self._qbo_sync_models("push"))

    def _qbo_push_run(self, job, bindings=None):
        """Upload the flagged bindings (or only ``bindings``) of every pushed model: chunks of
        PUSH_CHUNK while the run's time budget lasts, then the cron is called again for the rest
        (_notify_progress). Chunks go by binding id, so a binding is taken once per run.

        :raises QBOStop: when the run must stop (per the error matrix)
        """
        Binding = self.env["qbo.binding"].sudo()
        if bindings is not None:
            for model in self._qbo_sync_models("push"):
                self._qbo_push_chunk(job, model, bindings.filtered_domain(self._qbo_push_domain(model)))
            return
        deadline = time.monotonic() + PUSH_TIME_BUDGET
        done = remaining = 0
        for model in self._qbo_sync_models("push"):
            domain, last_id = self._qbo_push_domain(model), 0
            # The first chunk of a run always goes, so that every run makes progress.
            while not done or time.monotonic() < deadline:
                pending = Binding.search(domain + [("id", ">", last_id)], limit=PUSH_CHUNK, order="id")
                if not pending:
                    break
                self._qbo_push_chunk(job, model, pending)
                done, last_id = done + len(pending), pending[-1].id
            remaining += Binding.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _qbo_push_chunk(self, job, model, pending):
        """Upload ``pending`` bindings of ``model``, a dependency level at a time (parents first)."""
        by_depth = {}
        for binding in pending:
            depth = binding._qbo_record().with_context(active_test=False).exists()._qbo_depth()
            by_depth.setdefault(depth, []).append(binding.id)
        for depth in sorted(by_depth):
            self._qbo_push_bindings(job, model, pending.browse(by_depth[depth]))

    def _qbo_push_bindings(self, job, model, bindings):
        """Map, match and send one dependency level of bindings."""
        creates, updates = [], []
        records = model.browse(bindings.mapped("res_id")).with_context(active_test=False).exists()
        in_scope = records._qbo_in_scope(self)
        for binding in bindings:
            record = binding._qbo_record().with_context(active_test=False).exists()
            if not record or (not binding.qbo_id and not binding.request_id and record not in in_scope):
                # Gone, or never uploaded and out of scope now (e.g. its parent is): nothing to
                # upload, ever, so it must not wait in to_push (it gets a binding again when it
                # comes back in scope and changes).
                binding.unlink()
                continue
            if binding.qbo_id and self._qbo_push_unchanged(model, record, binding):
                # E.g. "Upload all" of downloaded partners nobody edited: QuickBooks already
                # holds them; no request, and no mapping that could refuse what QuickBooks sent.
                binding.write({"state": "synced", "last_error": False, "retry_count": 0})
                continue
            try:
                with self.env.cr.savepoint():
                    payload = record._qbo_prepare_payload(binding)
            except MappingError as e:
                self._qbo_record_error(job, binding, e)
                continue
            except QBODependencyPending as e:
                binding.write({"last_error": str(e), "next_retry_at": fields.Datetime.now() + timedelta(
                    minutes=DEPENDENCY_WAIT_MINUTES)})
                continue
            except Exception as e:  # pylint: disable=broad-except
                _logger.exception("QuickBooks: mapping %s failed", record)
                self._qbo_record_error(job, binding, ValueError(traceback.format_exc(limit=3) or str(e)))
                continue
            (updates if binding.qbo_id else creates).append((binding, payload))
        if creates:
            creates = self._qbo_push_match(job, model, creates, updates)
        self._qbo_push_creates(job, model, creates)
        self._qbo_push_updates(job, model, updates)

    def _qbo_push_unchanged(self, model, record, binding):
        """Whether the record holds exactly what QuickBooks' stored version maps to, compared
        both ways: nothing a download would change, and nothing Odoo has that QuickBooks lacks
        (a download keeps the first of QuickBooks' e-mails, so "a" against "a, b" is unchanged,
        while an address added in Odoo, "a, b" against "a", is a change)."""
        if not binding.qbo_payload:
            return False
        try:
            current, remote = record._qbo_local_values(self), model._qbo_remote_values(binding.qbo_payload)
        except MappingError:
            return False
        return not model._qbo_pull_changes(current, remote) and not model._qbo_pull_changes(remote, current)

    # -----------------------------------------------------------------------------------------
    # First link: never create what QuickBooks already has
    # -----------------------------------------------------------------------------------------
    def _qbo_push_match(self, job, model, creates, updates):
        """Link the records QuickBooks already has (same id, e-mail or name) instead of creating
        them; their differences become updates (without clearing what only QuickBooks has).

        The index of the objects not linked yet is read once per run (``job.remote_index``) and
        kept up to date here: a linked object leaves it, and the objects created by this run were
        never in it. So every chunk of the run matches against what a fresh read would give,
        apart from objects created in QuickBooks during the run (the same window as a read
        before each chunk has, at most the run's time budget).

        :return: the creates left
        """
        if model._name not in job.remote_index:
            job.remote_index[model._name] = self._qbo_remote_index(job, model)
        index = job.remote_index[model._name]
        left = []
        for binding, payload in creates:
            if binding.request_id:
                left.append((binding, payload))  # a create in flight: replay it, never match
                continue
            record = binding._qbo_record()
            values = record._qbo_local_values(self)
            data = next((index[key][0] for key in model._qbo_match_keys(values) if index.get(key)), None)
            if not data:
                left.append((binding, payload))
                continue
            for key in model._qbo_match_keys(model._qbo_remote_values(data)):
                # Linked once: the next object with the same key (if any) is the candidate now.
                index[key] = [other for other in index.get(key, ()) if other is not data]
            binding._qbo_mark_synced(data)
            self._qbo_fill_from_remote(record, values, model._qbo_remote_values(data))
            self._qbo_log(job, binding, "linked",
                          self.env._("Linked to the QuickBooks object with the same e-mail or name."))
            delta = {k: v for k, v in model._qbo_changed_fields(data, payload).items() if v not in ("", None)}
            if delta:
                updates.append((binding, payload, delta))
        return left

    def _qbo_remote_index(self, job, model):
        """{match key: [QuickBooks objects not linked yet]}, oldest first (the first one wins)."""
        linked = set(self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", self.id), ("qbo_entity", "=", model._qbo_entity), ("qbo_id", "!=", False),
        ]).mapped("qbo_id"))
        index = {}
        for data in self._qbo_request(job, "query_all", model._qbo_entity, "Active IN (true, false)"):
            if data.get("Id") in linked:
                continue
            try:
                keys = model._qbo_match_keys(model._qbo_remote_values(data))
            except MappingError:
                continue
            for key in keys:
                index.setdefault(key, []).append(data)
        return index

    def _qbo_fill_from_remote(self, record, current, remote):
        """Give Odoo what only QuickBooks had at the first link (nothing is overwritten)."""
        changes = record._qbo_pull_changes(current, remote)
        fill = {key: value for key, value in changes.items()
                if value not in (None, "", False) and current.get(key) in (None, "", False)}
        fill.pop("parent_qbo_id", None)
        if fill:
            record.with_context(**{NO_PUSH: True})._qbo_apply_remote_values(self, fill)

    # -----------------------------------------------------------------------------------------
    # Creates: requestid committed before sending, id committed right after the reply
    # -----------------------------------------------------------------------------------------
    def _qbo_push_creates(self, job, model, creates):
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
                self._qbo_send_batch(job, model, request_id, [(b, p, "create") for b, p in chunk])
            else:
                for binding, payload in chunk:
                    self._qbo_send_one(job, model, binding, payload, "create", request_id)
            self._qbo_commit()

    def _qbo_push_updates(self, job, model, updates):
        items = []
        for update in updates:
            binding, payload = update[0], update[1]
            delta = update[2] if len(update) > 2 else model._qbo_changed_fields(binding.qbo_payload or {}, payload)
            if not delta:
                # Nothing QuickBooks would see changed (e.g. a field QuickBooks does not have).
                binding.write({"state": "synced", "last_error": False, "retry_count": 0})
                continue
            items.append((binding, {**delta, "Id": binding.qbo_id, "SyncToken": binding.qbo_sync_token,
                                    "sparse": True}, "update"))
        if len(items) == 1:
            binding, body, _op = items[0]
            self._qbo_send_one(job, model, binding, body, "update", str(uuid.uuid4()))
            self._qbo_commit()
            return
        for start in range(0, len(items), BATCH_LIMIT):
            self._qbo_send_batch(job, model, str(uuid.uuid4()), items[start:start + BATCH_LIMIT])
            self._qbo_commit()

    def _qbo_send_one(self, job, model, binding, body, operation, request_id):
        try:
            data = self._qbo_request(job, operation, model._qbo_entity, body, request_id)
        except QBOStop:
            raise
        except QBOError as e:
            self._qbo_push_failed(job, model, binding, body, operation, e, replied=False)
            return
        self._qbo_push_succeeded(job, binding, data, operation)

    def _qbo_send_batch(self, job, model, request_id, items):
        """Send ``items`` [(binding, body, operation)] as one batch; bId = binding id."""
        request = [{"bId": str(b.id), "operation": op, model._qbo_entity: body} for b, body, op in items]
        try:
            results = self._qbo_request(job, "batch", request, request_id)
        except QBOStop:
            raise
        except QBOError as e:
            for binding, body, operation in items:
                self._qbo_push_failed(job, model, binding, body, operation, e, replied=False)
            return
        for binding, body, operation in items:
            result = results.get(str(binding.id))
            if isinstance(result, QBOError):
                self._qbo_push_failed(job, model, binding, body, operation, result, replied=True)
            else:
                self._qbo_push_succeeded(job, binding, result, operation)

    def _qbo_push_succeeded(self, job, binding, data, operation):
        binding._qbo_mark_synced(data)
        self._qbo_log(job, binding, "created" if operation == "create" else "updated")

    def _qbo_push_failed(self, job, model, binding, body, operation, error, replied):
        """One record's failure: stale → re-read and re-apply once; name taken → next name;
        otherwise the error matrix.

        ``replied``: QuickBooks answered this item (a batch reply): its requestid would only
        replay that answer. Without a reply (timeout, 5xx) a create keeps its requestid, since
        QuickBooks may have created the object: the retry replays instead of duplicating.
        """
        if replied or not isinstance(error, QBOTransportError):
            binding.request_id = False
        try:
            if isinstance(error, QBOStaleError) and operation == "update":
                self._qbo_reapply(job, model, binding, body)
            elif isinstance(error, QBODuplicateError) and binding.disambiguation < MAX_DISAMBIGUATION \
                    and "DisplayName" in body:
                self._qbo_disambiguate(job, model, binding, operation)
            else:
                self._qbo_record_error(job, binding, error)
        except QBOStop:
            raise
        except QBOError as e:
            self._qbo_record_error(job, binding, e)

    def _qbo_reapply(self, job, model, binding, body):
        """5010: QuickBooks has a newer version. Send Odoo's changes again on it, once, then
        take into Odoo what QuickBooks changed meanwhile (disjoint changes both survive).

        :raises QBOError: when the second attempt fails too
        """
        current = self._qbo_request(job, "read", model._qbo_entity, binding.qbo_id)
        delta = {k: v for k, v in body.items() if k not in ("Id", "SyncToken", "sparse")}
        data = self._qbo_request(job, "update", model._qbo_entity,
                                 {**delta, "Id": binding.qbo_id, "SyncToken": current["SyncToken"], "sparse": True},
                                 str(uuid.uuid4()))
        record = binding._qbo_record()
        changes = model._qbo_pull_changes(record._qbo_local_values(self), model._qbo_remote_values(data))
        if changes:
            record.with_context(**{NO_PUSH: True})._qbo_apply_remote_values(self, changes)
        self._qbo_push_succeeded(job, binding, data, "update")

    def _qbo_disambiguate(self, job, model, binding, operation):
        """6240: the display name is taken (maybe by a vendor): try "Name (2)", "Name (3)"..."""
        binding.disambiguation = max(binding.disambiguation, 1) + 1
        record = binding._qbo_record()
        payload = record._qbo_prepare_payload(binding)
        if operation == "create":
            binding.request_id = str(uuid.uuid4())
            self._qbo_commit()
            self._qbo_send_one(job, model, binding, payload, "create", binding.request_id)
        else:
            self._qbo_send_one(job, model, binding, {"Id": binding.qbo_id, "SyncToken": binding.qbo_sync_token,
                                                     "sparse": True, "DisplayName": payload["DisplayName"]},
                               "update", str(uuid.uuid4()))

