"""Webhook notifications: legacy `eventNotifications` or CloudEvents, signed with
`intuit-signature` = base64(HMAC-SHA256(verifier token, raw body)), delivered in order by one
background thread, retried on failure after configurable delays (Intuit: 0 s, 10 s, 20 s, 30 s,
5 min, …); a failing delivery holds back the later ones, as Intuit does.
"""
import base64
import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import timezone
from urllib.parse import urlsplit

# Entities Intuit sends webhooks for (QBO_API.md §7), restricted to those the fake serves.
ENTITIES = {"Account", "CreditMemo", "Customer", "Employee", "Estimate", "Invoice", "Item", "Payment",
            "PaymentMethod", "Preferences", "SalesReceipt", "Term", "Vendor"}
DEFAULT_DELAYS = [0, 10, 20, 30, 300, 1200, 7200, 14400, 21600]
VERBS = {"Create": "created", "Update": "updated", "Delete": "deleted", "Merge": "merged",
         "Void": "voided", "Emailed": "emailed"}
BATCH_WINDOW = 0.05     # events of one short burst go out in one notification


def sign(verifier_token, body):
    """The `intuit-signature` header value for the raw body bytes."""
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def check_url(url):
    """`url` if it is an http(s) URL (or empty: webhooks off); ValueError otherwise.

    The delivery thread POSTs with urllib, which would also open file:, ftp: or data: URLs.
    """
    parts = urlsplit(url) if url else None
    if parts is not None and (parts.scheme.lower() not in ("http", "https") or not parts.netloc):
        raise ValueError(f"webhook URL must be an http:// or https:// URL, got {url!r}")
    return url


def _utc(dt):
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def legacy_payload(events):
    by_realm = {}
    for ev in events:
        entity = {"name": ev["entity"], "id": ev["id"], "operation": ev["operation"],
                  "lastUpdated": _utc(ev["time"])}
        if ev.get("deleted_id"):
            entity["deletedId"] = ev["deleted_id"]
        by_realm.setdefault(ev["realm"], []).append(entity)
    return {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": ents}}
                                   for realm, ents in by_realm.items()]}


def cloudevents_payload(events):
    out = []
    for ev in events:
        data = {"deletedid": ev["deleted_id"]} if ev.get("deleted_id") else {}
        out.append({"specversion": "1.0", "id": f"{uuid.uuid4()}-{ev['entity']}-{ev['id']}",
                    "source": "intuit.fake-qbo", "type": f"qbo.{ev['entity'].lower()}.{VERBS[ev['operation']]}.v1",
                    "datacontenttype": "application/json", "time": _utc(ev["time"]),
                    "intuitentityid": ev["id"], "intuitaccountid": ev["realm"], "data": data})
    return out


class Dispatcher:
    def __init__(self, verifier_token, url=None, fmt="legacy", delays=None):
        self.verifier_token, self.url, self.format = verifier_token, url, fmt     # url: checked by the setter
        self.delays = list(DEFAULT_DELAYS if delays is None else delays)
        self.queue = queue.Queue()
        self.deliveries = []
        self.lock = threading.Lock()
        self._thread = None
        self._stop = threading.Event()

    @property
    def url(self):
        return self._url

    @url.setter
    def url(self, value):
        self._url = check_url(value)

    def notify(self, realm, entity, id_, operation, when, extra=None):
        """Store listener: queue one change (called under the state lock, so it must be quick)."""
        if self.url and entity in ENTITIES:
            self.queue.put({"realm": realm, "entity": entity, "id": id_, "operation": operation,
                            "time": when, "deleted_id": (extra or {}).get("deleted_id")})

    def start(self):
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="fake-qbo-webhooks", daemon=True)
            self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def _run(self):
        while not self._stop.is_set():
            try:
                events = [self.queue.get(timeout=0.1)]
            except queue.Empty:
                continue
            time.sleep(BATCH_WINDOW)
            while not self.queue.empty():
                events.append(self.queue.get_nowait())
            self._deliver(events)

    def _deliver(self, events):
        payload = legacy_payload(events) if self.format == "legacy" else cloudevents_payload(events)
        body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        record = {"url": self.url, "format": self.format, "body": body.decode("utf-8"),
                  "signature": sign(self.verifier_token, body), "status": None, "attempts": 0,
                  "delivered": False, "events": len(events)}
        with self.lock:
            self.deliveries.append(record)
        for delay in self.delays:
            if self._stop.wait(delay):
                return
            record["attempts"] += 1
            record["status"] = self._post(record["url"], body, record["signature"])
            if record["status"] is not None and 200 <= record["status"] < 300:
                record["delivered"] = True
                return

    @staticmethod
    def _post(url, body, signature):
        req = urllib.request.Request(check_url(url), data=body, method="POST", headers={  # noqa: S310 (http/https only)
            "Content-Type": "application/json", "intuit-signature": signature,
            "User-Agent": "fake-qbo-webhooks"})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 (check_url: http/https only)
                return resp.status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return None

    def snapshot(self):
        with self.lock:
            return [dict(d) for d in self.deliveries]
