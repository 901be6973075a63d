"""Two rules both directions share (docs/ENGINE.md §4): the exact sparse update, and the
three-way merge of a new QuickBooks version into a linked record. Generic: they only call the
adapter's hooks, so an entity gets them by implementing those."""

from odoo import fields, models

from ..utils.mappers.common import MappingError
from .qbo_binding import parse_qbo_datetime
from .qbo_sync_mixin import NO_PUSH, QBODependencyPending

# A binding whose Odoo side may hold changes not uploaded yet.
PENDING_STATES = ("to_push", "conflict", "error", "waiting")


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    def _qbo_base_values(self, adapter, binding):
        """Mapper values of the QuickBooks version last synced (None when unknown or unreadable)."""
        if not binding.qbo_payload:
            return None
        try:
            return adapter.remote_values(binding.qbo_payload)
        except MappingError:
            return None

    def _qbo_update_delta(self, adapter, binding, record, current=None):
        """The sparse update carrying Odoo's changes onto the QuickBooks version last synced:
        exactly the fields whose Odoo value differs from that version, mapped as QuickBooks holds
        them. A field Odoo did not change is never sent, so what Odoo keeps only partly (the
        first of QuickBooks' e-mails, a name cut for QuickBooks) never overwrites QuickBooks'
        fuller value unless someone changed it in Odoo.

        :return: {} when QuickBooks already holds Odoo's values
        :raises MappingError: Odoo's changed values cannot be sent
        :raises QBODependencyPending: a record the payload refers to has no QuickBooks id yet
        """
        adapter.check_dependencies(record, binding)
        current = adapter.local_values(record) if current is None else current
        base = self._qbo_base_values(adapter, binding)
        if base is None:
            return adapter.changed_fields(binding.qbo_payload or {}, adapter.values_payload(current, binding))
        changed = self._qbo_odoo_changes(adapter, binding, base, current)
        if not changed:
            return {}
        return adapter.changed_fields(self._qbo_base_payload(adapter, binding, base),
                                      adapter.values_payload(dict(base, **changed), binding))

    def _qbo_base_payload(self, adapter, binding, base):
        """The payload of the version last synced, as Odoo would send it (QuickBooks' own object
        when it holds what Odoo would refuse to send, e.g. an e-mail over 100 characters)."""
        try:
            return adapter.values_payload(base, binding)
        except MappingError:
            return binding.qbo_payload

    def _qbo_odoo_changes(self, adapter, binding, base, current):
        """{key: Odoo's value} of the mapper keys whose Odoo value would change what QuickBooks
        holds (``base``, the version last synced): a key differing only through our own mapping
        (a cut name, the first of several e-mails) is no change. Tested one key at a time on the
        payload, so the answer is exact whatever the entity's mapping."""
        candidates = set(adapter.pull_changes(current, base)) | set(adapter.pull_changes(base, current))
        if not candidates:
            return {}
        before = self._qbo_base_payload(adapter, binding, base)
        changed = {}
        for key in candidates:
            try:
                after = adapter.values_payload(dict(base, **{key: current.get(key)}), binding)
            except MappingError:
                after = None  # Odoo holds what cannot be sent: a change (the upload reports it)
            if after is None or adapter.changed_fields(before, after):
                changed[key] = current.get(key)
        return changed

    def _qbo_conflict_winner(self, binding, data, policy=None):
        """'odoo', 'qbo' or 'manual' for a field changed on both sides, per ``policy`` (default:
        the connection's).

        "Last updated" compares to the second, QuickBooks' precision: two changes in the same
        second cannot be ordered, and QuickBooks' version, the books', wins them."""
        policy = policy or self.conflict_policy
        if policy != "last_updated":
            return policy
        qbo_time = parse_qbo_datetime((data.get("MetaData") or {}).get("LastUpdatedTime"))
        odoo_time = binding.odoo_changed_at and binding.odoo_changed_at.replace(microsecond=0)
        return "qbo" if qbo_time and (not odoo_time or qbo_time >= odoo_time) else "odoo"

    def _qbo_merge_remote(self, adapter, binding, record, data, log):
        """Bring QuickBooks' new version ``data`` of a linked record into Odoo, three ways: base =
        the version last synced, theirs = ``data``, mine = the record now. What only QuickBooks
        changed is applied; what only Odoo changed stays pending; a field both changed follows
        the conflict policy and the losing value is kept in the log (``log``: a PullLog). The
        same whether the download meets the change first or the upload does (its 5010).

        :return: True when Odoo still has changes to upload (the binding is then ``to_push``)
        """
        current = adapter.local_values(record)
        theirs = adapter.remote_values(data)
        pending = binding.state in PENDING_STATES
        changes = adapter.pull_changes(current, theirs)
        base = self._qbo_base_values(adapter, binding)
        if base is None:  # no known base: every difference counts as changed on both sides
            odoo_keys = set(changes) if pending else set()
        else:
            qbo_keys = set(adapter.pull_changes(base, theirs))
            changes = {key: value for key, value in changes.items() if key in qbo_keys}
            odoo_keys = set(self._qbo_odoo_changes(adapter, binding, base, current)) if pending else set()
        conflicts = {key: value for key, value in changes.items() if key in odoo_keys}
        winner = self._qbo_conflict_winner(binding, data) if conflicts else None
        apply = changes if winner == "qbo" else {k: v for k, v in changes.items() if k not in conflicts}
        if apply:
            adapter.apply_remote_values(record.with_context(**{NO_PUSH: True}), apply)
        if winner == "manual":
            # Nothing of the conflict is applied: a person picks a version in the sync log. The
            # version stays the base of the merge; its SyncToken is noted, so that downloading it
            # again (the CDC overlap) does not ask the person twice.
            binding.write({"state": "conflict", "qbo_sync_token": data.get("SyncToken"), "last_error": self.env._(
                "Changed in Odoo and in QuickBooks: choose a version in the sync log.")})
            log.add(binding, "conflict", self.env._("Changed on both sides; those fields were not applied."),
                    losing_side="qbo", losing_values=conflicts, losing_qbo_version=data)
            return False
        binding._qbo_mark_synced(data)
        if winner == "qbo":
            log.add(binding, "conflict", self.env._("Changed on both sides: QuickBooks' version was kept."),
                    losing_side="odoo", losing_values={key: current.get(key) for key in conflicts})
        elif winner == "odoo":
            log.add(binding, "conflict", self.env._("Changed on both sides: Odoo's version was kept."),
                    losing_side="qbo", losing_values=conflicts)
        elif apply:
            log.add(binding, "updated")
        return pending and self._qbo_still_pending(adapter, binding, record)

    def _qbo_first_link(self, adapter, binding, record, data, log):
        """Link ``binding`` (of ``record``) to ``data``, the QuickBooks object found with the same
        keys, alike whichever side found it: what only one side holds fills the other (a first
        link clears nothing); of a field both hold with different values, the later version
        wins (Odoo's time: the record's last change; there is no last sync for "Odoo wins" or
        "QuickBooks wins" to count from), or a person chooses under "ask me"; the losing value
        is kept in the log.

        :return: True when Odoo has values QuickBooks lacks (the binding is then ``to_push``)
        """
        current = adapter.local_values(record)
        changes = adapter.first_link_fill(adapter.pull_changes(current, adapter.remote_values(data)))
        fill = {key: value for key, value in changes.items()
                if _blank(current.get(key), value) and not _blank(value, current.get(key))}
        both = {key: value for key, value in changes.items()
                if not _blank(current.get(key), value) and not _blank(value, current.get(key))}
        if not binding.odoo_changed_at:
            binding.odoo_changed_at = record.write_date
        policy = "manual" if self.conflict_policy == "manual" else "last_updated"
        winner = self._qbo_conflict_winner(binding, data, policy) if both else None
        apply = dict(fill, **both) if winner == "qbo" else fill
        if apply:
            adapter.apply_remote_values(record.with_context(**{NO_PUSH: True}), apply)
        binding._qbo_mark_synced(data)
        adapter.on_linked(record)
        log.add(binding, "linked",
                self.env._("Linked to the QuickBooks object with the same keys (e.g. e-mail or name)."))
        if winner == "manual":
            binding.write({"state": "conflict", "last_error": self.env._(
                "Different in Odoo and in QuickBooks when first linked: choose a version in the sync log.")})
            log.add(binding, "conflict", self.env._("Different on both sides; those fields were not applied."),
                    losing_side="qbo", losing_values=both, losing_qbo_version=data)
            return False
        if winner == "qbo":
            log.add(binding, "conflict", self.env._("Different on both sides: QuickBooks' version was kept."),
                    losing_side="odoo", losing_values={key: current.get(key) for key in both})
        elif winner == "odoo":
            log.add(binding, "conflict", self.env._("Different on both sides: Odoo's version was kept."),
                    losing_side="qbo", losing_values=both)
        return self._qbo_still_pending(adapter, binding, record)

    def _qbo_still_pending(self, adapter, binding, record):
        """After a merge: put the binding back to upload when Odoo holds changes QuickBooks lacks
        (a delta, or what no payload carries: a cancelled invoice to void)."""
        try:
            pending = adapter.push_action(record, binding)[0] in ("void", "wait") or bool(
                self._qbo_update_delta(adapter, binding, record))
        except (MappingError, QBODependencyPending):
            pending = True  # the upload reports it
        if pending:
            binding.write({"state": "to_push", "odoo_changed_at": binding.odoo_changed_at or fields.Datetime.now()})
            self._qbo_cron("push")._trigger()
        return pending


def _blank(value, other):
    """Whether a mapper value is empty: None, "", or False where the other side's value is no
    boolean (Odoo's empty text is False; an archived record's ``active`` False is a value)."""
    return value is None or value == "" or (value is False and not isinstance(other, bool))
