"""Adapters: one per QuickBooks entity, and the registry the engine reads (docs/ENGINE.md §1).

An adapter says everything the generic engine needs to know about one QuickBooks entity: its
Odoo model, what it depends on, which Odoo models' edits flag it, its kind (name list or
transaction), its full-import condition, its first-link keys, its deletion rule and its URL in
QuickBooks, plus the mapping hooks. The engine never names an entity; adding one is one adapter
file and one mapper file (docs/ENGINE.md §8).
"""

from odoo.tools import SQL

from .qbo_sync_mixin import QBODependencyPending

NAME_LIST = "name_list"  # Active, merges, a unique DisplayName (Customer, Item...)
TRANSACTION = "transaction"  # TxnDate, DocNumber, void and delete (Invoice, Payment...)

# Where a QuickBooks object opens in QuickBooks' own interface, per environment.
APP_URLS = {"production": "https://app.qbo.intuit.com", "sandbox": "https://app.sandbox.qbo.intuit.com"}

_REGISTRY = {}


def register(adapter_class):
    """Class decorator: make ``adapter_class`` known to the engine (keyed by its entity)."""
    _REGISTRY[adapter_class.entity] = adapter_class
    return adapter_class


def is_secondary(entity):
    """Whether ``entity``'s objects are secondary to their record (``QBOAdapter.secondary``)."""
    return bool(getattr(_REGISTRY.get(entity), "secondary", False))


def unregister(entity):
    """Forget an adapter (tests register toy adapters and remove them)."""
    _REGISTRY.pop(entity, None)


def adapter_classes():
    """Every registered adapter class, dependencies first (a Customer before the Invoice that
    names it); ties in the order of registration.

    :raises ValueError: on a dependency cycle or a dependency on an unknown entity
    """
    ordered, state = [], {}

    def visit(entity, path):
        if state.get(entity) == "done":
            return
        if state.get(entity) == "visiting":
            raise ValueError("adapter dependency cycle: %s" % " -> ".join((*path, entity)))
        if entity not in _REGISTRY:
            raise ValueError("%s depends on %s, which has no adapter" % (path[-1], entity))
        state[entity] = "visiting"
        for dependency in _REGISTRY[entity].depends:
            if dependency != entity:  # within one entity (a sub-customer): the engine orders records
                visit(dependency, (*path, entity))
        state[entity] = "done"
        ordered.append(_REGISTRY[entity])

    for entity in list(_REGISTRY):
        visit(entity, ())
    return ordered


class QBOAdapter:
    """What one QuickBooks entity needs from the engine and gives it. Instances are made per
    connection (``connection._qbo_adapters()``); ``self.env`` is the connection's environment.

    Declarations (class attributes) and hooks (methods). Hooks with a default here are optional.
    """

    entity = None  # the adapter's name, its bindings' ``qbo_entity``: the QuickBooks entity, e.g. "Customer"
    # The entity in QuickBooks' API when it is not ``entity``: adapters may share one (products and
    # categories are both Items), each taking its own objects (``api_where``, ``accepts``).
    api_entity = None
    api_where = None  # the query condition of this adapter's objects among the API entity's, or None
    model = None  # the Odoo model, e.g. "res.partner"
    kind = NAME_LIST
    depends = ()  # entities whose objects this entity's objects refer to
    # {Odoo model: its fields whose change flags records of this adapter}; the adapter's own model
    # included. ``targets`` maps the changed records to the records to upload.
    flagged_by = {}
    direction_field = None  # the qbo.connection field giving the direction, e.g. "customer_direction"
    url_path = None  # path of an object in QuickBooks' interface, "%s" is its Id
    match_on_first_link = True  # look for the same object on the other side before creating one
    # The record's QuickBooks object is another adapter's; this one's is a by-product (a credit
    # note's application): badges and links show the other.
    secondary = False

    def __init__(self, connection):
        self.api_entity = type(self).api_entity or self.entity
        self.connection = connection
        self.env = connection.env
        self.Model = self.env[self.model]

    def linked_qbo_ids(self, model, ids, entity=None):
        """{record id: QuickBooks id} of the ``model`` records ``ids`` linked (through ``entity``
        only, when given: an ``account.move`` is an Invoice or a CreditMemo)."""
        self.env["qbo.binding"].flush_model(["connection_id", "qbo_entity", "res_model", "res_id", "qbo_id"])
        self.env.cr.execute(SQL(
            "SELECT res_id, qbo_id FROM qbo_binding WHERE connection_id = %s AND res_model = %s "
            "AND res_id IN %s AND COALESCE(qbo_id, '') != ''%s", self.connection.id, model, tuple(ids) or (0,),
            SQL(" AND qbo_entity = %s", entity) if entity else SQL()))
        return dict(self.env.cr.fetchall())

    def linked_records(self, model, qbo_ids, entity=None):
        """{QuickBooks id: record id} of the ``model`` records linked to ``qbo_ids`` (of
        ``entity`` only, when given: QuickBooks numbers each entity's objects apart)."""
        self.env["qbo.binding"].flush_model(["connection_id", "qbo_entity", "res_model", "res_id", "qbo_id"])
        self.env.cr.execute(SQL(
            "SELECT qbo_id, res_id FROM qbo_binding WHERE connection_id = %s AND res_model = %s "
            "AND qbo_id IN %s AND res_id IS NOT NULL%s", self.connection.id, model, tuple(qbo_ids) or ("",),
            SQL(" AND qbo_entity = %s", entity) if entity else SQL()))
        return dict(self.env.cr.fetchall())

    def __repr__(self):
        return "<%s %s>" % (type(self).__name__, self.entity)

    # -- what and which way --------------------------------------------------------------------
    def direction(self):
        """'off', 'odoo_to_qbo', 'qbo_to_odoo' or 'both' for this connection."""
        return self.connection[self.direction_field]

    def domain(self):
        """The records of ``self.model`` this connection's company may sync."""
        if "company_id" in self.Model._fields:
            return [("company_id", "in", (False, self.connection.company_id.id))]
        return []

    def flag(self, records):
        """Flag ``records`` (of ``self.model``) for upload through this adapter alone."""
        return records._qbo_flag_for_push(self.connection.sudo(), entities={self.entity})

    def handles(self, record):
        """Whether ``record`` (of ``self.model``) is an object of this entity (e.g. an
        ``account.move`` is an Invoice or a CreditMemo by its type)."""
        return True

    def prepare(self, job):
        """Called once at the start of each run (``job``) that uses this adapter: read what the
        mapping needs from QuickBooks (e.g. its accounts) with ``connection._qbo_request``."""

    def accepts(self, data):
        """Whether a QuickBooks object of ``api_entity`` is this adapter's (as ``api_where`` says
        in a query). A deletion carries only its Id: it goes to every adapter of the API entity,
        and the one linked to it applies it."""
        return True

    def where(self, *conditions):
        """``conditions`` (None for none) and ``api_where`` joined with AND, or None."""
        return " AND ".join(c for c in (*conditions, self.api_where) if c) or None

    def targets(self, records):
        """The records of ``self.model`` whose QuickBooks object changes when ``records`` (of
        ``self.model`` or of a model in ``flagged_by``) change."""
        return records if records._name == self.model else self.Model

    def in_scope(self, records, matching=False):
        """The records of ``records`` this connection syncs; with ``matching``, those a
        QuickBooks object may be linked to (scope options aside: a link puts them in scope)."""
        return records

    def all_where(self):
        """The condition of every object, inactive ones included (first-link matching)."""
        return self.where("Active IN (true, false)" if self.kind == NAME_LIST else None)

    def history_start(self):
        """The sync start date when "import history" is off (older objects and records stay
        out), else False."""
        return not self.connection.import_history and self.connection.sync_start_date

    def full_import_where(self):
        """The condition of a full import (first download, or after 30 days): inactive objects
        too; without "import history", only what changed (a name list) or is dated (a
        transaction) on or after the sync start date."""
        start = self.history_start()
        if self.kind == NAME_LIST:
            since = "MetaData.LastUpdatedTime >= '%sT00:00:00+00:00'" % start.isoformat() if start else None
            return self.where("Active IN (true, false)", since)
        return self.where("TxnDate >= '%s'" % start.isoformat() if start else None)

    def upload_all_domain(self):
        """The records "Upload all" flags: without "import history", those changed in Odoo on or
        after the sync start date."""
        start = self.history_start()
        return self.domain() + ([("write_date", ">=", start)] if start else [])

    # -- dependencies ----------------------------------------------------------------------------
    def dependencies(self, record):
        """[(adapter entity, record)] the payload of ``record`` refers to: uploaded first."""
        return []

    def references(self, data):
        """[(entity, QuickBooks id)] a QuickBooks object refers to: fetched and applied first."""
        return []

    hierarchy_field = None  # the field naming an object's parent of the same entity (ParentRef)

    def parent_reference(self, data):
        """The id of the object of the same entity ``data`` hangs under (its ``hierarchy_field``),
        or None: parents are applied first, and a loop of them is an error."""
        return None

    # -- mapping ---------------------------------------------------------------------------------
    def local_values(self, record):
        """Mapper values of ``record`` (the shape ``remote_values`` gives)."""
        raise NotImplementedError

    def remote_values(self, data):
        """Mapper values of a QuickBooks object (raises MappingError when unusable)."""
        raise NotImplementedError

    def values_payload(self, values, binding):
        """The QuickBooks payload (no Id/SyncToken) of mapper values, a record's or QuickBooks'.

        :raises MappingError: when the values cannot be sent as they are
        """
        raise NotImplementedError

    def check_dependencies(self, record, binding):
        """:raises QBODependencyPending: when a record the payload refers to (``dependencies``)
            has no QuickBooks id yet"""
        for entity, dependency in self.dependencies(record):
            if not dependency._qbo_binding(self.connection, entity).qbo_id:
                raise QBODependencyPending(self.env._("Waiting for %s to be uploaded first.", dependency.display_name))

    def changed_fields(self, old_payload, new_payload):
        """The sparse-update delta from ``old_payload`` to ``new_payload`` ({} if none)."""
        raise NotImplementedError

    def pull_changes(self, current, pulled):
        """The mapper values of ``pulled`` that differ from ``current``, our own mapping aside."""
        raise NotImplementedError

    def push_action(self, record, binding):
        """What the upload does with ``record``: ``("send", None)`` (create or update),
        ``("void", None)`` (a transaction cancelled in Odoo: voided in QuickBooks),
        ``("done", None)`` (nothing to send: QuickBooks holds it already) or
        ``("wait", reason)`` (e.g. a posted invoice reset to draft: nothing is sent until it is
        posted again; the binding shows the reason)."""
        return "send", None

    def check_synced(self, record, data):
        """After a write either way: a message when ``record`` and QuickBooks' ``data`` disagree
        on what must be equal (a document's totals), else None. A message puts the binding in
        error with it: a difference is never accepted silently."""
        return None

    def remote_deleted(self, record):
        """A transaction deleted in QuickBooks (name lists are never deleted): what happens to
        its Odoo record (a cancelled invoice); the sync log's message, or None.

        :raises Exception: when the record cannot follow (e.g. reconciled): the binding shows it
        """
        return None

    def push_note(self, record, data):
        """What the sync log says of an upload of ``record`` that QuickBooks took as ``data``
        (e.g. a default used for a value Odoo has no counterpart of), or None."""
        return None

    # -- first link ------------------------------------------------------------------------------
    def match_keys(self, values):
        """First-link keys of mapper values (hashable, strongest first)."""
        return []

    def match_values(self, records):
        """[(record, values with what ``match_keys`` reads)], cheaply."""
        return [(record, self.local_values(record)) for record in records]

    def on_linked(self, record):
        """A download linked ``record`` to an existing QuickBooks object."""

    def first_link_fill(self, changes):
        """What of QuickBooks' values may fill Odoo's empty fields at the first link."""
        return changes

    # -- writing QuickBooks' values into Odoo ------------------------------------------------------
    def skip_remote(self, values):
        """Whether a new QuickBooks object is left out of Odoo (a scope option)."""
        return False

    def create_from_remote(self, values_list):
        """Create the records of new QuickBooks objects (not uploaded back); a list aligned on
        ``values_list``: the record, or None when it cannot be created (yet)."""
        raise NotImplementedError

    def apply_remote_values(self, record, values):
        """Write mapper values (a subset: the changes) on ``record``."""
        raise NotImplementedError

    def archive(self, record):
        """What a merged-away or deleted object does to its Odoo record."""
        record.active = False

    # -- QuickBooks' own rules -------------------------------------------------------------------
    def rename_after_duplicate(self, record, binding):
        """After 6240 (name taken): a payload fragment with the next free name, or None when the
        entity has no name to change (the error then stands)."""
        return None

    name_field = None  # the field naming an object in QuickBooks (DisplayName, DocNumber...)

    def object_name(self, data):
        """How a person recognises a QuickBooks object without an Odoo record (the sync log)."""
        data = data or {}
        return data.get(self.name_field) or "%s %s" % (self.entity, data.get("Id") or "")

    def url(self, binding):
        """The object in QuickBooks' own interface."""
        connection = binding.connection_id
        base = connection.custom_base_url if connection.environment == "custom" else APP_URLS[connection.environment]
        return "%s/app/%s" % ((base or "").rstrip("/"), self.url_path % binding.qbo_id)
