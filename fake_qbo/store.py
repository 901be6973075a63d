"""Per-realm company state: records, Id counters, SyncTokens, MetaData, the clock and the journal.

Stored objects are never mutated once stored (copy-on-write): a change stores a new dict, so a
reader may serialise a reference it got without holding the lock. Every change goes through
`insert`, `replace` or `remove`, which keep the indexes, the journal (CDC) and the change
listeners (webhooks) in step.
"""
import bisect
import threading
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

# QuickBooks writes times in the company's zone; the fake uses Pacific daylight time, as the
# sandbox fixtures do ("-07:00").
TZ = timezone(timedelta(hours=-7))


CURRENCY_NAMES = {"USD": "United States Dollar", "CAD": "Canadian Dollar", "GBP": "British Pound Sterling",
                  "AUD": "Australian Dollar", "EUR": "Euro", "BRL": "Brazilian Real", "INR": "Indian Rupee",
                  "MXN": "Mexican Peso", "JPY": "Japanese Yen"}


class Clock:
    """The fake's notion of now: real time plus an offset moved by the control API."""

    def __init__(self):
        self.offset = timedelta(0)

    def now(self):
        return datetime.now(TZ) + self.offset

    def advance(self, seconds):
        self.offset += timedelta(seconds=float(seconds))

    def set(self, iso):
        self.offset = parse_time(iso) - datetime.now(TZ)

    def stamp(self, dt=None):
        """MetaData format: 2015-10-01T16:54:59-07:00."""
        return (dt or self.now()).astimezone(TZ).isoformat(timespec="seconds")

    def time(self):
        """The `time` of a reply: 2020-09-29T06:04:48.863-07:00."""
        return self.now().isoformat(timespec="milliseconds")

    def today(self):
        return self.now().date().isoformat()


def parse_time(text):
    """Parse the date-times QuickBooks accepts (offset as -07:00, -0700 or Z; none = company zone)."""
    text = text.strip().replace(" ", "+")
    if len(text) == 10:
        dt = datetime.combine(date.fromisoformat(text), datetime.min.time())
    else:
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        elif len(text) > 5 and text[-5] in "+-" and text[-3] != ":" and "T" in text:
            text = text[:-2] + ":" + text[-2:]
        dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=TZ)


class Company:
    """One QuickBooks company (realm)."""

    def __init__(self, realm_id, clock, country="US", multicurrency=False, name=None):
        self.realm_id = realm_id
        self.clock = clock
        self.country = country
        self.multicurrency = multicurrency
        self.name = name or f"Sandbox Company_{country}_1"
        self.records = defaultdict(dict)      # entity -> {Id: object}
        self.counters = defaultdict(int)      # entity -> last Id issued
        self.names = {}                       # (namespace, casefolded name) -> Id
        self.docnums = {}                     # (entity, DocNumber) -> Id
        self.journal_times = []               # sorted change times, parallel to journal
        self.journal = []                     # (time, entity, Id, operation)
        self.deleted = defaultdict(dict)      # entity -> {Id: CDC stub}
        self.requestids = {}                  # requestid -> (status, headers, body bytes)
        self.applied = defaultdict(dict)      # (entity, Id) of a txn -> {(src entity, src Id): amount}
        self.deposited = {}                   # (entity, Id) of a payment / sales receipt -> Deposit Id
        self.links = {}                       # ("Estimate", Id) -> Ids of invoices made from it
        self.listeners = []                   # callables(realm_id, entity, Id, operation, time, extra)
        self.allow_duplicate_docnum = False   # ?include=allowduplicatedocnum on the current request
        # Tax rounding of the region (QBO_API.md §10 Tax): "line" (each line, then summed: Canada)
        # or "total" (once per rate on the sum); /_fake/config {"tax_rounding", "realm"} sets it.
        self.tax_rounding = "line" if country == "CA" else "total"

    # --- reads -----------------------------------------------------------------------------
    def get(self, entity, id_):
        return self.records.get(entity, {}).get(str(id_))

    def all(self, entity):
        return list(self.records.get(entity, {}).values())

    def preference(self, section, key=None):
        prefs = self.get("Preferences", "1") or {}
        value = prefs.get(section)
        return value if key is None else (value or {}).get(key)

    def home_currency(self):
        return (self.preference("CurrencyPrefs", "HomeCurrency") or {}).get("value", "USD")

    def currency_name(self, code):
        return CURRENCY_NAMES.get(code, code)

    def account_ref(self, name):
        id_ = self.names.get(("Account", name.casefold()))
        return {"value": id_, "name": name} if id_ else None

    def discount_account_ref(self):
        id_ = self.preference("SalesFormsPrefs", "DefaultDiscountAccount")
        account = self.get("Account", id_) if id_ else None
        return {"value": account["Id"], "name": account["Name"]} if account else None

    def default_item_ref(self):
        """Lines without ItemRef use the company's default item ("Services")."""
        for nv in (self.preference("OtherPrefs") or {}).get("NameValue", []):
            if nv["Name"] == "SalesFormsPrefs.DefaultItem" and self.get("Item", nv["Value"]):
                item = self.get("Item", nv["Value"])
                return {"value": item["Id"], "name": item["FullyQualifiedName"]}
        return None

    def next_docnumber(self, entity):
        """The next free number of a sales form, from 1001 on (as in the sandbox)."""
        n = self.counters.get("doc:" + entity, 1000)
        while True:
            n += 1
            if (entity, str(n)) not in self.docnums:
                self.counters["doc:" + entity] = n
                return str(n)

    def seed_api(self):
        """The adapter fake_qbo.seed.populate writes through (full validation, computed fields)."""
        return SeedAPI(self)

    # --- writes ----------------------------------------------------------------------------
    def next_id(self, entity):
        self.counters[entity] += 1
        return str(self.counters[entity])

    def insert(self, entity, obj, operation="Create"):
        """Store a new object: Id (unless preset), SyncToken 0, MetaData; journal it."""
        now = self.clock.now()
        obj.setdefault("Id", self.next_id(entity))
        obj["SyncToken"] = "0"
        obj["MetaData"] = {"CreateTime": self.clock.stamp(now), "LastUpdatedTime": self.clock.stamp(now)}
        self.records[entity][obj["Id"]] = obj
        self._log(now, entity, obj["Id"], operation)
        return obj

    def replace(self, entity, obj, operation="Update", extra=None, bump=True):
        """Store a new version of an existing object (SyncToken+1 unless `bump` is False)."""
        now = self.clock.now()
        old = self.records[entity][obj["Id"]]
        obj["SyncToken"] = str(int(old["SyncToken"]) + 1) if bump else old["SyncToken"]
        obj["MetaData"] = dict(old["MetaData"], LastUpdatedTime=self.clock.stamp(now))
        self.records[entity][obj["Id"]] = obj
        if bump:
            self._log(now, entity, obj["Id"], operation, extra)
        return obj

    def remove(self, entity, id_, operation="Delete"):
        """Hard-delete: the object only survives as a CDC stub with status Deleted."""
        now = self.clock.now()
        self.records[entity].pop(id_)
        stub = {"domain": "QBO", "status": "Deleted", "Id": id_,
                "MetaData": {"LastUpdatedTime": self.clock.stamp(now)}}
        self.deleted[entity][id_] = stub
        self._log(now, entity, id_, operation)
        return stub

    def _log(self, now, entity, id_, operation, extra=None):
        i = bisect.bisect_right(self.journal_times, now)
        self.journal_times.insert(i, now)
        self.journal.insert(i, (now, entity, id_, operation))
        for listener in self.listeners:
            listener(self.realm_id, entity, id_, operation, now, extra)

    # --- change data capture -----------------------------------------------------------------
    def changed_since(self, entity, since):
        """Current objects (or Deleted stubs) of `entity` changed at or after `since`."""
        start = bisect.bisect_left(self.journal_times, since)
        ids = dict.fromkeys(id_ for _, ent, id_, _ in self.journal[start:] if ent == entity)
        out = []
        for id_ in ids:
            obj = self.records[entity].get(id_) or self.deleted[entity].get(id_)
            if obj is not None:
                out.append(obj)
        return out


class State:
    """Everything the server holds: companies, tokens, the clock and the one state lock."""

    def __init__(self):
        self.lock = threading.RLock()
        self.clock = Clock()
        self.companies = {}
        self._realm_counter = 0

    def new_realm_id(self):
        self._realm_counter += 1
        return f"9341453{self._realm_counter:09d}"


class SeedAPI:
    """`create(entity, payload) -> stored object`, `query(entity) -> all objects`, `realm_id`, and
    `today()`: the company clock's date, so seeded dates follow `/_fake/clock`."""

    def __init__(self, company):
        self.company = company
        self.realm_id = company.realm_id

    def create(self, entity, payload):
        from . import entities  # entities depend on the store, not the other way round
        return entities.create(self.company, entity, payload)

    def query(self, entity):
        return self.company.all(entity)

    def today(self):
        return self.company.clock.today()
