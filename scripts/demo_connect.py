"""Connect a demo database to the local QuickBooks server through the real OAuth flow.

Run by scripts/demo.sh:  python3 scripts/demo_connect.py -c ODOO_CONF -d DB --fake-url URL --odoo-url URL

Plays the browser's part of OAuth (the fake server approves at once), then calls what the
callback route calls: the state check, then the code exchange and CompanyInfo read; then
checks that a token refresh persists the rotated refresh token in its own transaction. Prints
`connected realm=<realmId> company=<name>` and exits 0, or says why and exits 1.
"""

import argparse
import sys
from urllib.parse import parse_qs, urlsplit

import requests

# The fake server's default app credentials (fake_qbo/DESIGN.md).
FAKE_APP = {
    "quickbooks_online.client_id": "fake-client-id",
    "quickbooks_online.client_secret": "fake-client-secret",
    "quickbooks_online.verifier_token": "fake-verifier-token",
}


def match_taxes(env, connection):
    """What an administrator does before the first sync of invoices: each side gets the sales
    taxes the other one uses, so that the tax map (pre-filled by rate on the first sync) covers
    them all. QuickBooks gets a code for each Odoo sales tax rate it lacks (taxservice, as its
    own tax settings would), Odoo a tax for QuickBooks' combined sales-tax rates."""
    client = connection._qbo_api_client()
    rates = {round(sum(float(r["RateValue"]) for r in [client.read("TaxRate", d["TaxRateRef"]["value"])
                                                        for d in (code.get("SalesTaxRateList") or {})
                                                        .get("TaxRateDetail", [])]), 4): code["Name"]
             for code in client.query_all("TaxCode") if code["Id"] not in ("TAX", "NON")}
    taxes = env["account.tax"].search([("company_id", "=", env.company.id), ("type_tax_use", "=", "sale"),
                                       ("amount_type", "=", "percent")])
    for amount in sorted(set(taxes.mapped("amount")) - set(rates)):
        name = "Odoo %s%%" % ("%g" % amount)
        client._call("POST", "taxservice/taxcode", {"TaxCode": name, "TaxRateDetails": [
            {"TaxRateName": name, "RateValue": amount, "TaxAgencyId": "1", "TaxApplicableOn": "Sales"}]})
    for rate, name in rates.items():
        if rate and rate not in taxes.mapped("amount"):
            env["account.tax"].create({"name": "%s (%g%%)" % (name, rate), "amount": rate, "amount_type": "percent",
                                       "type_tax_use": "sale", "company_id": env.company.id})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--fake-url", required=True, help="origin of the local QuickBooks server")
    parser.add_argument("--odoo-url", required=True, help="origin Odoo will serve, for the redirect URI")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        params = env["ir.config_parameter"].sudo()
        for key, value in FAKE_APP.items():
            params.set_param(key, value)
        params.set_param("web.base.url", args.odoo_url)
        connection = env["qbo.connection"]._qbo_for_company(env.company, create=True)
        connection.write({"environment": "custom", "custom_base_url": args.fake_url})

        # The browser: Connect -> Intuit's consent page (approved at once) -> back with a code.
        reply = requests.get(connection._qbo_authorization_url(), allow_redirects=False, timeout=30)
        location = reply.headers.get("Location", "")
        if reply.status_code not in (302, 303) or not location.startswith(connection._qbo_redirect_uri()):
            sys.exit(f"demo: QuickBooks did not send the browser back (HTTP {reply.status_code}): {reply.text[:300]}")
        query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}

        # The callback route's work.
        connection = connection._qbo_verify_state(query.get("state"))
        connection._qbo_oauth_complete(query.get("code"), query.get("realmId"))
        info = connection._qbo_call("company_info")
        if connection.state != "connected" or connection.realm_id != query.get("realmId"):
            sys.exit(f"demo: not connected (state {connection.state}, realm {connection.realm_id})")
        cr.commit()

        # Outside tests a refresh commits the rotated refresh token in its own transaction: it
        # must survive a rollback of the caller's work (the previous token is dead already).
        before = connection.sudo().refresh_token
        connection._qbo_refresh_tokens(force=True)
        cr.rollback()
        connection.invalidate_recordset()
        if connection.sudo().refresh_token == before:
            sys.exit("demo: the rotated refresh token was lost with the caller's rollback")
        connection._qbo_call("company_info")  # and it is the one QuickBooks accepts
        match_taxes(env, connection)
        cr.commit()
        print(f"connected realm={connection.realm_id} company={info['name']}")


if __name__ == "__main__":
    main()
