"""Tax on sales forms as QuickBooks computes and accepts it (QBO_API.md §10 Tax): the region's
rounding (line by line, or on the total), a tax given by the request, the 750-line limit, closed
books (6210) and tax-inclusive amounts."""
from decimal import Decimal

import pytest
from qbo_helpers import connect, create, invoice_body, qb_client, update
from quickbooks.exceptions import QuickbooksException

from fake_qbo.control import Control


@pytest.fixture
def ca(fresh):
    realm = fresh.add_company("CA")
    fresh.consent["realm"] = realm
    qb = qb_client(fresh, connect(fresh))
    codes = {c["Name"]: c["Id"] for c in qb.query("SELECT * FROM TaxCode")["QueryResponse"]["TaxCode"]}
    rates = {r["Name"]: r["Id"] for r in qb.query("SELECT * FROM TaxRate")["QueryResponse"]["TaxRate"]}
    customer = create(qb, "Customer", {"DisplayName": "Maple"})["Id"]
    return qb, codes, rates, customer


def _ca_lines(code, *amounts):
    return [{"Amount": a, "DetailType": "SalesItemLineDetail",
             "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "TaxCodeRef": {"value": code}}} for a in amounts]


def _error(call):
    with pytest.raises(QuickbooksException) as e:
        call()
    return e.value


def test_rounding_line_by_line_or_on_the_total(fresh, ca):
    qb, codes, _rates, customer = ca
    body = {"CustomerRef": {"value": customer}, "GlobalTaxCalculation": "TaxExcluded",
            "Line": _ca_lines(codes["GST/PST BC"], *[1.59] * 31)}
    # Canada: each line's GST (0.08) and PST (0.11) rounded, then summed.
    per_line = create(qb, "Invoice", body)
    assert [t["Amount"] for t in per_line["TxnTaxDetail"]["TaxLine"]] == [2.48, 3.41]
    assert per_line["TxnTaxDetail"]["TotalTax"] == 5.89 and per_line["TotalAmt"] == 55.18
    Control(fresh.url).config(tax_rounding="total", realm=qb.company_id)
    on_total = create(qb, "Invoice", body)   # 49.29 × 5 % = 2.46, × 7 % = 3.45
    assert [t["Amount"] for t in on_total["TxnTaxDetail"]["TaxLine"]] == [2.46, 3.45]
    assert on_total["TotalAmt"] == 55.20
    with pytest.raises(Exception, match="400"):
        Control(fresh.url).config(tax_rounding="banker")


def test_us_total_tax_given_is_kept_and_prorated(qb):
    cust = create(qb, "Customer", {"DisplayName": "Override"})["Id"]
    item = create(qb, "Item", {"Name": "Taxed", "Type": "Service", "Taxable": True,
                               "IncomeAccountRef": {"value": "1"}})["Id"]
    lines = [{"Amount": a, "DetailType": "SalesItemLineDetail",
              "SalesItemLineDetail": {"ItemRef": {"value": item}, "TaxCodeRef": {"value": "TAX"}}}
             for a in (0.33, 0.33, 0.34)]
    computed = create(qb, "Invoice", {"CustomerRef": {"value": cust}, "Line": lines})
    assert computed["TxnTaxDetail"]["TotalTax"] == 0.08        # 8 % of 1.00 (6 % + 2 %)
    given = create(qb, "Invoice", {"CustomerRef": {"value": cust}, "Line": lines,
                                   "TxnTaxDetail": {"TotalTax": 0.09}})
    tax = given["TxnTaxDetail"]
    assert tax["TotalTax"] == 0.09 and sum(Decimal(str(t["Amount"])) for t in tax["TaxLine"]) == Decimal("0.09")
    assert given["TotalAmt"] == 1.09
    # New lines without a tax: QuickBooks computes it again, the old override is not kept.
    changed = update(qb, "Invoice", {"Id": given["Id"], "SyncToken": given["SyncToken"], "sparse": True,
                                     "Line": lines + lines})
    assert changed["TxnTaxDetail"]["TotalTax"] == 0.16 and changed["TotalAmt"] == 2.16
    # A due date alone keeps the tax given.
    again = create(qb, "Invoice", {"CustomerRef": {"value": cust}, "Line": lines, "TxnTaxDetail": {"TotalTax": 0.07}})
    kept = update(qb, "Invoice", {"Id": again["Id"], "SyncToken": "0", "sparse": True, "DueDate": "2030-01-01"})
    assert kept["TxnTaxDetail"]["TotalTax"] == 0.07
    no_taxable = _error(lambda: create(qb, "Invoice", invoice_body(cust, 10, TxnTaxDetail={"TotalTax": 1})))
    assert no_taxable.error_code == 6000 and "taxable line" in no_taxable.detail


def test_non_us_tax_lines_given_are_kept(ca):
    qb, codes, rates, customer = ca
    body = {"CustomerRef": {"value": customer}, "GlobalTaxCalculation": "TaxExcluded",
            "Line": _ca_lines(codes["GST/PST BC"], 10.05) + _ca_lines(codes["GST"], 3.33)}
    computed = create(qb, "Invoice", body)
    amounts = {t["TaxLineDetail"]["TaxRateRef"]["value"]: t["Amount"] for t in computed["TxnTaxDetail"]["TaxLine"]}
    assert computed["TxnTaxDetail"]["TotalTax"] == 1.37        # GST 0.50 + PST 0.70 + GST 0.17
    tax_line = [{"Amount": a, "DetailType": "TaxLineDetail", "TaxLineDetail": {"TaxRateRef": {"value": r}}}
                for r, a in ((rates["GST"], 0.68), (rates["PST BC"], 0.71))]
    given = create(qb, "Invoice", dict(body, TxnTaxDetail={"TotalTax": 1.39, "TaxLine": tax_line}))
    assert given["TxnTaxDetail"]["TotalTax"] == 1.39 and given["TotalAmt"] == 14.77
    assert amounts  # the computed ones differed
    unknown = [{"Amount": 1, "TaxLineDetail": {"TaxRateRef": {"value": rates["HST ON"]}}}]
    err = _error(lambda: create(qb, "Invoice", dict(body, TxnTaxDetail={"TaxLine": unknown})))
    assert err.error_code == 6000 and "not a rate" in err.detail
    err = _error(lambda: create(qb, "Invoice", dict(body, TxnTaxDetail={"TotalTax": 2, "TaxLine": tax_line})))
    assert err.error_code == 6000 and "sum of the TaxLine" in err.detail


def test_tax_inclusive_amounts_are_net_plus_tax(ca):
    qb, codes, _rates, customer = ca
    line = _ca_lines(codes["HST ON"], 100)
    line[0]["SalesItemLineDetail"]["TaxInclusiveAmt"] = 113
    inv = create(qb, "Invoice", {"CustomerRef": {"value": customer}, "GlobalTaxCalculation": "TaxInclusive",
                                 "Line": line})
    assert inv["TxnTaxDetail"]["TotalTax"] == 13 and inv["TotalAmt"] == 113
    assert inv["Line"][0]["SalesItemLineDetail"]["TaxInclusiveAmt"] == 113


def test_at_most_750_lines(qb):
    cust = create(qb, "Customer", {"DisplayName": "Long"})["Id"]
    assert len(create(qb, "Invoice", invoice_body(cust, *[1] * 750))["Line"]) == 751   # + subtotal
    err = _error(lambda: create(qb, "Invoice", invoice_body(cust, *[1] * 751)))
    assert err.error_code == 6000 and "at most 750 lines" in err.detail


def test_closed_books_refuse_writes_6210(qb):
    cust = create(qb, "Customer", {"DisplayName": "Closed"})["Id"]
    old = create(qb, "Invoice", invoice_body(cust, 10, TxnDate="2020-06-30"))
    new = create(qb, "Invoice", invoice_body(cust, 10, TxnDate="2021-02-01"))
    prefs = qb.query("SELECT * FROM Preferences")["QueryResponse"]["Preferences"][0]
    update(qb, "Preferences", {"Id": "1", "SyncToken": prefs["SyncToken"], "sparse": True,
                               "AccountingInfoPrefs": {"BookCloseDate": "2020-12-31"}})
    for call in (lambda: create(qb, "Invoice", invoice_body(cust, 5, TxnDate="2020-12-31")),
                 lambda: update(qb, "Invoice", {"Id": old["Id"], "SyncToken": "0", "sparse": True,
                                                "DueDate": "2021-03-01"}),
                 lambda: update(qb, "Invoice", {"Id": new["Id"], "SyncToken": "0", "sparse": True,
                                                "TxnDate": "2020-12-01"}),
                 lambda: qb.delete_object("Invoice", '{"Id": "%s", "SyncToken": "0"}' % old["Id"])):
        err = _error(call)
        assert err.error_code == 6210 and "2020-12-31" in err.detail
    assert update(qb, "Invoice", {"Id": new["Id"], "SyncToken": "0", "sparse": True,
                                  "DueDate": "2021-03-01"})["DueDate"] == "2021-03-01"
