"""The whole OAuth flow through intuit-oauth 1.2.6 against the fake."""
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError
from qbo_helpers import REDIRECT, Raw, connect

from fake_qbo.control import Control


def test_flow_refresh_rotation_and_revoke(fresh):
    ac = connect(fresh)
    first_refresh, first_access = ac.refresh_token, ac.access_token
    assert ac.expires_in == 3600 and ac.x_refresh_token_expires_in == 8726400
    ac.refresh()
    assert ac.refresh_token != first_refresh and ac.access_token != first_access
    with pytest.raises(AuthClientError) as e:               # the superseded token is dead
        ac.refresh(refresh_token=first_refresh)
    assert e.value.status_code == 400 and b"invalid_grant" in e.value.content
    assert Raw(fresh, ac).get("customer/1").status_code in (200, 400)
    assert ac.revoke(token=ac.refresh_token) is True
    r = Raw(fresh, ac).get("companyinfo/" + ac.realm_id)
    assert r.status_code == 401 and r.json()["fault"]["error"][0]["code"] == "3200"
    with pytest.raises(AuthClientError):
        ac.refresh()


def test_wrong_secret_is_invalid_client(fresh):
    good = connect(fresh)
    bad = AuthClient("fake-client-id", "wrong", REDIRECT, environment=fresh.discovery_url)
    with pytest.raises(AuthClientError) as e:
        bad.refresh(refresh_token=good.refresh_token)
    assert e.value.status_code == 401 and b"invalid_client" in e.value.content


def test_code_is_single_use_and_bound_to_redirect(fresh):
    ac = AuthClient("fake-client-id", "fake-client-secret", REDIRECT, environment=fresh.discovery_url)
    url = ac.get_authorization_url([Scopes.ACCOUNTING])
    loc = requests.get(url, allow_redirects=False, timeout=10).headers["Location"]
    code = parse_qs(urlparse(loc).query)["code"][0]
    other = AuthClient("fake-client-id", "fake-client-secret", "http://127.0.0.1:9/other",
                       environment=fresh.discovery_url)
    with pytest.raises(AuthClientError):
        other.get_bearer_token(code)
    with pytest.raises(AuthClientError):          # consumed by the failed attempt too
        ac.get_bearer_token(code)


def test_consent_page_connect_and_cancel(fresh):
    Control(fresh.url).consent("ask")
    ac = AuthClient("fake-client-id", "fake-client-secret", REDIRECT, environment=fresh.discovery_url)
    page = requests.get(ac.get_authorization_url([Scopes.ACCOUNTING]), allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "Connect" in page.text and "Cancel" in page.text
    form = {"client_id": "fake-client-id", "scope": "com.intuit.quickbooks.accounting",
            "redirect_uri": REDIRECT, "state": "s1"}
    yes = requests.post(f"{fresh.url}/connect/oauth2/decision", data=dict(form, decision="approve"),
                        allow_redirects=False, timeout=10)
    q = parse_qs(urlparse(yes.headers["Location"]).query)
    assert q["state"] == ["s1"] and q["realmId"] == [fresh.realm_id] and q["code"]
    no = requests.post(f"{fresh.url}/connect/oauth2/decision", data=dict(form, decision="deny"),
                       allow_redirects=False, timeout=10)
    assert parse_qs(urlparse(no.headers["Location"]).query)["error"] == ["access_denied"]
    Control(fresh.url).consent("deny")
    denied = requests.get(ac.get_authorization_url([Scopes.ACCOUNTING]), allow_redirects=False, timeout=10)
    assert "error=access_denied" in denied.headers["Location"]


def test_unknown_client_gets_an_error_page_not_a_redirect(fresh):
    r = requests.get(f"{fresh.url}/connect/oauth2", params={"client_id": "nope", "response_type": "code",
                                                           "scope": "x", "redirect_uri": REDIRECT, "state": "s"},
                     allow_redirects=False, timeout=10)
    assert r.status_code == 400 and "Location" not in r.headers


def test_hard_expiry_header_and_expired_tokens(fresh):
    ac = connect(fresh)
    ac.headers["x-include-refresh-token-hard-expires-in"] = "true"
    ac.refresh()
    assert ac.x_refresh_token_hard_expires_in > 0
    Control(fresh.url).expire_tokens("access")
    r = Raw(fresh, ac).get("customer/1")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == 'Bearer realm="Intuit", error="invalid_token"'
    assert r.json()["fault"]["error"][0]["detail"].startswith("Token expired")
    ac.refresh()                                  # a refresh cures it
    assert Raw(fresh, ac).get("preferences").status_code == 200
    Control(fresh.url).advance_clock(102 * 86400)   # the refresh token expires after 101 days idle
    with pytest.raises(AuthClientError):
        ac.refresh()
