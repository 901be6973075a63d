"""fake_qbo.seed: deterministic, realistic data that passes the fake's own validation."""
import json
import re
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests

from fake_qbo import FakeQBO, seed

TODAY = date(2025, 3, 14)
SMALL = seed.counts_for(30)


class RecordingApi:
    """The server's own seed api (a FakeQBO company: base lists, full validation), recording payloads."""

    def __init__(self, country="US"):
        self.company = FakeQBO(country=country).company()
        self.inner = self.company.seed_api()
        self.realm_id = self.inner.realm_id
        self.payloads = []

    def create(self, entity, payload):
        self.payloads.append((entity, json.dumps(payload, default=str, ensure_ascii=False)))
        return self.inner.create(entity, payload)

    def query(self, entity):
        return self.inner.query(entity)

    def today(self):
        return TODAY.isoformat()


class NullApi:
    """No validation, no storage: measures the seed's own cost."""

    realm_id = "1"

    def __init__(self):
        self.n = 0

    def create(self, entity, payload):
        self.n += 1
        return dict(payload, Id=str(self.n))

    def query(self, entity):
        return []


def _seeded(country="US", counts=SMALL, seed_=42):
    api = RecordingApi(country)
    return api, seed.populate(api, counts, seed=seed_, country=country)


@pytest.fixture(scope="module")
def us():
    return _seeded("US")


@pytest.fixture(scope="module")
def ca():
    return _seeded("CA")


@pytest.fixture(scope="module")
def gb():
    return _seeded("GB")


@pytest.fixture(scope="module")
def au():
    return _seeded("AU")


def _payloads(api, entity):
    return [json.loads(p) for e, p in api.payloads if e == entity]


def _sales_lines(api):
    for entity in ("Estimate", "Invoice", "CreditMemo", "SalesReceipt"):
        for doc in _payloads(api, entity):
            yield from doc["Line"]


# ---- determinism and counts -----------------------------------------------------------------

def test_same_seed_gives_identical_payloads(us):
    again, _ = _seeded("US")
    assert again.payloads == us[0].payloads
    other, _ = _seeded("US", seed_=7)
    assert other.payloads != us[0].payloads


def test_counts_are_honoured(us):
    api, summary = us
    expected = {"Customer": SMALL["customers"], "Vendor": SMALL["vendors"], "Estimate": SMALL["estimates"],
                "Item": SMALL["items"] + SMALL["categories"], "Invoice": SMALL["invoices"],
                "CreditMemo": SMALL["credit_memos"], "Payment": SMALL["payments"],
                "SalesReceipt": SMALL["sales_receipts"]}
    assert {entity: len(ids) for entity, ids in summary.items()} == expected
    for entity, ids in summary.items():
        assert {r["Id"] for r in api.query(entity)} >= set(ids)


def test_counts_for_is_proportional():
    counts = seed.counts_for(100)
    assert counts["customers"] == 100 and counts["items"] == 20 and counts["categories"] == 3
    assert counts["invoices"] == 200 and counts["estimates"] == 50
    assert counts["credit_memos"] == 20 and counts["payments"] == 100
    assert seed.counts_for(0) == dict.fromkeys(seed.COUNT_KEYS, 0)
    assert seed.counts_for(1)["items"] == 5


def test_bad_arguments_are_refused():
    with pytest.raises(seed.SeedError, match="unknown count keys"):
        seed.populate(NullApi(), {"customer": 3})
    with pytest.raises(seed.SeedError, match="country"):
        seed.populate(NullApi(), {"customers": 1}, country="FR")
    with pytest.raises(seed.SeedError, match="Account of AccountType"):
        seed.populate(NullApi(), {"items": 1})


def test_seeding_twice_adds_more_without_name_clashes(us):
    api = RecordingApi()
    seed.populate(api, seed.counts_for(12))
    seed.populate(api, seed.counts_for(12))
    names = [c["DisplayName"] for c in api.query("Customer")]
    assert len(names) == 24 == len({n.casefold() for n in names})


def test_payments_alone_apply_to_existing_invoices():
    api = RecordingApi()
    seed.populate(api, {"customers": 10, "items": 5, "invoices": 10})
    summary = seed.populate(api, {"payments": 4}, seed=3)
    payments = [api.company.get("Payment", i) for i in summary["Payment"]]
    assert sum(len(p["Line"]) for p in payments) >= 4


# ---- integrity ------------------------------------------------------------------------------

REF_TARGETS = {"CustomerRef": "Customer", "ItemRef": "Item", "SalesTermRef": "Term", "TermRef": "Term",
               "PaymentMethodRef": "PaymentMethod", "TaxCodeRef": "TaxCode", "TxnTaxCodeRef": "TaxCode",
               "TaxRateRef": "TaxRate"}


def _refs(node, entity):
    """(field, target entity, id) of every reference inside a payload."""
    if isinstance(node, list):
        for value in node:
            yield from _refs(value, entity)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("AccountRef"):
                yield key, "Account", value["value"]
            elif key == "ParentRef":
                yield key, entity, value["value"]
            elif key in REF_TARGETS:
                yield key, REF_TARGETS[key], value["value"]
            elif key == "TxnId":
                yield key, node["TxnType"], value
            else:
                yield from _refs(value, entity)


@pytest.mark.parametrize("fixture", ["us", "ca", "gb", "au"])
def test_every_reference_points_at_an_existing_object(fixture, request):
    api, _ = request.getfixturevalue(fixture)
    checked = 0
    for entity, text in api.payloads:
        for field, target, id_ in _refs(json.loads(text), entity):
            if not (target == "TaxCode" and id_ in ("TAX", "NON")):
                assert api.company.get(target, id_) is not None, (entity, field, target, id_)
                checked += 1
    assert checked > 500


def test_amount_is_qty_times_unit_price(us, ca):
    for api in (us[0], ca[0]):
        lines = [line for line in _sales_lines(api) if line["DetailType"] == "SalesItemLineDetail"]
        assert len(lines) > 100
        for line in lines:
            detail = line["SalesItemLineDetail"]
            assert Decimal(line["Amount"]) == Decimal(detail["Qty"]) * Decimal(detail["UnitPrice"])
            assert Decimal(line["Amount"]).as_tuple().exponent == -2
        assert any(Decimal(line["SalesItemLineDetail"]["Qty"]) % 1 for line in lines)


def test_names_are_unique_and_colon_free(us):
    api, _ = us
    names = [r["DisplayName"] for e in ("Customer", "Vendor", "Employee") for r in api.query(e)]
    items = [r["Name"] for r in api.query("Item")]
    for group in (names, items):
        assert len({n.casefold() for n in group}) == len(group)
        assert not [n for n in group if re.search(r"[:\t\n]", n)]


def test_dates_are_in_the_last_90_days(us):
    api, _ = us
    for entity in ("Estimate", "Invoice", "CreditMemo", "Payment", "SalesReceipt"):
        for doc in _payloads(api, entity):
            assert 0 <= (TODAY - date.fromisoformat(doc["TxnDate"])).days <= 90


# ---- realism --------------------------------------------------------------------------------

def test_customers_cover_the_awkward_cases(us):
    api, _ = us
    customers = api.query("Customer")
    names = " ".join(c["DisplayName"] for c in customers)
    for needle in ("'", "&", ",", "é", "ü", "ñ", "日本"):
        assert needle in names, needle
    emails = [c.get("PrimaryEmailAddr", {}).get("Address") for c in customers]
    assert None in emails and any(e and "," in e for e in emails)
    assert any(c.get("Active") is False for c in customers)
    jobs = [c for c in customers if c["Job"]]
    assert len(jobs) == SMALL["customers"] // 10 and any(c["BillWithParent"] for c in jobs)
    assert any(c.get("CompanyName") and c.get("GivenName") for c in customers if not c["Job"])
    assert any(not c.get("CompanyName") and c.get("FamilyName") for c in customers)
    for key in ("Title", "Mobile", "Fax", "WebAddr", "Notes", "ShipAddr"):
        assert any(key in c for c in customers), key
    addresses = [c["BillAddr"] for c in customers if "BillAddr" in c]
    assert all(re.fullmatch(r"\d{5}", a["PostalCode"]) and a["CountrySubDivisionCode"] for a in addresses)
    assert {a.get("Country") for a in addresses} >= {"US", "USA", None}


def test_emails_fit_quickbooks_limit():
    """QuickBooks keeps at most 100 characters of PrimaryEmailAddr (the whole list): long company
    names get a shorter domain, the rest of the data is untouched."""
    api, _ = _seeded("US", seed.counts_for(300))
    emails = [c["PrimaryEmailAddr"]["Address"] for entity in ("Customer", "Vendor") for c in api.query(entity)
              if "PrimaryEmailAddr" in c]
    assert emails and max(map(len, emails)) <= seed.EMAIL_MAX
    assert any("," in e and len(e) > 95 for e in emails), "lists near the limit are kept, shortened"
    long_name = [c for c in api.query("Customer") if c["DisplayName"].startswith("A Very Long Company Name")]
    assert long_name[0]["PrimaryEmailAddr"]["Address"].startswith("andrew.mitchell@a-very-long-company-name")


def test_items_cover_types_categories_and_inventory(us):
    api, summary = us
    items = [api.company.get("Item", i) for i in summary["Item"]]
    assert {i["Type"] for i in items} == {"Service", "NonInventory", "Inventory", "Category"}
    assert any(i["Type"] == "Category" and i["Level"] == 1 for i in items)
    assert any(i["Type"] != "Category" and i.get("SubItem") for i in items)
    for item in items:
        if item["Type"] == "Inventory":
            assert item["TrackQtyOnHand"] and "QtyOnHand" in item and "InvStartDate" in item
            assert {"IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"} <= set(item)
        if item["Type"] != "Category":
            assert item["Sku"] and item["Description"] and Decimal(item["UnitPrice"]) > 0


def test_estimates_invoices_and_discounts(us):
    api, _ = us
    assert {e["TxnStatus"] for e in api.query("Estimate")} == {"Pending", "Accepted", "Rejected", "Closed"}
    invoices = api.query("Invoice")
    assert any(link["TxnType"] == "Estimate" for inv in invoices for link in inv["LinkedTxn"])
    discounts = [line["DiscountLineDetail"] for line in _sales_lines(api) if line["DetailType"] == "DiscountLineDetail"]
    assert {d["PercentBased"] for d in discounts} == {True, False}
    assert all(inv["DueDate"] >= inv["TxnDate"] for inv in invoices)
    assert any(len(inv["Line"]) >= 5 for inv in invoices)     # several item lines + subtotal


def test_us_tax_shape(us):
    api, _ = us
    real_codes = {c["Id"] for c in api.query("TaxCode")}
    taxed = 0
    for doc in _payloads(api, "Invoice"):
        codes = {line["SalesItemLineDetail"]["TaxCodeRef"]["value"] for line in doc["Line"]
                 if line["DetailType"] == "SalesItemLineDetail"}
        assert codes <= {"TAX", "NON"} and "GlobalTaxCalculation" not in doc
        if "TAX" in codes:
            assert doc["TxnTaxDetail"]["TxnTaxCodeRef"]["value"] in real_codes
            taxed += 1
    assert taxed and any(Decimal(i["TxnTaxDetail"]["TotalTax"]) > 0 for i in api.query("Invoice"))


def test_non_us_tax_and_address_shape(ca):
    api, _ = ca
    codes = {c["Id"] for c in api.query("TaxCode")}
    for doc in _payloads(api, "Invoice"):
        assert doc["GlobalTaxCalculation"] == "TaxExcluded" and "TxnTaxDetail" not in doc
        for line in doc["Line"]:
            if line["DetailType"] == "SalesItemLineDetail":
                assert line["SalesItemLineDetail"]["TaxCodeRef"]["value"] in codes
    assert any(len(i["TxnTaxDetail"]["TaxLine"]) > 1 for i in api.query("Invoice"))
    customers = api.query("Customer")
    postal = [c["BillAddr"]["PostalCode"] for c in customers if "BillAddr" in c]
    assert postal and all(re.fullmatch(r"[A-Z]\d[A-Z] \d[A-Z]\d", p) for p in postal)
    assert any(c["BillAddr"]["City"] in ("Montréal", "Québec") for c in customers if "BillAddr" in c)


def test_payments_full_partial_split_and_over(us):
    api, _ = us
    invoices = {i["Id"]: i for i in api.query("Invoice")}
    payments = api.query("Payment")
    assert any(len(p["Line"]) == 2 for p in payments)                              # split
    assert any(p["UnappliedAmt"] > 0 and p["Line"] for p in payments)              # over
    applied = [(line["Amount"], invoices[line["LinkedTxn"][0]["TxnId"]]) for p in payments for line in p["Line"]]
    assert any(amount == inv["TotalAmt"] for amount, inv in applied)               # full
    assert any(amount < inv["TotalAmt"] for amount, inv in applied)                # partial
    assert any(0 < inv["Balance"] < inv["TotalAmt"] for inv in invoices.values())
    assert all(inv["Balance"] >= 0 for inv in invoices.values())


def test_ten_thousand_customers_in_a_few_seconds():
    api = NullApi()
    started = time.perf_counter()
    summary = seed.populate(api, {"customers": 10_000}, seed=1)
    elapsed = time.perf_counter() - started
    assert len(summary["Customer"]) == 10_000
    assert elapsed < 5, elapsed


def _created(company):
    """How many objects of each seeded entity a company holds beyond its base lists."""
    base = FakeQBO(country=company.country).company()
    return {entity: len(company.all(entity)) - len(base.all(entity)) for entity in seed.ENTITIES}


def _expected(counts):
    return {"Customer": counts["customers"], "Vendor": counts["vendors"],
            "Item": counts["items"] + counts["categories"], "Estimate": counts["estimates"],
            "Invoice": counts["invoices"], "CreditMemo": counts["credit_memos"], "Payment": counts["payments"],
            "SalesReceipt": counts["sales_receipts"]}


def test_fakeqbo_seed_option_uses_counts_for():
    """`FakeQBO(seed=N)` (and `--seed N`) creates exactly the documented proportional counts."""
    assert _created(FakeQBO(seed=25).company()) == _expected(seed.counts_for(25))


def test_seed_company_counts_override_and_validation():
    """Counts given next to `customers` override counts_for; without `customers` only they are made."""
    srv = FakeQBO()
    summary = srv.seed_company({"customers": 12, "vendors": 1, "invoices": 3, "seed": 5})
    assert {entity: len(ids) for entity, ids in summary.items()} == _expected(
        dict(seed.counts_for(12), vendors=1, invoices=3))
    only_items = srv.seed_company({"items": 2})
    assert {entity: len(ids) for entity, ids in only_items.items() if ids} == {"Item": 2}
    before = _created(srv.company())
    for options, message in (({"customer": 3}, "unknown seed options ['customer']"),
                             ({"customers": 3, "country": "CA"}, "unknown seed options ['country']"),
                             ({"customers": "x"}, "customers must be a non-negative integer"),
                             ({"customers": -1}, "customers must be a non-negative integer"),
                             ({"customers": 2.5}, "customers must be a non-negative integer"),
                             ({"customers": float("inf")}, "customers must be a non-negative integer"),
                             ({"customers": True}, "customers must be a non-negative integer"),
                             ({"customers": 2, "seed": "abc"}, "seed must be an integer"),
                             ({"customers": 2, "realm": "404"}, "unknown realm 404")):
        with pytest.raises((ValueError, KeyError), match=re.escape(message)):
            srv.seed_company(options)
    assert _created(srv.company()) == before          # refused before anything was written


def test_seeded_dates_follow_the_company_clock():
    """The server's seed api has `today()`: the company clock's date anchors the 90-day window."""
    srv = FakeQBO()
    srv.state.clock.set("2024-02-10T09:00:00-07:00")
    assert srv.company().seed_api().today() == "2024-02-10"
    srv.seed_company({"customers": 10})
    co, anchor = srv.company(), date(2024, 2, 10)
    dates = [date.fromisoformat(doc["TxnDate"]) for entity in ("Estimate", "Invoice", "CreditMemo", "Payment",
                                                                "SalesReceipt") for doc in co.all(entity)]
    assert dates and all(0 <= (anchor - d).days <= 90 for d in dates)
    assert min(dates) < anchor - timedelta(days=30)       # spread over the window, not just "today"


def test_control_seed_rejects_bad_options_with_400(fresh):
    """`POST /_fake/seed`: unknown keys and bad values answer 400 {"error": ...}, never a 500."""
    url = f"{fresh.url}/_fake/seed"
    for body, needle in (('{"customers": 2, "foo": 1}', "unknown seed options ['foo']"),
                         ('{"customers": 2, "country": "CA"}', "unknown seed options ['country']"),
                         ('{"customers": "two"}', "customers must be a non-negative integer"),
                         ('{"customers": 1e400}', "customers must be a non-negative integer"),
                         ('{"customers": 2, "realm": "404"}', "unknown realm 404")):
        r = requests.post(url, data=body, timeout=30)
        assert r.status_code == 400, (body, r.text)
        assert needle in r.json()["error"] and "Traceback" not in r.text
    assert fresh.company().all("Customer") == []
    r = requests.post(url, json={"customers": 4, "vendors": 1, "seed": 7}, timeout=30)
    assert r.status_code == 200
    assert {entity: len(ids) for entity, ids in r.json().items()} == _expected(
        dict(seed.counts_for(4), vendors=1))


def test_many_categories_stay_within_five_levels():
    """QuickBooks refuses a sixth level (6000): 200 categories (the product benchmark) seed."""
    api = RecordingApi()
    summary = seed.populate(api, {"categories": 200, "items": 20}, today=TODAY)
    assert len(summary["Item"]) == 220
    assert max(r.get("Level", 0) for r in api.query("Item")) <= 4
