"""One test per rule at the top of QBO_API.md: the fake enforces each of them."""
import json
import threading
import time
from datetime import timedelta

import pytest
import requests
from qbo_helpers import Raw, connect, create, invoice_body, update
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice

from fake_qbo.control import Control


def test_rule_01_rate_limits(raw, fresh):
    Control(fresh.url).config(throttle=True, limits={"per_minute": 5, "concurrent": 2, "batch_per_minute": 1})
    codes = [raw.get("customer/1").status_code for _ in range(7)]
    assert codes[:5].count(429) == 0 and codes[5:] == [429, 429]
    Control(fresh.url).config(limits={"per_minute": 500, "concurrent": 1})
    Control(fresh.url).fault("slow", count=1, delay=0.5)
    slow = threading.Thread(target=raw.get, args=("preferences",))
    slow.start()
    time.sleep(0.1)
    fresh.throttle.limits["concurrent"] = 1
    assert raw.get("preferences").status_code in (200, 429)
    slow.join()
    batch = {"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Term"}]}
    assert raw.post("batch", batch).status_code == 200
    assert raw.post("batch", batch).status_code == 429


def test_rule_02_throttling_is_429_3001_xml(raw, fresh):
    Control(fresh.url).fault("429", count=1)
    r = raw.get("customer/1")
    assert r.status_code == 429 and r.headers["Content-Type"].startswith("application/xml")
    assert 'code="3001"' in r.text and "ThrottleExceeded" in r.text


def test_rule_03_synctoken(qb):
    c = create(qb, "Customer", {"DisplayName": "Sync"})
    update(qb, "Customer", {"Id": c["Id"], "SyncToken": "0", "sparse": True, "Notes": "a"})
    with pytest.raises(QuickbooksException) as e:
        update(qb, "Customer", {"Id": c["Id"], "SyncToken": "0", "sparse": True, "Notes": "b"})
    assert e.value.error_code == 5010 and e.value.message == "Stale Object Error"


def test_rule_04_sparse_update(qb):
    c = create(qb, "Customer", {"DisplayName": "Sparse", "CompanyName": "Keep"})
    s = update(qb, "Customer", {"Id": c["Id"], "SyncToken": "0", "sparse": True, "Notes": "x"})
    assert s["CompanyName"] == "Keep"
    f = update(qb, "Customer", {"Id": c["Id"], "SyncToken": "1", "DisplayName": "Sparse"})
    assert "CompanyName" not in f


def test_rule_05_lines_all_or_nothing(qb):
    cust = create(qb, "Customer", {"DisplayName": "Lines"})
    inv = create(qb, "Invoice", invoice_body(cust["Id"], 10, 20, 30))
    one = update(qb, "Invoice", {"Id": inv["Id"], "SyncToken": "0", "sparse": True,
                                 "Line": [inv["Line"][1]]})
    assert [line["Id"] for line in one["Line"] if "Id" in line] == ["2"] and one["TotalAmt"] == 20
    kept = update(qb, "Invoice", {"Id": inv["Id"], "SyncToken": "1", "sparse": True, "PrivateNote": "n"})
    assert kept["TotalAmt"] == 20


def test_rule_06_requestid(raw, fresh):
    body = {"DisplayName": "Idem"}
    a = raw.post("customer", body, params={"requestid": "req-1"})
    b = raw.post("customer", body, params={"requestid": "req-1"})
    assert a.status_code == b.status_code == 200 and a.json() == b.json()
    assert len([c for c in fresh.company().all("Customer") if c["DisplayName"] == "Idem"]) == 1


def test_rule_07_cdc_window(qb, fresh):
    c = create(qb, "Customer", {"DisplayName": "Changed"})
    inv = create(qb, "Invoice", invoice_body(c["Id"], 5))
    qb.delete_object("Invoice", json.dumps({"Id": inv["Id"], "SyncToken": "0"}))
    start = (fresh.state.clock.now() - timedelta(hours=1)).isoformat(timespec="seconds")
    r = change_data_capture([Customer, Invoice], start, qb=qb)
    assert [i.status for i in r.Invoice] == ["Deleted"] and r.Customer[0].Id == c["Id"]
    with pytest.raises(QuickbooksException) as e:
        change_data_capture([Customer], "2000-01-01T00:00:00-07:00", qb=qb)
    assert "older than fixed days" in e.value.detail
    for i in range(1005):
        fresh.company().insert("Term", {"Name": f"T{i}", "Active": True, "domain": "QBO", "sparse": False})
    rows = Raw(fresh, qb.auth_client).get("cdc", entities="Term,Customer", changedSince=start)
    found = rows.json()["CDCResponse"][0]["QueryResponse"]
    assert sum(len(q.get("Term", [])) + len(q.get("Customer", [])) for q in found) == 1000


def test_rule_08_query_paging(qb, fresh):
    for i in range(7):
        fresh.company().seed_api().create("Customer", {"DisplayName": f"Page {i}"})
    page = qb.query("SELECT * FROM Customer WHERE DisplayName LIKE 'Page%' STARTPOSITION 6 MAXRESULTS 5")
    assert page["QueryResponse"]["startPosition"] == 6 and page["QueryResponse"]["maxResults"] == 2
    with pytest.raises(QuickbooksException) as e:
        qb.query("SELECT * FROM Customer MAXRESULTS 1001")
    assert e.value.error_code == 4001
    with pytest.raises(QuickbooksException) as e:
        qb.query("SELECT * FROM Customer WHERE Id = '1' OR Id = '2'")
    assert e.value.error_code == 4000


def test_rule_09_batch(qb, raw):
    ok = create(qb, "Customer", {"DisplayName": "Batch Ok"})
    r = raw.post("batch", {"BatchItemRequest": [
        {"bId": "b1", "operation": "create", "Customer": {"DisplayName": "Batch New"}},
        {"bId": "b2", "operation": "update", "Customer": {"Id": ok["Id"], "SyncToken": "9", "sparse": True}},
        {"bId": "b3", "operation": "delete", "Invoice": {"Id": "999", "SyncToken": "0"}},
        {"bId": "b4", "Query": "SELECT * FROM Customer WHERE DisplayName = 'Batch Ok'"}]})
    assert r.status_code == 200
    items = {i["bId"]: i for i in r.json()["BatchItemResponse"]}
    assert items["b1"]["Customer"]["DisplayName"] == "Batch New"
    assert items["b2"]["Fault"]["Error"][0]["code"] == "5010"
    assert items["b3"]["Fault"]["Error"][0]["code"] == "610"
    assert items["b4"]["QueryResponse"]["Customer"][0]["Id"] == ok["Id"]
    queries = [{"bId": str(i), "Query": "SELECT * FROM Term"} for i in range(31)]
    too_many = raw.post("batch", {"BatchItemRequest": queries})
    assert too_many.status_code == 400 and "Fault" in too_many.json()
    objs = []
    for i in range(3):
        c = Customer()
        c.DisplayName = f"Via Batch {i}"
        objs.append(c)
    dup = Customer()
    dup.DisplayName = "Batch Ok"
    objs.append(dup)
    res = batch_create(objs, qb=qb)
    assert len(res.successes) == 3 and res.faults[0].Error[0].code == "6240"


def test_rule_10_display_name_unique_and_no_colon(qb):
    create(qb, "Vendor", {"DisplayName": "Shared Name"})
    for entity in ("Customer", "Employee"):
        with pytest.raises(QuickbooksException) as e:
            create(qb, entity, {"DisplayName": "shared name"})
        assert e.value.error_code == 6240
    with pytest.raises(QuickbooksException):
        create(qb, "Customer", {"DisplayName": "Parent:Child"})


def test_rule_11_name_lists_never_deleted(qb, raw, fresh):
    c = create(qb, "Customer", {"DisplayName": "Keeper"})
    r = raw.post("customer", {"Id": c["Id"], "SyncToken": "0"}, params={"operation": "delete"})
    assert r.status_code == 400 and r.json()["Fault"]["Error"][0]["code"] == "500"
    inv = create(qb, "Invoice", invoice_body(c["Id"], 3))
    raw.post("invoice", {"Id": inv["Id"], "SyncToken": "0"}, params={"operation": "delete"})
    assert raw.get(f"invoice/{inv['Id']}").json()["Fault"]["Error"][0]["code"] == "610"
    assert fresh.company().deleted["Invoice"][inv["Id"]]["status"] == "Deleted"


def test_rule_12_webhooks_signed(fresh, qb):
    from test_webhooks import Receiver
    with Receiver() as rcv:
        Control(fresh.url).config(webhook_url=rcv.url, webhook_retry_delays=[0])
        create(qb, "Customer", {"DisplayName": "Hooked"})
        body, sig = rcv.wait(1)[0]
    from quickbooks import QuickBooks
    check = QuickBooks(company_id="1", minorversion=75, verifier_token="fake-verifier-token")
    assert check.validate_webhook_signature(body.decode(), sig)


def test_rule_13_token_rotation(fresh):
    ac = connect(fresh)
    old = ac.refresh_token
    ac.refresh()
    from intuitlib.exceptions import AuthClientError
    with pytest.raises(AuthClientError):
        ac.refresh(refresh_token=old)


def test_rule_14_minorversion_accepted(raw, fresh):
    for mv in ("75", "4", "80"):
        r = requests.get(raw.url("preferences"), params={"minorversion": mv}, headers=raw.headers(), timeout=10)
        assert r.status_code == 200
    assert Control(fresh.url).requests()[-1]["minorversion"] == "80"


def test_rule_15_intuit_tid_and_fault_with_200(raw, fresh):
    r = raw.get("customer/999")
    assert r.headers["intuit_tid"] and r.json()["Fault"]["Error"][0]["code"] == "610"
    assert Control(fresh.url).requests()[-1]["intuit_tid"] == r.headers["intuit_tid"]
    batch = raw.post("batch", {"BatchItemRequest": [{"bId": "x", "Query": "SELECT * FROM Nope"}]})
    assert batch.status_code == 200 and batch.json()["BatchItemResponse"][0]["Fault"]["Error"][0]["code"] == "4001"


def test_request_log_keeps_query_statements(raw, fresh):
    """Tests of the addon check what a client asked (e.g. a time literal with its offset)."""
    statement = "SELECT * FROM Customer WHERE MetaData.LastUpdatedTime >= '2025-01-01T00:00:00+00:00'"
    r = requests.post(raw.url("query"), data=statement, params={"minorversion": "75"},
                      headers={**raw.headers(), "Content-Type": "application/text"}, timeout=10)
    assert r.status_code == 200
    entry = Control(fresh.url).requests()[-1]
    assert (entry["operation"], entry["statement"]) == ("query", statement)
    raw.get("preferences")
    assert "statement" not in Control(fresh.url).requests()[-1]


def test_request_log_keeps_written_bodies(raw, fresh):
    """Tests of the addon check what a client wrote (a sparse update's fields, nothing more)."""
    body = {"Name": "Logged Item", "Type": "Service", "IncomeAccountRef": {"value": "1"}}
    r = raw.post("item", body)
    assert r.status_code == 200
    assert Control(fresh.url).requests()[-1]["body"] == body
    raw.get("preferences")
    assert "body" not in Control(fresh.url).requests()[-1]
