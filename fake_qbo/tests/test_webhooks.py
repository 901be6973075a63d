"""Webhook signatures (Intuit's known-answer vectors) and live delivery with retries."""
import http.server
import json
import threading
import time

import pytest
import requests
from qbo_helpers import create, invoice_body

from fake_qbo import webhooks
from fake_qbo.control import Control

VECTORS = [("webhook_notification.json", "b5771f19b12ddb4bcdb9f08bdc50bc63878a",
            "JC2GUwciPmRBwEO7WvrRmKqu9tGOKL8FFallocTFi8Q="),
           ("webhook_notification_multi_entity.json", "00faeec4-08d0-4996-bb37-698ae19f0149",
            "6q+xGyMirJupwKTh2/WBl2NcdxzxqdIbk3sneKTxLWM=")]


@pytest.mark.parametrize("name,token,signature", VECTORS)
def test_signature_known_answers(fixtures, name, token, signature):
    assert webhooks.sign(token, (fixtures / name).read_bytes()) == signature


class Receiver:
    """A local HTTP receiver that fails its first `fail` requests with 500."""

    def __init__(self, fail=0):
        self.fail, self.got, self.statuses = fail, [], []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if outer.fail > 0 else 200
                outer.fail -= 1
                outer.statuses.append(status)
                if status == 200:
                    outer.got.append((body, self.headers["intuit-signature"]))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def wait(self, n, timeout=5):
        end = time.time() + timeout
        while len(self.got) < n and time.time() < end:
            time.sleep(0.02)
        return self.got


def test_live_delivery_with_retries_legacy(fresh, qb):
    with Receiver(fail=2) as rcv:
        Control(fresh.url).config(webhook_url=rcv.url, webhook_retry_delays=[0, 0.05, 0.05, 0.05])
        c = create(qb, "Customer", {"DisplayName": "Hook Me"})
        body, sig = rcv.wait(1)[0]
    assert rcv.statuses == [500, 500, 200]
    assert webhooks.sign("fake-verifier-token", body) == sig
    payload = json.loads(body)
    ent = payload["eventNotifications"][0]["dataChangeEvent"]["entities"][0]
    assert payload["eventNotifications"][0]["realmId"] == fresh.realm_id
    assert (ent["name"], ent["id"], ent["operation"]) == ("Customer", c["Id"], "Create")
    record = Control(fresh.url).webhooks()[-1]
    assert record["attempts"] == 3 and record["delivered"] is True


def test_cloudevents_void_delete_and_merge(fresh, qb):
    with Receiver() as rcv:
        Control(fresh.url).config(webhook_url=rcv.url, webhook_format="cloudevents", webhook_retry_delays=[0])
        a = create(qb, "Customer", {"DisplayName": "Merge From"})
        b = create(qb, "Customer", {"DisplayName": "Merge To"})
        Control(fresh.url).merge("Customer", a["Id"], b["Id"])
        inv = create(qb, "Invoice", invoice_body(b["Id"], 9))
        end = time.time() + 5
        while time.time() < end:
            events = [e for body, _ in rcv.got for e in json.loads(body)]
            if {"qbo.invoice.created.v1", "qbo.customer.merged.v1"} <= {e["type"] for e in events}:
                break
            time.sleep(0.02)
    types = [e["type"] for e in events]
    assert "qbo.customer.created.v1" in types and "qbo.invoice.created.v1" in types
    merged = [e for e in events if e["type"] == "qbo.customer.merged.v1"][0]
    assert merged["intuitentityid"] == b["Id"] and merged["data"] == {"deletedid": a["Id"]}
    assert all(e["specversion"] == "1.0" and e["intuitaccountid"] == fresh.realm_id for e in events)
    assert inv["Id"]


def test_merge_shows_in_cdc_as_deleted(fresh, raw):
    a = raw.post("customer", {"DisplayName": "Gone"}).json()["Customer"]
    b = raw.post("customer", {"DisplayName": "Stays"}).json()["Customer"]
    Control(fresh.url).merge("Customer", a["Id"], b["Id"])
    since = fresh.state.clock.now().replace(hour=0, minute=0, second=0).isoformat(timespec="seconds")
    cdc = raw.get("cdc", entities="Customer", changedSince=since).json()
    rows = cdc["CDCResponse"][0]["QueryResponse"][0]["Customer"]
    by_id = {r["Id"]: r for r in rows}
    assert by_id[a["Id"]]["status"] == "Deleted" and by_id[b["Id"]]["SyncToken"] == "1"


def test_webhook_url_must_be_http(fresh):
    """Deliveries go through urllib, which would open file:/ftp: URLs too: only http(s) is taken."""
    for bad in ("file:///etc/passwd", "ftp://127.0.0.1/x", "http:nohost"):
        with pytest.raises(ValueError, match="http:// or https://"):
            webhooks.check_url(bad)
        with pytest.raises(ValueError, match="http:// or https://"):
            webhooks.Dispatcher("token", bad)
    assert webhooks.check_url("https://example.test/hook") == "https://example.test/hook"
    assert webhooks.check_url(None) is None
    r = requests.post(f"{fresh.url}/_fake/config", json={"webhook_url": "file:///etc/passwd"}, timeout=10)
    assert r.status_code == 400 and "http:// or https://" in r.json()["error"]
    assert fresh.webhooks.url is None
