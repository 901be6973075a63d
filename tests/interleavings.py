"""Randomized interleavings of both sides' edits, QuickBooks' faults and webhooks, and the two
runs, as a Hypothesis state machine (``InterleavingMachine``) with a model of what each side
wrote, and the invariants checked once the schedule has gone quiet (issue 8, item 12).

Steps (rules): ``odoo_create``, ``odoo_edit`` (name, e-mail, phone), ``odoo_archive`` (archive or
restore), ``odoo_twin`` (an Odoo user enters a customer QuickBooks has and Odoo has not
downloaded), ``qbo_create``, ``qbo_edit`` (maybe two e-mail addresses), ``qbo_deactivate``
(inactive or active again), ``qbo_twin``, ``merge`` (its webhook now, later or lost),
``deliver_webhooks``, ``fault`` (429, 500, 503, drop, slow: a lost reply, 401; one or two
requests, any path or one of /batch, /customer, /cdc, /query), ``time_passes`` (retries due,
maybe QuickBooks' clock two minutes on: past CDC's overlap), ``push`` and ``pull`` (the crons,
as Odoo calls them).

After the steps: faults cleared, held webhooks delivered, a connection awaiting
re-authorisation connected again; then upload + download rounds until one changes nothing
(``NeverQuiet`` after 8). Then, each failing as its own exception class:

1. ``Duplicate``: every QuickBooks customer linked exactly once, every partner of the schedule
   linked once (but a merged-away one, archived), no name or e-mail twice on either side;
2. ``SidesDiffer``: name, e-mail (Odoo keeps QuickBooks' first), phone and active equal on
   both sides of every synced pair;
3. every change (``Write``) is delivered (seen on both sides after a run) or overwritten by its
   own side first, else a conflict log line keeps it as the losing version (``ChangeLost``), and
   then it lost to a change of the same field on the other side (``DisjointChangeLost``); each
   field ends with its last change that did not lose (``WrongFinalValue``);
4. ``BindingStuck``: every binding synced, but those of customers merged away without a
   webhook; none parked without a partner; any other state has a message;
5. ``EngineCrash``: no cron raises, no run stops on an exception that is no QuickBooks error.

Every schedule starts in a savepoint of the test's transaction, rolled back at its end, on a
fresh QuickBooks company (``control.reset()`` and a new OAuth connection): about half a second
each. Failures are shrunk by ``shrink`` (steps removed, then arguments simplified) and printed
as a test method to paste into the case (``InterleavingMachine.case`` set by ``prepare``)::

    def test_interleaving_engine_crash(self):
        state = InterleavingMachine()
        state.odoo_create(company=True, phone=False)
        state.fault(count=1, kind='slow', match='/customer')
        state.push()
        state.pull()
        state.teardown()

Environment (read at import):

* ``QBO_INTERLEAVINGS``: schedules to run (default 200)
* ``QBO_INTERLEAVINGS_STEPS``: most steps in one schedule (default 20)
* ``QBO_INTERLEAVINGS_SEED``: an integer runs other schedules than the default derandomized
  ones, ``random`` new ones at each run
* ``QBO_INTERLEAVINGS_EXCLUDE``: operations left out, comma-separated rule names (``merge``,
  ``qbo_twin``, ``twin`` for both twins…), fault kinds (``slow``, ``401``…), ``two_emails`` or
  ``clock`` (time passes without QuickBooks' clock moving); default none: the full set. Only to
  look past a known failure, never in the normal run.
* ``QBO_INTERLEAVINGS_SHRINK_BUDGET``: most replays spent shrinking one failure (default 150)
* ``QBO_INTERLEAVINGS_HYPOTHESIS_SHRINK=1``: Hypothesis' own shrinker first (slow: minutes)
* ``QBO_INTERLEAVINGS_STATS=1``: time per phase and steps per rule, logged at the end

The clocks: every user action happens one second (of QuickBooks' clock) after the previous one
and Odoo's change time of the flagged bindings is set to that clock too, so "last updated wins"
follows the order of the steps (one clock on both sides, no two edits in the same second), and
a slow request is waited for until QuickBooks has written: replaying a schedule takes the same
decisions.
"""

import functools
import logging
import os
import time
from collections import Counter
from datetime import timezone

import requests
from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from odoo.addons.quickbooks_online.utils.mappers.common import first_email, undisambiguated
from odoo.addons.quickbooks_online.utils.mappers.partner import customer_to_partner
from odoo.addons.quickbooks_online.utils.qbo_client import PARAM_API_TIMEOUT
from odoo.addons.quickbooks_online.utils.qbo_webhook import Event
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

SCHEDULES = int(os.environ.get("QBO_INTERLEAVINGS") or 200)
STEPS = int(os.environ.get("QBO_INTERLEAVINGS_STEPS") or 20)
SEED = os.environ.get("QBO_INTERLEAVINGS_SEED") or ""
# Default: twins left out. A first link has no base version: of a field both sides hold with
# different values, the later record wins (per record, not per field: Odoo keeps no time per
# field), so a twin edited in Odoo after QuickBooks deactivated it takes QuickBooks' "inactive"
# back (test_first_link_without_field_times). QBO_INTERLEAVINGS_EXCLUDE="" runs them too.
EXCLUDED = frozenset(filter(None, os.environ.get("QBO_INTERLEAVINGS_EXCLUDE", "twin").replace(" ", "").split(",")))

FIELDS = ("name", "email", "phone", "active")
EDITABLE = ("name", "email", "phone")
POLICIES = ("last_updated", "odoo", "qbo")
FAULT_KINDS = tuple(k for k in ("429", "500", "503", "drop", "slow", "401") if k not in EXCLUDED)
FAULT_PATHS = ("", "/batch", "/customer", "/cdc", "/query")
WEBHOOK = ("now", "later", "lost")
MINUTES = (0,) if "clock" in EXCLUDED else (0, 2)
# A lost reply: the client gives up after API_TIMEOUT s, QuickBooks answers (and writes) after SLOW_DELAY s.
API_TIMEOUT, SLOW_DELAY = 0.5, 0.8
# Push + pull rounds after the schedule before it must be quiet.
QUIET_ROUNDS = 8
QUIET_LOGGERS = ("odoo.addons.quickbooks_online", "urllib3", "requests", "odoo.sql_db", "werkzeug")
# QBO_INTERLEAVINGS_STATS=1: time spent per phase, printed at the end.
STATS = Counter() if os.environ.get("QBO_INTERLEAVINGS_STATS") else None
WHICH = st.integers(min_value=0, max_value=5)
# QBO_INTERLEAVINGS_HYPOTHESIS_SHRINK=1: Hypothesis' own shrinker too (thorough, slow: minutes).
HYPOTHESIS_SHRINK = bool(os.environ.get("QBO_INTERLEAVINGS_HYPOTHESIS_SHRINK"))
# Most replays ``shrink`` spends on one failure.
SHRINK_BUDGET = int(os.environ.get("QBO_INTERLEAVINGS_SHRINK_BUDGET") or 150)


# ---------------------------------------------------------------------------------------------
# What a failure is: one class per invariant, each kind reported and shrunk on its own
# ---------------------------------------------------------------------------------------------
class InterleavingFailure(AssertionError):
    """An invariant of the sync does not hold after a schedule."""


class EngineCrash(InterleavingFailure):
    """A run raised, or stopped on an exception that is no QuickBooks error."""


class NeverQuiet(InterleavingFailure):
    """Uploads and downloads keep changing things (or a binding stays to upload) with no fault left."""


class Duplicate(InterleavingFailure):
    """One customer the schedule made once is twice on a side, or linked twice, or not linked."""


class SidesDiffer(InterleavingFailure):
    """A synced pair does not hold the same name, e-mail, phone and active flag on both sides."""


class ChangeLost(InterleavingFailure):
    """A change made on one side never reached the other and no conflict log keeps it."""


class DisjointChangeLost(InterleavingFailure):
    """A change was given up for a conflict although the other side never changed that field."""


class WrongFinalValue(InterleavingFailure):
    """A field ends with another value than its last write that was not logged as losing."""


class BindingStuck(InterleavingFailure):
    """A binding in error or conflict the schedule gives no reason for, or in error without a message."""


# ---------------------------------------------------------------------------------------------
# The model: who wrote what, when, and whether it reached the other side
# ---------------------------------------------------------------------------------------------
class Write:
    """One user's change of one field on one side. ``seq`` orders every action of the schedule;
    ``log_mark`` is the last sync log id at that moment (a losing version logged later can be it)."""

    __slots__ = ("delivered_at", "field", "log_mark", "seq", "side", "state", "value")

    def __init__(self, seq, side, field, value, log_mark):
        self.seq, self.side, self.field, self.value, self.log_mark = seq, side, field, value, log_mark
        # -> delivered (seen on both sides), superseded (same side wrote again before), or
        # reverted (it wrote back the version last synced: no change to send)
        self.state = "pending"
        self.delivered_at = None

    def __repr__(self):
        return "#%s %s %s=%r (%s)" % (self.seq, self.side, self.field, self.value, self.state)


class Entity:
    """One customer as the schedule made it: once, in Odoo or in QuickBooks (a twin is the same
    customer entered on the other side too)."""

    def __init__(self, key, origin, is_company):
        self.key, self.origin, self.is_company = key, origin, is_company
        self.partner_id = None  # known when made in Odoo, else found through its binding
        self.qbo_id = None  # known when made in QuickBooks, else found through its binding
        self.partner_ids = set()
        self.writes = {name: [] for name in FIELDS}
        self.merged = None  # "away" or "survivor" once merged in QuickBooks (field checks end there)

    def __repr__(self):
        return "E%s(%s, partner %s, qbo %s%s)" % (
            self.key, self.origin, self.partner_id, self.qbo_id, ", merged %s" % self.merged if self.merged else "")


def odoo_view(partner, name):
    value = partner[name]
    return bool(value) if name == "active" else (value or None)


def qbo_view(customer, name, full=True):
    """A field of a Customer as Odoo would read it; ``full`` keeps every e-mail address."""
    if name == "email":
        address = (customer.get("PrimaryEmailAddr") or {}).get("Address") or None
        return address if full else first_email(address)
    values = customer_to_partner(customer)
    if name == "name":
        return undisambiguated(values["name"])
    return values[name] if name != "active" else values[name] is not False


def holds(partner, customer, name, value):
    """Whether both sides hold ``value`` (Odoo keeps the first of QuickBooks' e-mail addresses)."""
    if name == "email":
        return qbo_view(customer, "email") == value and odoo_view(partner, "email") == first_email(value)
    return qbo_view(customer, name) == value and odoo_view(partner, name) == value


def _step(function):
    """Record the step in the machine's trace and mark the machine busy while it runs: a rule
    that raised leaves it so (teardown then only cleans up: the rule's exception is the failure),
    and the failure carries the trace for ``shrink``."""

    @functools.wraps(function)
    def wrapper(self, **kwargs):
        if STATS is not None:
            STATS["rule " + function.__name__] += 1
        self.trace.append((function.__name__, kwargs))
        self._busy = True
        try:
            result = function(self, **kwargs)
        except Exception as e:
            e.interleaving_trace = list(self.trace)
            raise
        self._busy = False
        return result

    return wrapper


def allowed(*names):
    return precondition(lambda self: not EXCLUDED.intersection(names))


class InterleavingMachine(RuleBasedStateMachine):
    """Edits on both sides, merges, faults, webhooks, uploads and downloads in any order."""

    case = None  # the running test case (a SyncCaseMixin TransactionCase), set by the test

    def __init__(self):
        super().__init__()
        t = self.t = type(self).case
        self.env = t.env
        self.connection = t.connection
        self._busy = False
        self.trace = []
        self.seq = 0
        self.entities = []
        self.pending_webhooks = []
        self.lost_merges = set()  # ids merged away without a webhook: their bindings may end in error
        self.notes = []
        started = time.monotonic()
        self.savepoint = self.env.cr.savepoint()
        t.control.reset()
        t.control.consent("approve")
        t.control.clear_faults()
        t._connect()
        self.realm = self.connection.realm_id
        self.company = t.fake.company(self.realm)
        self.request_mark = len(t.fake.requests.entries)
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
        self.partner_floor = self.env.cr.fetchone()[0]
        self._count("start", started)

    # -- helpers ----------------------------------------------------------------------------------
    @staticmethod
    def _count(what, started):
        if STATS is not None:
            STATS[what] += time.monotonic() - started
            STATS[what + " count"] += 1

    def _next(self):
        self.seq += 1
        return self.seq

    def _tick(self):
        """A user acts one second (QuickBooks' clock, on top of the real time) after the previous action."""
        with self.t.fake.state.lock:
            self.t.fake.state.clock.advance(1)
        return self._next()

    def _qbo_now(self):
        return self.t.fake.state.clock.now().astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)

    def _log_mark(self):
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM qbo_sync_log")
        return self.env.cr.fetchone()[0]

    def _write(self, entity, side, name, value, seq):
        """Note a user's change. Writing back the value of the version last synced (the
        binding's, the base of the engine's three-way merge) undoes that side's pending changes
        instead: archived and restored is no change to send, whatever the other side did."""
        for earlier in entity.writes[name]:
            if earlier.side == side and earlier.state == "pending":
                earlier.state = "superseded"
        write = Write(seq, side, name, value, self._log_mark())
        partner = self._partner(entity)
        binding = self._bindings().filtered(lambda b: partner and b.res_id == partner.id)[:1]
        if binding.qbo_payload:
            base = qbo_view(binding.qbo_payload, name, full=side == "qbo")
            if value == base:
                write.state = "reverted"
        entity.writes[name].append(write)

    def _bindings(self):
        return self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", self.connection.id), ("res_model", "=", "res.partner"),
            ("qbo_entity", "=", "Customer")])

    def _partner(self, entity):
        """The entity's Odoo partner (made there, or linked to its QuickBooks customer), or None."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        if entity.partner_id:
            return Partner.browse(entity.partner_id)
        if entity.qbo_id:
            binding = self._bindings().filtered(lambda b: b.qbo_id == entity.qbo_id and b.res_id)[:1]
            if binding:
                entity.partner_id = binding.res_id
                entity.partner_ids.add(binding.res_id)
                return Partner.browse(binding.res_id)
        return None

    def _customer(self, entity):
        """The entity's QuickBooks customer (made there, or uploaded from its partner), or None."""
        if not entity.qbo_id and entity.partner_id:
            binding = self._bindings().filtered(lambda b: b.res_id == entity.partner_id)[:1]
            if binding.qbo_id:
                entity.qbo_id = binding.qbo_id
        if not entity.qbo_id:
            return None
        with self.t.fake.state.lock:
            customer = self.company.get("Customer", entity.qbo_id)
            return dict(customer) if customer else None

    def _live(self, side):
        """Entities a user can edit on ``side`` now (merged ones are out of the schedule)."""
        found = []
        for entity in self.entities:
            if entity.merged:
                continue
            if self._partner(entity) if side == "odoo" else self._customer(entity):
                found.append(entity)
        return found

    @staticmethod
    def _pick(which, candidates):
        return candidates[which % len(candidates)] if candidates else None

    def _new_values(self, company, two_emails=False):
        n = self._next()
        name = "IL%s Traders" % n if company else "Ann Il%s" % n
        email = "il%s@example.com" % n
        if two_emails:
            email = "%s, il%sb@example.com" % (email, n)
        return n, name, email

    def _stamp(self, partner):
        """Odoo's change time of the partner's flagged bindings on the shared clock."""
        bindings = self._bindings().filtered(lambda b: b.res_id == partner.id and b.state == "to_push")
        if bindings:
            bindings.write({"odoo_changed_at": self._qbo_now()})

    def _user_write(self, payload):
        """A QuickBooks user's create or edit; None when QuickBooks refuses it (a name taken)."""
        try:
            return self.t.control.user_write("Customer", payload)
        except requests.HTTPError:
            return None

    # -- set-up -----------------------------------------------------------------------------------
    @initialize(policy=st.sampled_from(POLICIES))
    @_step
    def conflict_policy(self, policy):
        self.connection.conflict_policy = policy

    # -- Odoo side --------------------------------------------------------------------------------
    @rule(company=st.booleans(), phone=st.booleans())
    @_step
    def odoo_create(self, company, phone):
        seq = self._tick()
        _n, name, email = self._new_values(company)
        values = {"name": name, "email": email, "is_company": company}
        if phone:
            values["phone"] = "555-%04d" % seq
        partner = self.env["res.partner"].create(values)
        self._stamp(partner)
        entity = Entity(len(self.entities), "odoo", company)
        entity.partner_id = partner.id
        entity.partner_ids.add(partner.id)
        self.entities.append(entity)
        for name_ in ("name", "email", "phone", "active"):
            value = values.get(name_, True if name_ == "active" else None)
            if value is not None:
                self._write(entity, "odoo", name_, value, seq)

    @rule(which=WHICH, field=st.sampled_from(EDITABLE))
    @precondition(lambda self: self.entities)
    @_step
    def odoo_edit(self, which, field):
        entity = self._pick(which, self._live("odoo"))
        if not entity:
            return
        seq = self._tick()
        partner = self._partner(entity)
        value = {"name": self._new_values(entity.is_company)[1], "email": "il%s.odoo@example.com" % seq,
                 "phone": "555-%04d" % seq}[field]
        partner.write({field: value})
        self._stamp(partner)
        self._write(entity, "odoo", field, value, seq)
        self._split_unlinked_twin(entity, seq)

    def _split_unlinked_twin(self, entity, seq):
        """A twin whose Odoo partner no longer shares any first-link key (name, first e-mail)
        with its QuickBooks customer before they were ever linked is no twin any more: two
        customers, each to reach the other side on its own (a person would see two as well)."""
        partner, customer = self._partner(entity), self._customer(entity)
        if not (partner and customer) or self._bindings().filtered(
                lambda b: b.res_id == partner.id and b.qbo_id == entity.qbo_id):
            return
        odoo_email = (odoo_view(partner, "email") or "").lower()
        if odoo_view(partner, "name") == qbo_view(customer, "name") \
                or odoo_email == (qbo_view(customer, "email", full=False) or "").lower():
            return
        split = Entity(len(self.entities), "odoo", entity.is_company)
        split.partner_id = partner.id
        split.partner_ids.add(partner.id)
        self.entities.append(split)
        entity.partner_id = None
        entity.partner_ids.discard(partner.id)
        for name in FIELDS:
            entity.writes[name] = [w for w in entity.writes[name] if w.side != "odoo"]
            value = odoo_view(partner, name)
            if value is not None:
                self._write(split, "odoo", name, value, seq)

    @rule(which=WHICH)
    @precondition(lambda self: self.entities)
    @_step
    def odoo_archive(self, which):
        """Archive the partner, or restore it when archived."""
        entity = self._pick(which, self._live("odoo"))
        if not entity:
            return
        seq = self._tick()
        partner = self._partner(entity)
        value = not partner.active
        partner.active = value
        self._stamp(partner)
        self._write(entity, "odoo", "active", value, seq)

    @rule(which=WHICH)
    @allowed("odoo_twin", "twin")
    @precondition(lambda self: any(e.origin == "qbo" for e in self.entities))
    @_step
    def odoo_twin(self, which):
        """An Odoo user enters a customer QuickBooks has and Odoo has not downloaded yet."""
        candidates = [e for e in self._live("qbo") if not self._partner(e) and e.origin == "qbo"]
        entity = self._pick(which, candidates)
        if not entity:
            return
        customer = self._customer(entity)
        if customer.get("Active") is False:
            return
        self._tick()
        name, email = qbo_view(customer, "name"), qbo_view(customer, "email", full=False)
        partner = self.env["res.partner"].create({"name": name, "email": email, "is_company": entity.is_company})
        self._stamp(partner)
        entity.partner_id = partner.id
        entity.partner_ids.add(partner.id)
        # The same values as QuickBooks' (its first e-mail): no change of either side to check.

    # -- QuickBooks side --------------------------------------------------------------------------
    @rule(company=st.booleans(), phone=st.booleans(), two_emails=st.booleans())
    @_step
    def qbo_create(self, company, phone, two_emails):
        seq = self._tick()
        two_emails = two_emails and "two_emails" not in EXCLUDED
        _n, name, email = self._new_values(company, two_emails)
        payload = {"DisplayName": name, "PrimaryEmailAddr": {"Address": email}}
        if company:
            payload["CompanyName"] = name
        else:
            payload["GivenName"], payload["FamilyName"] = name.split(" ", 1)
        if phone:
            payload["PrimaryPhone"] = {"FreeFormNumber": "555-%04d" % seq}
        customer = self._user_write(payload)
        if not customer:
            return
        entity = Entity(len(self.entities), "qbo", company)
        entity.qbo_id = customer["Id"]
        self.entities.append(entity)
        self._write(entity, "qbo", "name", name, seq)
        self._write(entity, "qbo", "email", email, seq)
        self._write(entity, "qbo", "active", True, seq)
        if phone:
            self._write(entity, "qbo", "phone", "555-%04d" % seq, seq)

    @rule(which=WHICH, field=st.sampled_from(EDITABLE), two_emails=st.booleans())
    @precondition(lambda self: self.entities)
    @_step
    def qbo_edit(self, which, field, two_emails):
        entity = self._pick(which, self._live("qbo"))
        if not entity:
            return
        customer = self._customer(entity)
        seq = self._tick()
        if field == "name":
            value = self._new_values(entity.is_company)[1]
            payload = {"DisplayName": value}
            if customer.get("CompanyName") and customer.get("CompanyName") == qbo_view(customer, "name"):
                payload["CompanyName"] = value  # a company: its name is both
        elif field == "email":
            value = "il%s.qbo@example.com" % seq
            if two_emails and "two_emails" not in EXCLUDED:
                value = "%s, il%s.qbo2@example.com" % (value, seq)
            payload = {"PrimaryEmailAddr": {"Address": value}}
        else:
            value = "555-%04d" % seq
            payload = {"PrimaryPhone": {"FreeFormNumber": value}}
        if self._user_write(dict(payload, Id=entity.qbo_id)):
            self._write(entity, "qbo", field, value, seq)

    @rule(which=WHICH)
    @precondition(lambda self: self.entities)
    @_step
    def qbo_deactivate(self, which):
        """Make the customer inactive, or active again when it is not."""
        entity = self._pick(which, self._live("qbo"))
        if not entity:
            return
        value = self._customer(entity).get("Active") is False
        seq = self._tick()
        if self._user_write({"Id": entity.qbo_id, "Active": value}):
            self._write(entity, "qbo", "active", value, seq)

    @rule(which=WHICH)
    @allowed("qbo_twin", "twin")
    @precondition(lambda self: any(e.origin == "odoo" for e in self.entities))
    @_step
    def qbo_twin(self, which):
        """A QuickBooks user enters a customer Odoo has and has not uploaded (nothing in flight)."""
        candidates = []
        for entity in self._live("odoo"):
            binding = self._bindings().filtered(lambda b, e=entity: b.res_id == e.partner_id)[:1]
            if entity.origin == "odoo" and not entity.qbo_id and not binding.qbo_id and not binding.request_id:
                candidates.append(entity)
        entity = self._pick(which, candidates)
        if not entity:
            return
        partner = self._partner(entity)
        if not partner.active:
            return
        self._tick()
        payload = {"DisplayName": partner.name, "PrimaryEmailAddr": {"Address": partner.email}}
        if entity.is_company:
            payload["CompanyName"] = partner.name
        customer = self._user_write(payload)
        if not customer:
            return
        entity.qbo_id = customer["Id"]
        # The same values as Odoo's: no change of either side to check.

    @rule(which=WHICH, into=WHICH, webhook=st.sampled_from(WEBHOOK))
    @allowed("merge")
    @precondition(lambda self: len(self.entities) > 1)
    @_step
    def merge(self, which, into, webhook):
        """Merge two customers in QuickBooks; its webhook comes now, later or never."""
        candidates = self._live("qbo")
        if len(candidates) < 2:
            return
        gone = self._pick(which, candidates)
        survivor = self._pick(into, [e for e in candidates if e is not gone])
        self._tick()
        self.t.control.merge("Customer", gone.qbo_id, survivor.qbo_id)
        gone.merged, survivor.merged = "away", "survivor"
        event = Event(self.realm, "Customer", survivor.qbo_id, "Merge",
                      self.t.fake.state.clock.stamp(), deleted_id=gone.qbo_id)
        if webhook == "now":
            self.env["qbo.connection"]._qbo_receive_webhook([event])
        elif webhook == "later":
            self.pending_webhooks.append(event)
        else:
            self.lost_merges.add(gone.qbo_id)

    @rule()
    @allowed("merge")
    @precondition(lambda self: self.pending_webhooks)
    @_step
    def deliver_webhooks(self):
        """Intuit delivers the webhooks it held back."""
        if self.pending_webhooks:
            self.env["qbo.connection"]._qbo_receive_webhook(self.pending_webhooks)
            self.pending_webhooks = []

    # -- faults and time --------------------------------------------------------------------------
    @rule(kind=st.sampled_from(FAULT_KINDS), count=st.integers(min_value=1, max_value=2),
          match=st.sampled_from(FAULT_PATHS))
    @_step
    def fault(self, kind, count, match):
        """The next ``count`` API requests whose path has ``match`` meet ``kind``."""
        self.t.control.fault(kind, count=count, match=match, delay=SLOW_DELAY)

    @rule(minutes=st.sampled_from(MINUTES))
    @_step
    def time_passes(self, minutes):
        """The backoff of temporarily failed records is over; with ``minutes``, QuickBooks' clock
        also moves on, past the overlap of the next CDC (one minute)."""
        self.t.make_retries_due()
        if minutes:
            with self.t.fake.state.lock:
                self.t.fake.state.clock.advance(60 * minutes)

    # -- runs -------------------------------------------------------------------------------------
    @rule()
    @_step
    def push(self):
        self._run("push")

    @rule()
    @_step
    def pull(self):
        self._run("pull")

    def _run(self, direction):
        """One cron run, as Odoo calls it, in a savepoint of its own (a run that raises is undone,
        as a worker's transaction would be), then the reply of a slow request is waited for."""
        Run = self.env["qbo.sync.run"]
        last_run = Run.search([], limit=1, order="id desc").id or 0
        crash = None
        started = time.monotonic()
        with mute_logger(*QUIET_LOGGERS):
            try:
                with self.env.cr.savepoint():
                    getattr(self.env["qbo.connection"], "_cron_qbo_%s" % direction)()
            except Exception as e:  # noqa: BLE001 - any exception escaping a cron is the finding
                crash = e
            self._settle()
        self._count(direction, started)
        if crash is not None:
            raise EngineCrash("the %s cron raised %r" % (direction, crash)) from crash
        for run in Run.search([("id", ">", last_run), ("state", "=", "stopped")]):
            message = run.message or ""
            if "Traceback" in message:
                last = message.strip().splitlines()[-1]
                if "QBO" in last.split(":")[0]:
                    # A QuickBooks error that ended the run (e.g. the matching query timed out):
                    # nothing lost, the next run retries; noted, not a failure.
                    self.notes.append("%s run stopped on %s" % (direction, last))
                    continue
                raise EngineCrash("the %s run stopped on an exception:\n%s" % (direction, message))
        self._checkpoint()

    def _settle(self):
        """Wait until QuickBooks has answered every request (a slow one writes after the client gave up)."""
        entries = self.t.fake.requests.entries
        deadline = time.monotonic() + 10
        while any(e["status"] is None for e in entries[self.request_mark:]) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.request_mark = len(entries)

    def _checkpoint(self):
        """Writes both sides now hold are delivered."""
        for entity in self.entities:
            partner, customer = self._partner(entity), self._customer(entity)
            if not (partner and customer):
                continue
            for writes in entity.writes.values():
                for write in writes:
                    if write.state == "pending" and holds(partner, customer, write.field, write.value):
                        write.state, write.delivered_at = "delivered", self.seq

    # -- the end: quiet, then the invariants ------------------------------------------------------
    def teardown(self):
        started = time.monotonic()
        try:
            if not self._busy:
                self._quiesce()
                self._check()
        except Exception as e:
            e.interleaving_trace = list(self.trace)
            raise
        finally:
            self.t.control.clear_faults()
            self.savepoint.close(rollback=True)
            self.env.invalidate_all()
            self._count("teardown", started)
            if STATS is not None:
                STATS["steps"] += self.seq

    def _quiesce(self):
        """No fault left, the held webhooks delivered, a lost authorization given again; then
        uploads and downloads alternate until nothing changes and nothing waits to go up."""
        self.t.control.clear_faults()
        if self.pending_webhooks:
            self.env["qbo.connection"]._qbo_receive_webhook(self.pending_webhooks)
            self.pending_webhooks = []
        # Two rounds at least: a download may leave work to the next one (a change it met during
        # a full import comes again with the next CDC).
        previous = None
        for _round in range(QUIET_ROUNDS):
            if self.connection.state != "connected":
                self.notes.append("connection %s: connected again" % self.connection.state)
                self.t._connect()
            self.t.make_retries_due()
            self._run("push")
            self._run("pull")
            snapshot = self._snapshot()
            waiting = self._bindings().filtered(lambda b: b.state in ("to_push", "waiting"))
            if snapshot == previous and not waiting:
                return
            previous = snapshot
        self._fail(NeverQuiet, "still changing after %s upload+download rounds without faults; to upload: %s" % (
            QUIET_ROUNDS, [(b.res_id, b.qbo_id, b.state, b.last_error) for b in waiting]))

    def _snapshot(self):
        bindings = sorted((b.id, b.res_id, b.qbo_id or "", b.state, b.qbo_sync_token or "", b.request_id or "")
                          for b in self._bindings())
        partners = sorted((p.id, p.name or "", p.email or "", p.phone or "", p.active)
                          for p in self._schedule_partners())
        with self.t.fake.state.lock:
            customers = sorted((c["Id"], c["SyncToken"]) for c in self.company.all("Customer"))
        return bindings, partners, customers

    def _schedule_partners(self):
        return self.env["res.partner"].with_context(active_test=False).search(
            [("id", ">", self.partner_floor), ("parent_id", "=", False)])

    def _history(self):
        lines = ["entities:"]
        for entity in self.entities:
            lines.append("  %r" % entity)
            for writes in entity.writes.values():
                lines.extend("    %r" % write for write in writes)
        lines.append("bindings: %s" % [(b.res_id, b.qbo_id, b.state, b.last_error) for b in self._bindings()])
        with self.t.fake.state.lock:
            lines.append("QuickBooks: %s" % [
                (c["Id"], c.get("DisplayName"), (c.get("PrimaryEmailAddr") or {}).get("Address"),
                 (c.get("PrimaryPhone") or {}).get("FreeFormNumber"), c.get("Active"))
                for c in self.company.all("Customer")])
        lines.append("Odoo: %s" % [(p.id, p.name, p.email, p.phone, p.active) for p in self._schedule_partners()])
        if self.notes:
            lines.append("notes: %s" % self.notes)
        return "\n".join(lines)

    def _fail(self, kind, message):
        raise kind("%s\n%s" % (message, self._history()))

    def _check(self):
        self._check_bindings()
        self._check_duplicates()
        self._check_pairs()
        for entity in self.entities:
            if not entity.merged:
                self._check_changes(entity)

    def _check_bindings(self):
        """(4) Nothing stuck: an error only where the schedule says why, always with a message."""
        for binding in self._bindings():
            if binding.state != "synced" and not binding.last_error:
                self._fail(BindingStuck, "binding of partner %s (QuickBooks %s) %s without a message" % (
                    binding.res_id, binding.qbo_id, binding.state))
            if binding.state != "synced" and binding.qbo_id not in self.lost_merges:
                self._fail(BindingStuck, "binding of partner %s (QuickBooks %s) %s: %s" % (
                    binding.res_id, binding.qbo_id, binding.state, binding.last_error))
            if not binding.res_id:
                self._fail(BindingStuck, "QuickBooks %s parked without a partner (%s): %s" % (
                    binding.qbo_id, binding.state, binding.last_error))

    def _check_duplicates(self):
        """(1) Each customer once on each side, and linked once."""
        bindings = self._bindings()
        by_partner = Counter(b.res_id for b in bindings if b.res_id)
        with self.t.fake.state.lock:
            customers = [dict(c) for c in self.company.all("Customer")]
        ids = {c["Id"] for c in customers}
        names = Counter(qbo_view(c, "name").casefold() for c in customers)
        emails = Counter((qbo_view(c, "email", full=False) or "").casefold() for c in customers)
        for name, count in names.items():
            if count > 1:
                self._fail(Duplicate, "%s QuickBooks customers named %r" % (count, name))
        for email, count in emails.items():
            if email and count > 1:
                self._fail(Duplicate, "%s QuickBooks customers with the e-mail %r" % (count, email))
        bound = Counter(b.qbo_id for b in bindings if b.qbo_id)
        for customer in customers:
            if bound[customer["Id"]] != 1:
                self._fail(Duplicate, "QuickBooks customer %s (%s) linked %s times" % (
                    customer["Id"], customer.get("DisplayName"), bound[customer["Id"]]))
        for binding in bindings:
            if binding.qbo_id and binding.qbo_id not in ids and binding.qbo_id not in self.lost_merges:
                self._fail(Duplicate, "partner %s linked to QuickBooks %s, which does not exist" % (
                    binding.res_id, binding.qbo_id))
        merged_away = {e.partner_id for e in self.entities if e.merged == "away"}
        partners = self._schedule_partners()
        for partner in partners:
            if by_partner[partner.id] != 1 and not (partner.id in merged_away and not partner.active):
                self._fail(Duplicate, "partner %s (%s) linked %s times" % (
                    partner.id, partner.name, by_partner[partner.id]))
        for name, count in Counter(p.name.casefold() for p in partners).items():
            if count > 1:
                self._fail(Duplicate, "%s Odoo partners named %r" % (count, name))
        for email, count in Counter((first_email(p.email) or "").casefold() for p in partners).items():
            if email and count > 1:
                self._fail(Duplicate, "%s Odoo partners with the e-mail %r" % (count, email))

    def _check_pairs(self):
        """(2) Both sides equal, field by field, for every synced pair."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        with self.t.fake.state.lock:
            customers = {c["Id"]: dict(c) for c in self.company.all("Customer")}
        for binding in self._bindings().filtered(lambda b: b.state == "synced"):
            partner, customer = Partner.browse(binding.res_id), customers.get(binding.qbo_id)
            for name in FIELDS:
                odoo, qbo = odoo_view(partner, name), qbo_view(customer, name, full=False)
                if odoo != qbo:
                    self._fail(SidesDiffer, "partner %s / QuickBooks %s: %s is %r in Odoo, %r in QuickBooks" % (
                        partner.id, binding.qbo_id, name, odoo, qbo))

    def _losing_logged(self, entity, write):
        """Whether a conflict line logged after ``write`` keeps its value as the losing version."""
        logs = self.env["qbo.sync.log"].search([
            ("id", ">", write.log_mark), ("res_model", "=", "res.partner"), ("res_id", "in", list(entity.partner_ids)),
            ("losing_side", "=", write.side)])
        for log in logs:
            values = log.losing_values or {}
            if write.field in values:
                logged = values[write.field]
                if write.field == "email":
                    logged, expected = first_email(logged), first_email(write.value)
                elif write.field == "active":
                    logged, expected = logged is not False, write.value
                else:
                    expected = write.value
                if logged == expected:
                    return True
        return False

    @staticmethod
    def _concurrent(write, other):
        """Neither reached the other side before the other was written."""
        return (write.delivered_at is None or write.delivered_at >= other.seq) and \
            (other.delivered_at is None or other.delivered_at >= write.seq)

    def _check_changes(self, entity):
        """(3) Every change is on both sides or kept as a losing version, and it lost to a change
        of the same field on the other side; each field ends with its last write that did not lose."""
        partner, customer = self._partner(entity), self._customer(entity)
        if partner:
            entity.partner_ids.add(partner.id)
        for name, writes in entity.writes.items():
            lost = set()
            for write in writes:
                if write.state != "pending":
                    continue
                if not self._losing_logged(entity, write):
                    self._fail(ChangeLost, "E%s: %r never reached the other side and no conflict log keeps it" % (
                        entity.key, write))
                if not any(o.side != write.side and self._concurrent(write, o) for o in writes):
                    self._fail(DisjointChangeLost, "E%s: %r lost a conflict although the other side did not "
                                                   "change %s" % (entity.key, write, name))
                lost.add(write)
            kept = [w for w in writes if w not in lost and w.state in ("pending", "delivered")]
            if not kept or not (partner and customer):
                continue
            last = max(kept, key=lambda w: w.seq)
            if not holds(partner, customer, name, last.value):
                self._fail(WrongFinalValue, "E%s: %s is %r in Odoo and %r in QuickBooks, not %r" % (
                    entity.key, name, odoo_view(partner, name), qbo_view(customer, name), last))


def prepare(case):
    """Make ``case`` (a SyncCaseMixin TransactionCase, in its setUp) the machine's: schedules run
    in it, and an API call times out after API_TIMEOUT s (a "slow" fault is then a lost reply)."""
    InterleavingMachine.case = case
    case.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, str(API_TIMEOUT))


def run_interleavings(case, schedules=SCHEDULES, steps=STEPS):
    """Run ``schedules`` random schedules of at most ``steps`` steps in the test ``case``; on
    failure, raise one AssertionError giving, for each kind of failure found, its schedule with
    as few steps as ``shrink`` finds, as a test method to paste into the case."""
    prepare(case)
    options = {
        "max_examples": schedules, "stateful_step_count": steps, "deadline": None,
        "suppress_health_check": list(HealthCheck), "database": None, "print_blob": False,
        "derandomize": not SEED,
    }
    if not HYPOTHESIS_SHRINK:
        # Hypothesis' shrinker tries each choice of the schedule before removing steps: at about
        # half a second a schedule it gives up after five minutes with half the steps still in.
        # Removing steps first (``shrink``) gets the short schedule in a minute.
        options["phases"] = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    factory = InterleavingMachine
    if SEED and SEED != "random":
        factory = hypothesis_seed(int(SEED))(functools.partial(InterleavingMachine))
    started = time.monotonic()
    try:
        run_state_machine_as_test(factory, settings=settings(**options))
    except Exception as e:  # noqa: BLE001 - every failure is shrunk and reported below
        failures = getattr(e, "exceptions", None) or [e]  # an ExceptionGroup when several kinds
        reports = []
        for failure in failures:
            trace = getattr(failure, "interleaving_trace", None)
            if trace is None:
                raise
            steps_, last = shrink(trace, type(failure))
            reports.append(as_test_method(steps_, last))
        # Hypothesis' own report (the schedule as drawn, unshrunk) would only bury these.
        raise AssertionError("%s kind(s) of failure in random interleavings; each one's shortest schedule "
                             "found:\n\n%s" % (len(reports), "\n\n".join(reports))) from None
    finally:
        if STATS is not None:
            STATS["total"] += time.monotonic() - started
            _logger.warning("interleavings stats: %s", dict(STATS))


def replay(trace):
    """Run the schedule ``trace`` [(rule name, arguments)] on a fresh machine; return None when
    every invariant holds, else the exception."""
    machine = InterleavingMachine()
    try:
        try:
            for name, kwargs in trace:
                getattr(machine, name)(**kwargs)
        finally:
            machine.teardown()
    except Exception as e:  # noqa: BLE001 - the failure is the result
        return e
    return None


SIMPLER = {"which": 0, "into": 0, "count": 1, "match": "", "company": True, "phone": False,
           "two_emails": False, "webhook": "now", "policy": "last_updated", "minutes": 0}


def shrink(trace, kind, budget=SHRINK_BUDGET):
    """The shortest schedule found that still fails with ``kind``, in at most ``budget`` replays:
    runs of steps removed (halves first, then single steps), then pairs of steps (a fault and
    the run it stops, say), then arguments made simpler, while it still fails so.

    :return: (the schedule, the failure it ends with)
    """
    trace, last, runs = list(trace), None, 0

    def fails(candidate):
        nonlocal last, runs
        if runs >= budget:
            return False
        runs += 1
        error = replay(candidate)
        if type(error) is kind:
            last = error
            return True
        return False

    def remove_runs():
        nonlocal trace
        size, removed = max(len(trace) // 2, 1), False
        while size >= 1:
            start = len(trace) - size
            while start >= 0:
                candidate = trace[:start] + trace[start + size:]
                if fails(candidate):
                    trace, removed = candidate, True
                start = min(start - size, len(trace) - size)
            size //= 2
        return removed

    def remove_pairs():
        nonlocal trace
        for i in range(len(trace)):
            for j in range(i + 1, len(trace)):
                candidate = [step for k, step in enumerate(trace) if k not in (i, j)]
                if fails(candidate):
                    trace = candidate
                    return True
        return False

    def simplify():
        nonlocal trace
        changed = False
        for index in range(len(trace)):
            for key, simple in SIMPLER.items():
                name, kwargs = trace[index]
                if key in kwargs and kwargs[key] != simple:
                    candidate = trace[:index] + [(name, dict(kwargs, **{key: simple}))] + trace[index + 1:]
                    if fails(candidate):
                        trace, changed = candidate, True
        return changed

    if not fails(trace):
        return trace, "(the schedule did not fail again when replayed: timing-dependent?)"
    while runs < budget and (remove_runs() or remove_pairs() or simplify()):
        pass
    return trace, last


def as_test_method(trace, failure):
    """The schedule as a test method of the case (``InterleavingMachine.case`` set in setUp),
    followed by the failure it ends with."""
    name = type(failure).__name__ if isinstance(failure, Exception) else "failure"
    lines = ["    def test_interleaving_%s(self):" % "".join(
        "_" + c.lower() if c.isupper() else c for c in name).lstrip("_"),
             "        state = InterleavingMachine()"]
    lines += ["        state.%s(%s)" % (rule_name, ", ".join("%s=%r" % item for item in sorted(kwargs.items())))
              for rule_name, kwargs in trace]
    lines.append("        state.teardown()")
    return "\n".join(lines) + "\n\n    # -> %s: %s" % (name, str(failure).replace("\n", "\n    #    "))
