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
            by_model[binding.res_model].add(binding.res_id)
        for res_model, ids in by_model.items():
            records = env[res_model].browse(ids).exists()
            names.update({(res_model, record.id): record.display_name for record in records})
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
    """First-link index of the Odoo records not linked to this connection, built on first use.
    What ``pop`` removes can be put back (``mark``/``rollback``) when a savepoint is rolled back."""

    def __init__(self, connection, model):
        self.connection, self.model, self.index, self.removed = connection, model, None, []

    def pop(self, remote):
        if self.index is None:
            self.index = self._build()
        record_id = next((self.index[key] for key in self.model._qbo_match_keys(remote) if key in self.index), None)
        if not record_id:
            return None
        record = self.model.browse(record_id)
        for _record, values in record._qbo_match_values(self.connection):
            for key in self.model._qbo_match_keys(values):
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
