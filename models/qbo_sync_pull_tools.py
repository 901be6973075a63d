"""What the download (``qbo_sync_pull.py``) carries through a run: the adapters' run cache, the
log lines of a chunk, the chunks themselves and the first-link index of Odoo records."""

from collections import defaultdict

# Objects applied in one savepoint, their new records created in one batch: one flush and one
# create per chunk instead of per object (a failing chunk is applied again object by object).
PULL_CHUNK = 100


class RunCache:
    """What adapters keep for one download run, under the context key ``qbo_pull_cache`` (e.g.
    res.partner's lookups of countries and titles); emptied when a savepoint is rolled back.
    An object rather than a dict: context values must stay hashable."""

    def __init__(self):
        self._values = {}

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
    entity, built on first use. What ``pop`` removes can be put back (``mark``/``rollback``)
    when a savepoint is rolled back."""

    def __init__(self, connection, adapter):
        self.connection, self.adapter, self.index, self.removed = connection, adapter, None, []

    def pop(self, remote):
        if self.index is None:
            self.index = self._build()
        adapter = self.adapter
        record_id = next((self.index[key] for key in adapter.match_keys(remote) if key in self.index), None)
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
        their first upload are in: the download links them instead of creating a twin."""
        connection, adapter = self.connection, self.adapter
        linked = connection.env["qbo.binding"].sudo().search([
            ("connection_id", "=", connection.id), ("qbo_entity", "=", adapter.entity),
            ("res_model", "=", adapter.model), "|", ("qbo_id", "!=", False), ("request_id", "!=", False),
        ]).mapped("res_id")
        candidates = adapter.Model.with_context(active_test=False).search(
            adapter.domain() + [("id", "not in", linked)], order="id")
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
