"""`FakeQBO`: the server object (state, OAuth, webhooks, request log, faults, throttle) and the
threaded werkzeug server that runs it in a daemon thread.
"""
import collections
import contextlib
import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server

from . import company, webhooks
from .app import App
from .oauth import OAuth
from .store import State

DEFAULT_LIMITS = {"per_minute": 500, "concurrent": 10, "batch_per_minute": 40}


class UnknownRealm(KeyError):
    """A realm id no company has (the control API answers it as a 400 {"error": ...})."""

    def __str__(self):
        return f"unknown realm {self.args[0]}"


def _integer(name, value, minimum=None):
    """`value` as an int (JSON numbers and numeric strings, as int() reads them); ValueError otherwise."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        number = None
    if (number is None or isinstance(value, bool) or (isinstance(value, float) and value != number)
            or (minimum is not None and number < minimum)):
        kind = "a non-negative integer" if minimum == 0 else "an integer"
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return number


class QuietHandler(WSGIRequestHandler):
    """No access log on stderr: the request log (`/_fake/requests`) records every API call."""

    def log_request(self, *args, **kwargs):
        pass


class RequestLog:
    """Every API and token request: what tests and benchmarks count."""

    def __init__(self, clock):
        self.clock, self.lock, self.entries, self.seq = clock, threading.Lock(), [], 0

    def start(self, request, realm, tid):
        with self.lock:
            self.seq += 1
            entry = {"seq": self.seq, "method": request.method, "path": request.path,
                     "query": request.query_string.decode("latin-1"), "entity": None, "operation": None,
                     "status": None, "requestid": None, "intuit_tid": tid, "realm": realm,
                     "batch_items": None, "time": self.clock.time()}
            self.entries.append(entry)
        return entry

    def finish(self, entry, status, **info):
        entry.update(info, status=status)

    def since(self, seq):
        with self.lock:
            return [dict(e) for e in self.entries if e["seq"] > seq]

    def clear(self):
        with self.lock:
            self.entries.clear()


class Faults:
    """Injected failures: the next N API requests whose path contains `match`."""

    def __init__(self):
        self.lock, self.pending = threading.Lock(), []

    def add(self, kind, count=1, match="", delay=5):
        if kind not in ("429", "500", "503", "slow", "drop", "401"):
            raise ValueError(f"unknown fault kind {kind!r}")
        with self.lock:
            self.pending.append({"kind": kind, "count": int(count), "match": match or "", "delay": float(delay)})

    def take(self, path):
        with self.lock:
            for fault in self.pending:
                if fault["match"] in path:
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        self.pending.remove(fault)
                    return dict(fault)
        return None

    def clear(self):
        with self.lock:
            self.pending.clear()


class Throttle:
    """QuickBooks' per-realm limits (429 / 3001 when exceeded). Off unless enabled."""

    def __init__(self, enabled=False):
        self.enabled, self.limits = enabled, dict(DEFAULT_LIMITS)
        self.lock = threading.Lock()
        self.minute = collections.defaultdict(collections.deque)
        self.batches = collections.defaultdict(collections.deque)
        self.running = collections.Counter()

    @contextlib.contextmanager
    def slot(self, realm, is_batch):
        if not self.enabled:
            yield True
            return
        now = time.monotonic()
        with self.lock:
            allowed = self._admit(realm, is_batch, now)
            if allowed:
                self.running[realm] += 1
        try:
            yield allowed
        finally:
            if allowed:
                with self.lock:
                    self.running[realm] -= 1

    def _admit(self, realm, is_batch, now):
        windows = [(self.minute[realm], self.limits["per_minute"])]
        if is_batch:
            windows.append((self.batches[realm], self.limits["batch_per_minute"]))
        for window, _ in windows:
            while window and window[0] < now - 60:
                window.popleft()
        if self.running[realm] >= self.limits["concurrent"] or any(len(w) >= n for w, n in windows):
            return False
        for window, _ in windows:
            window.append(now)
        return True


class FakeQBO:
    # The defaults are the fake's documented, public test credentials (README), not secrets.
    def __init__(self, client_id="fake-client-id", client_secret="fake-client-secret",  # noqa: S107
                 verifier_token="fake-verifier-token", webhook_url=None, webhook_format="legacy",  # noqa: S107
                 seed=None, country="US", multicurrency=False, throttle=False, auto_approve=False,
                 host="127.0.0.1", port=0):
        self.host, self.port = host, port
        self.country, self.multicurrency, self.seed = country, multicurrency, seed
        self.state = State()
        self.oauth = OAuth(self.state.clock, client_id, client_secret)
        self.requests = RequestLog(self.state.clock)
        self.faults = Faults()
        self.throttle = Throttle(throttle)
        self.webhooks = webhooks.Dispatcher(verifier_token, webhook_url, webhook_format)
        self.consent = {"mode": "approve" if auto_approve else "ask", "realm": None}
        self._server = self._thread = None
        self.reset()

    # --- companies ---------------------------------------------------------------------------
    def reset(self):
        """Fresh state: the default company with its base lists (+ the configured seed)."""
        with self.state.lock:
            self.state.companies.clear()
            self.realm_id = self.add_company(self.country, self.multicurrency)
            self.consent["realm"] = None
        if self.seed:
            self.seed_company({"customers": int(self.seed), "seed": int(self.seed)})

    def add_company(self, country="US", multicurrency=False, name=None):
        with self.state.lock:
            realm = self.state.new_realm_id()
            co = company.new_company(realm, self.state.clock, country, multicurrency, name)
            co.listeners.append(self.webhooks.notify)
            self.state.companies[realm] = co
        return realm

    def company(self, realm=None):
        try:
            return self.state.companies[realm or self.realm_id]
        except KeyError:
            raise UnknownRealm(realm) from None

    def seed_company(self, options, realm=None):
        """Deterministic data through fake_qbo.seed.populate; returns {entity: [ids created]}.

        `options`: counts (keys of seed.COUNT_KEYS), `seed` (default 42) and `realm`. `customers` N
        brings seed.counts_for(N) (the documented proportional counts); other counts given override
        those. Unknown keys or values that are not non-negative integers → ValueError, before any write.
        """
        from . import seed
        allowed = (*seed.COUNT_KEYS, "seed", "realm")
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise ValueError(f"unknown seed options {unknown}; expected some of {list(allowed)}")
        counts = {k: _integer(k, v, minimum=0) for k, v in options.items() if k in seed.COUNT_KEYS}
        if "customers" in counts:
            counts = dict(seed.counts_for(counts["customers"]), **counts)
        seed_value = _integer("seed", options.get("seed", 42))
        co = self.company(realm or options.get("realm"))
        with self.state.lock:
            return seed.populate(co.seed_api(), counts, seed_value, co.country)

    def consent_mode(self):
        return self.consent["mode"]

    def consent_company(self):
        return self.company(self.consent["realm"])

    # --- the HTTP server ----------------------------------------------------------------------
    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def discovery_url(self):
        return f"{self.url}/.well-known/openid_configuration"

    @property
    def api_base(self):
        return f"{self.url}/v3"

    def start(self):
        self._server = make_server(self.host, self.port, App(self), threaded=True, request_handler=QuietHandler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-qbo", daemon=True)
        self._thread.start()
        self.webhooks.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self.webhooks.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
