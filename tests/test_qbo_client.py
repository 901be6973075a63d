"""utils/qbo_client.py against the fake server: real HTTP, real intuit-oauth and python-quickbooks."""

import json
import os
import time
from pathlib import Path
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import requests

from odoo.addons.quickbooks_online import const
from odoo.addons.quickbooks_online.utils import qbo_client
from odoo.addons.quickbooks_online.utils.qbo_client import (
    QBOAuthError,
    QBOClient,
    QBOClientCredentialsError,
    QBOTransportError,
    check_custom_base_url,
)
from odoo.tests import BaseCase, tagged

from .common import CLIENT_ID, CLIENT_SECRET, FakeServerMixin

REDIRECT = "http://127.0.0.1:8069/quickbooks_online/oauth/callback"


@tagged("post_install", "-at_install")
class TestQBOClient(FakeServerMixin, BaseCase):
    def _client(self, secret=None, **kwargs):
        return QBOClient(CLIENT_ID, secret or CLIENT_SECRET, REDIRECT, "custom", self.fake.url, **kwargs)

    def _connected_client(self):
        client = self._client()
        location = requests.get(client.authorization_url("s"), allow_redirects=False, timeout=10).headers["Location"]
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        tokens = client.exchange_code(params["code"], params["realmId"])
        return self._client(realm_id=params["realmId"], access_token=tokens.access_token), tokens

    def test_discovery_document_is_fetched_once(self):
        self._client().authorization_url("a")
        fetched_at, document = qbo_client._discovery_cache[self.fake.discovery_url]
        self._client().authorization_url("b")
        self.assertEqual(qbo_client._discovery_cache[self.fake.discovery_url][0], fetched_at)
        self.assertEqual(document["token_endpoint"], self.fake.url + "/oauth2/v1/tokens/bearer")

    def test_tokens_and_company_info(self):
        client, tokens = self._connected_client()
        self.assertEqual(tokens.expires_in, 3600)
        self.assertGreater(tokens.refresh_expires_in, 90 * 86400)
        self.assertGreater(tokens.refresh_hard_expires_in, 4 * 365 * 86400)
        info = client.company_info()
        self.assertEqual(info["country"], "US")
        self.assertTrue(info["name"])

    def test_errors_are_classified(self):
        client, tokens = self._connected_client()
        with self.assertRaises(QBOClientCredentialsError) as caught:
            self._client(secret="wrong").refresh(tokens.refresh_token)
        self.assertTrue(caught.exception.intuit_tid)
        rotated = client.refresh(tokens.refresh_token)
        with self.assertRaises(QBOAuthError) as caught:
            client.refresh(tokens.refresh_token)  # superseded
        self.assertEqual(caught.exception.code, "invalid_grant")
        self.assertTrue(client.revoke(rotated.refresh_token))
        with self.assertRaises(QBOAuthError):
            client.company_info()

    def test_api_calls_time_out(self):
        client, _tokens = self._connected_client()
        self.control.fault("slow", count=1, match="companyinfo", delay=2)
        with patch.object(const, "TIMEOUT_API", (2, 0.5)), self.assertRaises(QBOTransportError):
            client.company_info()
        self.control.fault("drop", count=1, match="companyinfo")
        with self.assertRaises(QBOTransportError):
            client.company_info()
        self.control.fault("503", count=1, match="companyinfo")
        with self.assertRaises(QBOTransportError) as caught:
            client.company_info()
        self.assertTrue(caught.exception.intuit_tid)
        self.assertTrue(client.company_info()["name"])

    def test_unreachable_server(self):
        with self.assertRaises(QBOTransportError):
            QBOClient("id", "secret", REDIRECT, "custom", "http://127.0.0.1:9").authorization_url("s")

    def test_custom_url_rules(self):
        self.assertEqual(check_custom_base_url("http://localhost:8765/"), "http://localhost:8765")
        self.assertEqual(check_custom_base_url("https://[::1]:8765"), "https://[::1]:8765")
        # Another host only when an administrator listed it, and then over https only.
        self.assertEqual(check_custom_base_url("https://QBO.example.com", ["qbo.example.com"]),
                         "https://QBO.example.com")
        for bad, allowed in (("https://qbo.example.com", []), ("http://qbo.example.com", ["qbo.example.com"]),
                             ("https://evil.example.com", ["qbo.example.com"]), ("ftp://127.0.0.1", []), ("", []),
                             ("127.0.0.1:8765", []), ("http://a:b@127.0.0.1", []), ("http://127.0.0.1:x", []),
                             ("http://127.0.0.1.evil.com", [])):
            with self.subTest(url=bad), self.assertRaises(ValueError):
                check_custom_base_url(bad, allowed)

    def test_intuit_discovery_endpoints_are_intuit_hosts(self):
        """Intuit's real discovery document passes the host check; each endpoint moved elsewhere fails."""
        fixtures = os.environ.get("QBO_FIXTURES")
        if not fixtures:
            self.skipTest("QBO_FIXTURES is not set")
        document = json.loads((Path(fixtures) / "oauth_discovery_document.json").read_text())
        for key in qbo_client._DISCOVERY_ENDPOINTS:
            self.assertTrue(qbo_client._endpoint_allowed(document[key], const.INTUIT_HOST), key)
        for url in ("https://intuit.com.evil.example/token", "https://evilintuit.com/token",
                    "http://oauth.platform.intuit.com/token", "javascript:alert(1)", None, 7):
            with self.subTest(url=url):
                self.assertFalse(qbo_client._endpoint_allowed(url, const.INTUIT_HOST))
        self.assertTrue(qbo_client._endpoint_allowed("http://localhost:1/t", "127.0.0.1"))

    def test_sandbox_uses_intuit_urls(self):
        # Intuit is out of reach from tests: seed the cache with Intuit's real discovery document.
        fixtures = os.environ.get("QBO_FIXTURES")
        if not fixtures:
            self.skipTest("QBO_FIXTURES is not set")
        document = json.loads((Path(fixtures) / "oauth_discovery_document.json").read_text())
        url = const.DISCOVERY_URLS["sandbox"]
        qbo_client._discovery_cache[url] = (time.monotonic(), document)
        self.addCleanup(qbo_client._discovery_cache.pop, url)
        client = QBOClient("id", "secret", REDIRECT, "sandbox", realm_id="123", access_token="token")
        self.assertTrue(client.authorization_url("s").startswith("https://appcenter.intuit.com/connect/oauth2?"))
        qb = client._quickbooks()
        self.assertTrue(qb.sandbox)
        self.assertEqual(qb.api_url, const.API_BASES["sandbox"])
        self.assertEqual(qb.minorversion, 75)
