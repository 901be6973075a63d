"""Helpers shared by the fake_qbo tests: OAuth via intuit-oauth, clients, raw HTTP, fixtures path."""
import json
import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

REDIRECT = "http://127.0.0.1:9/callback"


def fixtures_dir():
    path = os.environ.get("QBO_FIXTURES") or Path(__file__).resolve().parents[2] / ".." / "shared" / "qbo_fixtures"
    return Path(path).resolve()


def load_fixture(fixtures, name):
    return json.loads((fixtures / name).read_text(encoding="utf-8"))


def connect(srv, realm=None):
    """Run the OAuth flow with intuit-oauth; return the AuthClient holding the tokens."""
    from intuitlib.client import AuthClient
    from intuitlib.enums import Scopes
    ac = AuthClient("fake-client-id", "fake-client-secret", REDIRECT, environment=srv.discovery_url)
    url = ac.get_authorization_url([Scopes.ACCOUNTING])
    resp = requests.get(url, allow_redirects=False, timeout=10)
    assert resp.status_code == 302, resp.text
    query = parse_qs(urlparse(resp.headers["Location"]).query)
    assert query["state"] == [ac.state_token]
    ac.get_bearer_token(query["code"][0], realm_id=query["realmId"][0])
    return ac


def qb_client(srv, ac):
    from quickbooks import QuickBooks
    qb = QuickBooks(auth_client=ac, refresh_token=ac.refresh_token, company_id=ac.realm_id, minorversion=75)
    qb.api_url_v3 = srv.api_base
    qb.sandbox_api_url_v3 = srv.api_base
    return qb


class Raw:
    """Plain `requests` calls to the API with the bearer of an AuthClient."""

    def __init__(self, srv, ac):
        self.srv, self.token, self.realm = srv, ac.access_token, ac.realm_id

    def url(self, path):
        return f"{self.srv.api_base}/company/{self.realm}/{path}"

    def headers(self, extra=None):
        return dict({"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                     "Content-Type": "application/json"}, **(extra or {}))

    def get(self, path, **params):
        return requests.get(self.url(path), params=dict(params, minorversion=75), headers=self.headers(), timeout=10)

    def post(self, path, body, params=None, content_type=None, raw=None):
        data = raw if raw is not None else json.dumps(body)
        headers = self.headers({"Content-Type": content_type} if content_type else None)
        return requests.post(self.url(path), data=data, params=dict(params or {}, minorversion=75),
                             headers=headers, timeout=10)


def create(qb, entity, body):
    return qb.create_object(entity, json.dumps(body))[entity]


def update(qb, entity, body):
    return qb.update_object(entity, json.dumps(body))[entity]


def invoice_body(customer_id, *amounts, **extra):
    lines = [{"Amount": a, "DetailType": "SalesItemLineDetail",
              "SalesItemLineDetail": {"ItemRef": {"value": "1"}}} for a in amounts]
    return dict({"CustomerRef": {"value": customer_id}, "Line": lines}, **extra)
