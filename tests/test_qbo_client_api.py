"""The Accounting API of utils/qbo_client.py against the fake server over real HTTP: CRUD,
paging, batch, CDC, requestid replay and the classification of every fault QuickBooks sends."""

import json
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import requests

from odoo.addons.quickbooks_online.utils.qbo_client import (
    PARAM_API_TIMEOUT,
    QBOAuthError,
    QBOClient,
    QBODuplicateError,
    QBONotFoundError,
    QBOStaleError,
    QBOThrottledError,
    QBOTransportError,
    QBOValidationError,
    api_timeout,
    qbo_value,
)
from odoo.addons.quickbooks_online.utils.qbo_errors import error_from_reply
from odoo.tests import BaseCase, TransactionCase, tagged

from .common import CLIENT_ID, CLIENT_SECRET, FakeServerMixin, QBOFakeServerMixin

REDIRECT = "http://127.0.0.1:8069/quickbooks_online/oauth/callback"


def rid():
    return uuid.uuid4().hex


@tagged("post_install", "-at_install")
class TestQBOClientAPI(FakeServerMixin, BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        client = QBOClient(CLIENT_ID, CLIENT_SECRET, REDIRECT, "custom", cls.fake.url)
        location = requests.get(client.authorization_url("s"), allow_redirects=False, timeout=10).headers["Location"]
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        cls.realm_id = params["realmId"]
        cls.access_token = client.exchange_code(params["code"], cls.realm_id).access_token

    def setUp(self):
        super().setUp()
        self.addCleanup(self.control.clear_faults)
        self.client = self._client()

    def _client(self, **kwargs):
        return QBOClient(CLIENT_ID, CLIENT_SECRET, REDIRECT, "custom", self.fake.url, realm_id=self.realm_id,
                         access_token=self.access_token, **kwargs)

    def _customer(self, **values):
        payload = {"DisplayName": f"Client {uuid.uuid4().hex[:12]}", **values}
        return self.client.create("Customer", payload, rid())

    def _requests_since(self, seq):
        return [r for r in self.control.requests() if r["seq"] > seq]

    def _last_seq(self):
        rows = self.control.requests()
        return rows[-1]["seq"] if rows else 0

    # -- CRUD ----------------------------------------------------------------------------------
    def test_create_read_sparse_update(self):
        created = self._customer(GivenName="Ada", FamilyName="Lovelace", Notes="keep me")
        self.assertEqual(created["SyncToken"], "0")
        self.assertEqual(self.client.read("Customer", created["Id"])["GivenName"], "Ada")
        updated = self.client.update("Customer", {"Id": created["Id"], "SyncToken": "0", "GivenName": "Augusta"},
                                     rid())
        self.assertEqual(updated["SyncToken"], "1")
        self.assertEqual(updated["GivenName"], "Augusta")
        # sparse: the fields not sent are untouched
        again = self.client.read("Customer", created["Id"])
        self.assertEqual((again["FamilyName"], again["Notes"], again["DisplayName"]),
                         ("Lovelace", "keep me", created["DisplayName"]))
        self.assertTrue(self.client.last_intuit_tid)

    def test_requestid_replay_creates_once(self):
        request_id = rid()
        name = f"Replayed {request_id[:8]}"
        first = self.client.create("Customer", {"DisplayName": name}, request_id)
        second = self.client.create("Customer", {"DisplayName": name}, request_id)
        self.assertEqual(first["Id"], second["Id"])
        self.assertEqual(len(list(self.client.query_all("Customer", {"DisplayName": name}))), 1)
        sent = [r for r in self.control.requests() if r.get("requestid") == request_id]
        self.assertEqual([bool(r.get("replayed")) for r in sent], [False, True])

    def test_writes_need_a_request_id(self):
        with self.assertRaises(ValueError):
            self.client.create("Customer", {"DisplayName": "No id"}, None)
        with self.assertRaises(ValueError):
            self.client.update("Customer", {"Id": "1", "DisplayName": "No token"}, rid())
        with self.assertRaises(ValueError):
            self.client.read("Customer/../companyinfo", "1")

    # -- queries -------------------------------------------------------------------------------
    def test_query_all_pages_to_the_end(self):
        self.control.seed(customers=2100, items=0, estimates=0, invoices=0, credit_memos=0, payments=0,
                          sales_receipts=0, vendors=0, categories=0)
        expected = len(self.client.query("SELECT * FROM Customer WHERE Active IN (true, false) MAXRESULTS 1000"))
        self.assertEqual(expected, 1000)
        seq = self._last_seq()
        rows = list(self.client.query_all("Customer", "Active IN (true, false)"))
        pages = [r for r in self._requests_since(seq) if r["operation"] == "query"]
        self.assertGreaterEqual(len(rows), 2100)
        self.assertEqual(len({row["Id"] for row in rows}), len(rows))
        self.assertEqual(len(pages), len(rows) // 1000 + 1)
        self.assertTrue(any(not row["Active"] for row in rows), "inactive customers are included")
        small = list(self.client.query_all("Customer", {"Active": [True, False]}, page_size=700))
        self.assertEqual(len(small), len(rows))

    def test_hostile_query_values(self):
        self.assertEqual(qbo_value("O'Brien \\"), "'O\\'Brien \\\\'")
        self.assertEqual(qbo_value([True, False]), "(true, false)")
        self.assertEqual(qbo_value(datetime(2025, 1, 2, 3, 4, 5)), "'2025-01-02T03:04:05+00:00'")
        names = ["O'Brien \\ Sons", "Zoë & Ça — 東京", "back\\'slash", "100%"]
        ids = {self._customer(DisplayName=name)["Id"]: name for name in names}
        for qbo_id, name in ids.items():
            rows = list(self.client.query_all("Customer", {"DisplayName": name}))
            self.assertEqual([(r["Id"], r["DisplayName"]) for r in rows], [(qbo_id, name)])
        self.assertEqual(self.client.query("SELECT * FROM Customer WHERE DisplayName = 'nobody here'"), [])
        with self.assertRaises(ValueError):
            list(self.client.query_all("Customer WHERE Id = '1'"))

    def test_query_errors(self):
        with self.assertRaises(QBOValidationError) as caught:
            self.client.query("SELECT * FROM Customer WHERE")
        self.assertEqual(caught.exception.code, "4000")
        with self.assertRaises(QBOValidationError) as caught:
            self.client.query("SELECT * FROM Nothing")
        self.assertEqual(caught.exception.code, "4001")
        self.assertTrue(caught.exception.intuit_tid)

    # -- batch ---------------------------------------------------------------------------------
    def test_batch_with_a_failing_item(self):
        taken = self._customer()
        existing = self._customer()
        items = [
            {"bId": "1", "operation": "create", "Customer": {"DisplayName": f"Batch {rid()[:10]}"}},
            {"bId": "2", "operation": "create", "Customer": {"DisplayName": taken["DisplayName"]}},
            {"bId": "3", "operation": "update",
             "Customer": {"Id": existing["Id"], "SyncToken": "0", "sparse": True, "Notes": "batched"}},
            {"bId": "4", "operation": "update",
             "Customer": {"Id": existing["Id"], "SyncToken": "0", "sparse": True, "Notes": "stale"}},
        ]
        request_id = rid()
        results = self.client.batch(items, request_id)
        self.assertEqual(set(results), {"1", "2", "3", "4"})
        self.assertTrue(results["1"]["Id"])
        self.assertIsInstance(results["2"], QBODuplicateError)
        self.assertEqual(results["2"].code, "6240")
        self.assertTrue(results["2"].intuit_tid)
        self.assertEqual(results["3"]["Notes"], "batched")
        self.assertIsInstance(results["4"], QBOStaleError)
        # a retry with the same request id replays: nothing is created twice
        replay = self.client.batch(items, request_id)
        self.assertEqual(replay["1"]["Id"], results["1"]["Id"])

    def test_batch_limits(self):
        item = {"operation": "create", "Customer": {"DisplayName": "x"}}
        with self.assertRaises(ValueError):
            self.client.batch([dict(item, bId=str(n)) for n in range(31)], rid())
        for bad in ([dict(item, bId="12345678901")], [dict(item, bId="1"), dict(item, bId="1")],
                    [dict(item, bId="1", operation="void")], []):
            with self.assertRaises(ValueError):
                self.client.batch(bad, rid())
        with self.assertRaises(ValueError):
            self.client.batch([dict(item, bId="1")], "x" * 37)

    # -- CDC -----------------------------------------------------------------------------------
    def test_cdc_changes_deletions_and_server_time(self):
        since = datetime.now(timezone.utc) - timedelta(minutes=5)
        kept, merged = self._customer(), self._customer()
        self.control.merge("Customer", merged["Id"], kept["Id"])
        # the same instant written with another offset (QuickBooks' -07:00, a naive UTC datetime)
        for changed_since in (since, since.astimezone(timezone(timedelta(hours=-7))),
                              since.replace(tzinfo=None)):
            changes, server_time = self.client.cdc(["Customer", "Invoice"], changed_since)
            by_id = {row["Id"]: row for row in changes["Customer"]}
            self.assertEqual(changes["Invoice"], [])
            self.assertEqual(by_id[merged["Id"]]["status"], "Deleted")
            self.assertNotIn("status", by_id[kept["Id"]])
            self.assertIsNotNone(server_time.tzinfo)
        sent = self.control.requests()[-1]
        self.assertEqual(sent["operation"], "cdc")
        self.assertIn("changedSince=", sent["query"])
        later, _ = self.client.cdc(["Customer"], server_time + timedelta(seconds=1))
        self.assertEqual(later["Customer"], [])
        with self.assertRaises(QBOValidationError):
            self.client.cdc(["Customer"], datetime.now(timezone.utc) - timedelta(days=40))

    # -- faults --------------------------------------------------------------------------------
    def _fault(self, kind, call, **kwargs):
        self.control.fault(kind, count=1, match=kwargs.pop("match", "/customer"), **kwargs)
        with self.assertRaises(Exception) as caught:
            call()
        return caught.exception

    def test_injected_faults_are_classified(self):
        qbo_id = self._customer()["Id"]

        def read():
            return self.client.read("Customer", qbo_id)

        throttled = self._fault("429", read)
        self.assertIsInstance(throttled, QBOThrottledError)
        self.assertEqual((throttled.retry_after, throttled.code, throttled.status_code), (60, "3001", 429))
        for kind, status in (("500", 500), ("503", 503)):
            error = self._fault(kind, read)
            self.assertIsInstance(error, QBOTransportError, kind)
            self.assertEqual(error.status_code, status)
            self.assertTrue(error.intuit_tid, kind)
        self.assertIsInstance(self._fault("drop", read), QBOTransportError)
        auth = self._fault("401", read)
        self.assertIsInstance(auth, QBOAuthError)
        self.assertEqual((auth.code, auth.status_code), ("3200", 401))
        self.assertTrue(auth.intuit_tid)
        self.assertEqual(read()["Id"], qbo_id)  # the faults were one-shot

    def test_slow_reply_times_out(self):
        client = self._client(timeout=(2, 0.5))
        self.control.fault("slow", count=1, match="/customer", delay=2)
        with self.assertRaises(QBOTransportError):
            client.read("Customer", "1")
        self.assertEqual(api_timeout("0.5"), (0.5, 0.5))
        self.assertEqual(api_timeout("30"), (10, 30.0))
        self.assertIsNone(api_timeout(False))

    def test_fault_codes_are_classified(self):
        customer = self._customer()
        with self.assertRaises(QBOStaleError) as caught:
            self.client.update("Customer", {"Id": customer["Id"], "SyncToken": "7", "Notes": "x"}, rid())
        self.assertEqual((caught.exception.code, caught.exception.status_code), ("5010", 400))
        self.assertTrue(caught.exception.intuit_tid)
        with self.assertRaises(QBODuplicateError):
            self.client.create("Customer", {"DisplayName": customer["DisplayName"]}, rid())
        with self.assertRaises(QBOValidationError) as caught:
            self.client.create("Customer", {"GivenName": "No display name", "Colour": "red"}, rid())
        self.assertEqual(caught.exception.code, "2010")
        with self.assertRaises(QBOValidationError) as caught:
            self.client.create("Invoice", {"Line": []}, rid())
        self.assertIn(caught.exception.code, ("2020", "2500", "6000"))
        with self.assertRaises(QBONotFoundError) as caught:
            self.client.read("Customer", "999999")
        self.assertEqual(caught.exception.code, "610")
        with self.assertRaises(QBONotFoundError):
            self.client.update("Customer", {"Id": "999999", "SyncToken": "0", "Notes": "x"}, rid())
        inactive = self._customer()
        self.client.update("Customer", {"Id": inactive["Id"], "SyncToken": "0", "Active": False}, rid())
        with self.assertRaises(QBOValidationError) as caught:
            self.client.create("Customer", {"DisplayName": f"Child {rid()[:8]}", "Job": True,
                                            "ParentRef": {"value": inactive["Id"]}}, rid())
        self.assertNotIsInstance(caught.exception, QBONotFoundError)

    def test_revoked_token_is_an_auth_error(self):
        client = self._client()
        client.access_token = "not-a-token"
        with self.assertRaises(QBOAuthError) as caught:
            client.read("Customer", "1")
        self.assertEqual(caught.exception.status_code, 401)
        client.access_token = self.access_token  # what the engine does after a refresh
        self.assertEqual(client.read("Customer", "1")["Id"], "1")

    def test_no_retry_inside_the_client(self):
        seq = self._last_seq()
        self.control.fault("500", count=1, match="/customer/1")
        with self.assertRaises(QBOTransportError):
            self.client.read("Customer", "1")
        self.assertEqual(len(self._requests_since(seq)), 1)


@tagged("post_install", "-at_install")
class TestAPITimeoutParameter(QBOFakeServerMixin, TransactionCase):
    def test_connection_client_reads_the_timeout_parameter(self):
        self.assertIsNone(self.connection._qbo_client().timeout)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_API_TIMEOUT, "3")
        self.assertEqual(self.connection._qbo_client().timeout, (3, 3))


def fault(code, message="Message", detail="Detail", element=""):
    return json.dumps({"Fault": {"Error": [{"Message": message, "Detail": detail, "code": code, "element": element}],
                                 "type": "ValidationFault"}, "time": "2025-01-01T00:00:00-07:00"})


THROTTLE_XML = ('<IntuitResponse xmlns="http://schema.intuit.com/finance/v3"><Fault type="SERVICE">'
                '<Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=403</Message>'
                "<Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>")


@tagged("post_install", "-at_install")
class TestErrorClassification(BaseCase):
    """Replies the fake does not send (recorded from QuickBooks or from its documentation)."""

    def classify(self, status, text):
        error, _body = error_from_reply(status, text, "tid-1")
        return error

    def test_replies(self):
        cases = [
            (403, THROTTLE_XML, QBOThrottledError, "3001"),  # the older throttle, XML, HTTP 403
            (400, fault("3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429"), QBOThrottledError,
             "3001"),
            (200, fault("5010", "Stale Object Error"), QBOStaleError, "5010"),  # a Fault inside a 200
            (400, fault("6240", "Duplicate Name Exists Error"), QBODuplicateError, "6240"),
            (400, fault("610", "Object Not Found"), QBONotFoundError, "610"),
            (400, fault("610", "Object Not Found", element="CustomerRef"), QBOValidationError, "610"),
            (400, fault("2500", "Invalid Reference Id"), QBOValidationError, "2500"),
            (400, fault("500", "Unsupported Operation"), QBOValidationError, "500"),
            (400, fault("6190", "Invalid Company Status"), QBOValidationError, "6190"),
            (403, fault("3100", "message=AuthorizationFailed"), QBOAuthError, "3100"),
            (400, fault("120", "Authorization Failure"), QBOAuthError, "120"),
            (400, fault("10000", "An application error has occurred"), QBOTransportError, "10000"),
            (502, "<html>Bad gateway</html>", QBOTransportError, None),
            (200, "not json", QBOTransportError, None),
            (404, "{}", QBOTransportError, None),
            (400, json.dumps({"Fault": {"Error": [{"Message": "no code"}]}}), QBOValidationError, None),
        ]
        for status, text, cls, code in cases:
            error = self.classify(status, text)
            self.assertIs(type(error), cls, text)
            self.assertEqual((error.code, error.status_code, error.intuit_tid), (code, status, "tid-1"))
        self.assertIsNone(self.classify(200, '{"Customer": {}}'))
