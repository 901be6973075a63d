"""What the download (``qbo_sync_pull.py``) carries through a run: the adapters' run cache, the
log lines of a chunk, the chunks themselves and the first-link index of Odoo records."""

import json
from collections import defaultdict

from odoo.tools import SQL

# Objects applied in one savepoint, their new records created in one batch: one flush and one
# create per chunk instead of per object (a failing chunk is applied again object by object).
PULL_CHUNK = 100


class RunCache:
    """What adapters keep for one download run, under the context key ``qbo_pull_cache`` (e.g.
    res.partner's lookups of countries and titles); emptied when a savepoint is rolled back.
    An object rather than a dict: context values must stay hashable.

    Holds lookups of reference tables only, never the run's objects or records: a full import
    keeps its memory bounded by a page (``first_new_ids`` is one id per model)."""

    def __init__(self):
        self._values = {}
        # {model: the first id a record created from now on can get}, taken when the first-link
        # index of the model is first built (``LocalMatcher``); kept through rollbacks.
        self.first_new_ids = {}

    def get(self, key, factory):
        if key not in self._values:
            self._values[key] = factory()
        return self._values[key]

    def clear(self):
        self._values.clear()


class PullLog:
    """The sync log lines of one chunk, created in one batch at its end (inside its savepoint: a
    rolled-back chunk leaves no line)."""

    def __init__(self, connection, job):
        self.connection, self.job, self.lines = connection, job, []

    def add(self, binding, outcome, message=False, **values):
        if values.get("losing_values"):
            # Kept as JSON: amounts (Decimal) and dates as their text, which the mappers read back.
            values["losing_values"] = json.loads(json.dumps(values["losing_values"], default=str))
        self.lines.append((binding, outcome, message, values))

    def flush(self):
        env, names = self.connection.env, {}
        by_model = defaultdict(set)
        for binding, *_rest in self.lines:
            if binding.res_id:
                by_model[binding.res_model].add(binding.res_id)
        for res_model, ids in by_model.items():
            records = env[res_model].browse(ids).exists()
            names.update({(res_model, record.id): record.display_name for record in records})
        for binding, *_rest in self.lines:
            if not binding.res_id:  # a parked object: named as QuickBooks names it
                adapter = self.connection._qbo_adapter(binding.qbo_entity)
                names[(binding.res_model, binding.res_id)] = adapter.object_name(binding.qbo_payload)
        env["qbo.sync.log"].sudo().create([
            self.connection._qbo_log_values(self.job, binding, outcome, message,
                                            names.get((binding.res_model, binding.res_id), False), **values)
            for binding, outcome, message, values in self.lines])
        self.lines = []


def chunks(items, order):
    """``items`` in runs of at most PULL_CHUNK, a run never mixing two values of ``order``: a
    parent is created before the chunk of its children starts."""
    chunk = []
    for item in items:
        if chunk and (len(chunk) >= PULL_CHUNK or order(item) != order(chunk[-1])):
            yield chunk
            chunk = []
        chunk.append(item)
    if chunk:
        yield chunk


class LocalMatcher:
    """First-link index of the Odoo records not linked to this connection for the adapter's
    entity, built on first use (one per page of a full import). What ``pop`` removes can be put
    back (``mark``/``rollback``) when a savepoint is rolled back.

    Built from the candidates alone, whatever the number of records linked: the linked ones are
    left out in SQL (``NOT EXISTS``, no list of ids), and so are the records this download run
    created itself (each exists for a QuickBooks object already: linked, or a part of one, such
    as a partner's primary contact or delivery address), so a page's index costs the same on
    the 100th page of a first download as on the first."""

    def __init__(self, connection, adapter):
        self.connection, self.adapter, self.index, self.removed = connection, adapter, None, []

    def pop(self, remote, apart=()):
        """The record ``remote`` matches (none of ``apart``: kept apart by a person), taken out."""
        if self.index is None:
            self.index = self._build()
        adapter = self.adapter
        record_id = next((self.index[key] for key in adapter.match_keys(remote)
                          if key in self.index and self.index[key] not in apart), None)
        if not record_id:
            return None
        record = adapter.Model.browse(record_id)
        for _record, values in adapter.match_values(record):
            for key in adapter.match_keys(values):
                if key in self.index:
                    self.removed.append((key, self.index.pop(key)))
        return record

    def mark(self):
        return len(self.removed)

    def rollback(self, mark):
        """Put back what was popped since ``mark``."""
        while len(self.removed) > mark:
            key, record_id = self.removed.pop()
            self.index[key] = record_id

    def _build(self):
        """Records already linked (or whose create is in flight) are out; records waiting for
        their first upload are in: the download links them instead of creating a twin. Records
        created by this user since the run first built this index are out too (see the class):
        in a run, the ids from ``RunCache.first_new_ids`` on, the records of any other user in."""
        connection, adapter = self.connection, self.adapter
        env = connection.env
        Model = adapter.Model.with_context(active_test=False)
        env["qbo.binding"].flush_model(["connection_id", "qbo_entity", "res_model", "res_id", "qbo_id", "request_id"])
        query = Model._search(adapter.domain(), order="id")
        record_id = SQL.identifier(query.table, "id")
        query.add_where(SQL(
            "NOT EXISTS (SELECT 1 FROM qbo_binding b WHERE b.res_id = %s AND b.res_model = %s "
            "AND b.connection_id = %s AND b.qbo_entity = %s "
            "AND (COALESCE(b.qbo_id, '') != '' OR COALESCE(b.request_id, '') != ''))",
            record_id, adapter.model, connection.id, adapter.entity))
        run = env.context.get("qbo_pull_cache")
        if run is not None and Model._log_access:
            if adapter.model not in run.first_new_ids:
                env.cr.execute(SQL("SELECT COALESCE(MAX(id), 0) + 1 FROM %s", SQL.identifier(Model._table)))
                run.first_new_ids[adapter.model] = env.cr.fetchone()[0]
            query.add_where(SQL("(%s < %s OR %s IS DISTINCT FROM %s)", record_id, run.first_new_ids[adapter.model],
                                SQL.identifier(query.table, "create_uid"), env.uid))
        candidates = Model.browse(query.get_result_ids())
        index = {}
        for record, values in adapter.match_values(adapter.in_scope(candidates.filtered(adapter.handles),
                                                                    matching=True)):
            for key in adapter.match_keys(values):
                index.setdefault(key, record.id)
        return index


class ParentLinks:
    """Which object each QuickBooks object of an entity names as its parent (the adapter's
    ``parent_reference``): as in this download's objects, else as in the version stored on
    its binding; and the loops these links make (a ParentRef cycle: QuickBooks' API refuses one,
    yet a company's data may hold one). Stored versions are read only for the parents the
    objects name and do not bring, one query per level of the hierarchy."""

    def __init__(self, connection, adapter, rows=()):
        self.connection, self.adapter = connection, adapter
        self.objects = {str(row.get("Id")): row for row in rows}
        self.stored = {}  # {qbo_id: the version stored on its binding, or None when not linked}

    def data(self, qbo_id):
        """The object: this download's version, else the stored one (None when unknown)."""
        return self.objects.get(qbo_id) or self.stored.get(qbo_id)

    def name(self, qbo_id):
        return self.adapter.object_name(self.data(qbo_id) or {"Id": qbo_id})

    def parent(self, qbo_id):
        data = self.data(qbo_id)
        return data and self.adapter.parent_reference(data) or None

    def cycles(self, starts):
        """{qbo_id: its loop, the sorted ids of every object in it} for the objects in a loop
        reached by going up from ``starts`` (an object under a loop is not in it)."""
        self._load(set(starts))
        found, done = {}, set()
        for start in starts:
            path, position, node = [], {}, start
            while node and node not in done and node not in position:
                position[node] = len(path)
                path.append(node)
                node = self.parent(node)
            if node in position:
                members = tuple(sorted(path[position[node]:], key=lambda id_: (len(id_), id_)))
                found.update(dict.fromkeys(members, members))
            done.update(path)
        return found

    def _load(self, ids):
        """Read the stored versions of ``ids`` and of their ancestors that are not known yet."""
        Binding = self.connection.env["qbo.binding"].sudo()
        seen, level = set(ids), set(ids)
        while level:
            missing = [id_ for id_ in level if id_ not in self.objects and id_ not in self.stored]
            if missing:
                found = {b.qbo_id: b.qbo_payload for b in Binding.search([
                    ("connection_id", "=", self.connection.id), ("qbo_entity", "=", self.adapter.entity),
                    ("qbo_id", "in", missing)])}
                self.stored.update({id_: found.get(id_) or None for id_ in missing})
            level = {self.parent(id_) for id_ in level} - {None} - seen
            seen |= level
