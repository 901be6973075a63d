"""Bad requests get QuickBooks' error shapes, never a traceback, and never change the state."""
import copy

import pytest
import requests

from fake_qbo.control import Control


def snapshot(srv):
    co = srv.company()
    return copy.deepcopy({e: dict(v) for e, v in co.records.items()}), len(co.journal)


def fault_code(resp):
    body = resp.json()
    return body["Fault"]["Error"][0]["code"] if "Fault" in body else body["fault"]["error"][0]["code"]


CASES = [
    ("malformed JSON", "POST", "customer", {"raw": b'{"DisplayName": '}, 400, "2010"),
    ("non-UTF-8 body", "POST", "customer", {"raw": b'{"DisplayName": "\xff\xfe"}'}, 400, "500"),
    ("unknown entity", "POST", "gizmo", {"json": {"Name": "x"}}, 400, "500"),
    ("unknown path", "GET", "customer/1/5", {}, 400, "500"),
    ("bad Id", "GET", "customer/1.5", {}, 400, "2030"),
    ("not found", "GET", "customer/424242", {}, 400, "610"),
    ("unknown field", "POST", "customer", {"json": {"DisplayName": "x", "BadJson": 1}}, 400, "2010"),
    ("required field", "POST", "item", {"json": {"Type": "Service"}}, 400, "2020"),
    ("too long", "POST", "customer", {"json": {"DisplayName": "x", "Title": "t" * 17}}, 400, "2050"),
    ("missing ref", "POST", "invoice", {"json": {"CustomerRef": {"value": "999"}, "Line": []}}, 400, "2500"),
    ("batch over 30", "POST", "batch", {"json": {"BatchItemRequest": [{"bId": str(i), "Query": "SELECT * FROM Term"}
                                                                       for i in range(31)]}}, 400, "6000"),
    ("bad query", "GET", "query", {"params": {"query": "SELECT FROM"}}, 400, "4000"),
    ("invalid query", "GET", "query", {"params": {"query": "SELECT * FROM Custmoer"}}, 400, "4001"),
    ("body is a list", "POST", "customer", {"json": [1, 2]}, 400, "2010"),
    ("stale token", "POST", "customer", {"json": {"Id": "1", "SyncToken": "7", "sparse": True}}, 400, "5010"),
]


@pytest.mark.parametrize("label,method,path,kw,status,code", CASES, ids=[c[0] for c in CASES])
def test_bad_request_shapes(raw, fresh, label, method, path, kw, status, code):
    if label == "stale token":
        raw.post("customer", {"DisplayName": "Stale Target"})
    before = snapshot(fresh)
    params = dict(kw.get("params", {}), minorversion=75)
    data = kw.get("raw")
    r = requests.request(method, raw.url(path), params=params, json=kw.get("json"), data=data,
                         headers=raw.headers(), timeout=10)
    assert r.status_code == status, r.text
    assert fault_code(r) == code and "Traceback" not in r.text
    assert r.json()["Fault"]["type"] == "ValidationFault"
    assert snapshot(fresh) == before


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"])
def test_missing_or_wrong_token_is_lowercase_401(raw, header):
    headers = {"Accept": "application/json"} | ({"Authorization": header} if header else {})
    r = requests.get(raw.url("customer/1"), headers=headers, timeout=10)
    assert r.status_code == 401 and r.json()["fault"]["type"] == "AUTHENTICATION"
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="Intuit", error="invalid_token"'


def test_wrong_realm_is_403_3100(raw):
    raw.realm = "1234567890123456"
    r = raw.get("customer/1")
    assert r.status_code == 403 and r.json()["Fault"]["type"] == "AuthorizationFault"


def test_injected_faults(raw, fresh):
    ctl = Control(fresh.url)
    ctl.fault("500", count=1, match="/customer")
    assert raw.get("customer/1").status_code == 500
    ctl.fault("503", count=1)
    assert raw.get("preferences").status_code == 503
    ctl.fault("401", count=1)
    assert raw.get("preferences").status_code == 401
    ctl.fault("drop", count=1)
    with pytest.raises(requests.ConnectionError):
        raw.get("preferences")
    ctl.fault("slow", count=1, delay=0.3)
    with pytest.raises(requests.Timeout):
        requests.get(raw.url("preferences"), headers=raw.headers(), timeout=0.1)
    assert raw.get("preferences").status_code == 200
    log = ctl.requests()
    assert [e.get("injected") for e in log[-6:-1]] == ["500", "503", "401", "drop", None]


def test_server_errors_never_leak_tracebacks(raw, fresh, monkeypatch):
    from fake_qbo import api
    monkeypatch.setattr(api, "cdc", lambda *a: 1 / 0)
    r = raw.get("cdc", entities="Customer", changedSince="2020-01-01")
    assert r.status_code == 500 and r.json()["Fault"]["type"] == "SystemFault" and "Traceback" not in r.text
