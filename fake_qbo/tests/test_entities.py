"""Every verb through python-quickbooks 0.9.12 (objects and plain dicts) and the computed fields."""
import json

import pytest
from qbo_helpers import Raw, connect, create, invoice_body, qb_client, update
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.account import Account
from quickbooks.objects.company_info import CompanyInfo
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.employee import Employee
from quickbooks.objects.estimate import Estimate
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.paymentmethod import PaymentMethod
from quickbooks.objects.preferences import Preferences
from quickbooks.objects.salesreceipt import SalesReceipt
from quickbooks.objects.taxcode import TaxCode
from quickbooks.objects.taxrate import TaxRate
from quickbooks.objects.term import Term
from quickbooks.objects.vendor import Vendor


def test_name_lists_through_objects(qb):
    v = Vendor()
    v.DisplayName = "Paper Co"
    v = v.save(qb=qb)
    e = Employee()
    e.GivenName = "Emily"
    e.FamilyName = "Platt"
    e = e.save(qb=qb)
    assert e.DisplayName == "Emily Platt"
    t = Term()
    t.Name = "Net 45"
    t.DueDays = 45
    t = t.save(qb=qb)
    pm = PaymentMethod()
    pm.Name = "Wire"
    pm.Type = "NON_CREDIT_CARD"
    pm = pm.save(qb=qb)
    acc = Account()
    acc.Name = "Consulting"
    acc.AccountType = "Income"
    acc = acc.save(qb=qb)
    it = Item()
    it.Name = "Widget"
    it.Type = "Service"
    it.IncomeAccountRef = acc.to_ref()
    it = it.save(qb=qb)
    for cls, obj in ((Vendor, v), (Employee, e), (Term, t), (PaymentMethod, pm), (Account, acc), (Item, it)):
        got = cls.get(obj.Id, qb=qb)
        assert got.Id == obj.Id and got.SyncToken == "0"
    assert {c.Name for c in TaxCode.all(qb=qb)} >= {"TAX", "NON", "California"}
    assert len(TaxRate.all(qb=qb)) == 2
    assert Preferences.get(qb=qb).SalesFormsPrefs.CustomTxnNumbers is False
    info = CompanyInfo.get(qb.company_id, qb=qb)
    assert info.CompanyName == "Sandbox Company_US_1" and info.Country == "US"


def test_full_update_nulls_omitted_and_sparse_keeps(qb):
    c = create(qb, "Customer", {"DisplayName": "Full", "CompanyName": "Full Inc", "Notes": "n"})
    sparse = update(qb, "Customer", {"Id": c["Id"], "SyncToken": c["SyncToken"], "sparse": True, "Notes": "m"})
    assert sparse["CompanyName"] == "Full Inc" and sparse["Notes"] == "m" and sparse["SyncToken"] == "1"
    full = update(qb, "Customer", {"Id": c["Id"], "SyncToken": "1", "DisplayName": "Full"})
    assert "CompanyName" not in full and "Notes" not in full and full["SyncToken"] == "2"
    assert full["MetaData"]["CreateTime"] == c["MetaData"]["CreateTime"]


def test_object_get_modify_save(qb):
    c = Customer()
    c.DisplayName = "Obj"
    c = c.save(qb=qb)
    c = Customer.get(c.Id, qb=qb)
    c.CompanyName = "Obj Co"
    c = c.save(qb=qb)
    assert Customer.get(c.Id, qb=qb).CompanyName == "Obj Co"


def test_deactivate_adds_deleted_suffix_and_frees_the_name(qb):
    c = create(qb, "Customer", {"DisplayName": "Emily Platt"})
    off = update(qb, "Customer", {"Id": c["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    assert off["DisplayName"] == "Emily Platt (deleted)" and off["PrintOnCheckName"] == "Emily Platt"
    assert Customer.filter(DisplayName="Emily Platt (deleted)", qb=qb) == []          # active only
    assert Customer.query("SELECT * FROM Customer WHERE Active = false", qb=qb)[0].Id == c["Id"]
    again = create(qb, "Customer", {"DisplayName": "Emily Platt"})
    assert again["Id"] != c["Id"]
    with pytest.raises(QuickbooksException) as e:
        update(qb, "Customer", {"Id": c["Id"], "SyncToken": "1", "sparse": True, "Active": True})
    assert e.value.error_code == 6240
    on = update(qb, "Account", {"Id": "9", "SyncToken": "0", "sparse": True, "Active": False})
    assert on["Name"] == "Office Expenses (deleted)"


def test_sub_customers_and_sub_items(qb):
    parent = create(qb, "Customer", {"DisplayName": "Doe, Jack"})
    child = create(qb, "Customer", {"DisplayName": "Jack Doe", "Job": True, "BillWithParent": True,
                                    "ParentRef": {"value": parent["Id"]}})
    assert child["FullyQualifiedName"] == "Doe, Jack:Jack Doe" and child["Level"] == 1 and child["Job"] is True
    cat = create(qb, "Item", {"Name": "Sprinkler System", "Type": "Category"})
    sub = create(qb, "Item", {"Name": "Pipes", "Type": "Service", "SubItem": True, "ParentRef": {"value": cat["Id"]},
                              "IncomeAccountRef": {"value": "2"}})
    assert sub["FullyQualifiedName"] == "Sprinkler System:Pipes" and sub["Level"] == 1


def test_invoice_computed_fields_us_tax_and_discount(qb):
    cust = create(qb, "Customer", {"DisplayName": "Taxed", "BillAddr": {"Line1": "1 Main"},
                                   "PrimaryEmailAddr": {"Address": "a@b.example"}})
    item = create(qb, "Item", {"Name": "Pump", "Type": "Service", "Taxable": True, "UnitPrice": 12.75,
                               "IncomeAccountRef": {"value": "1"}})
    body = {"CustomerRef": {"value": cust["Id"]}, "ApplyTaxAfterDiscount": False, "Line": [
        {"Amount": 275, "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 1, "UnitPrice": 275}},
        {"DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}, "Qty": 4, "UnitPrice": 9.5}},
        {"Amount": 12.75, "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "TaxCodeRef": {"value": "NON"}}},
        {"DetailType": "DiscountLineDetail", "DiscountLineDetail": {"PercentBased": True, "DiscountPercent": 10}}]}
    inv = create(qb, "Invoice", body)
    assert [line.get("Id") for line in inv["Line"]] == ["1", "2", "3", None, None]
    assert [line.get("LineNum") for line in inv["Line"][:3]] == [1, 2, 3]
    assert inv["Line"][1]["Amount"] == 38.0
    assert inv["Line"][3] == {"Amount": 325.75, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
    assert inv["Line"][4]["Amount"] == 32.58
    tax = inv["TxnTaxDetail"]
    assert tax["TxnTaxCodeRef"] == {"value": "2"} and tax["TotalTax"] == 25.04   # 8 % of 313.00
    assert inv["TotalAmt"] == 318.21 and inv["Balance"] == 318.21
    assert inv["DocNumber"] == "1001" and inv["DueDate"] and inv["BillAddr"]["Line1"] == "1 Main"
    assert inv["BillEmail"] == {"Address": "a@b.example"}
    assert Customer.get(cust["Id"], qb=qb).Balance == 318.21


def test_payments_and_credit_memos_drive_balances(qb):
    cust = create(qb, "Customer", {"DisplayName": "Payer"})
    inv1 = create(qb, "Invoice", invoice_body(cust["Id"], 100))
    inv2 = create(qb, "Invoice", invoice_body(cust["Id"], 50))
    cm = create(qb, "CreditMemo", invoice_body(cust["Id"], 20))
    assert cm["RemainingCredit"] == 20 and cm["Balance"] == 20
    pay = create(qb, "Payment", {"CustomerRef": {"value": cust["Id"]}, "TotalAmt": 110, "Line": [
        {"Amount": 100, "LinkedTxn": [{"TxnId": inv1["Id"], "TxnType": "Invoice"}]},
        {"Amount": 20, "LinkedTxn": [{"TxnId": inv2["Id"], "TxnType": "Invoice"}]},
        {"Amount": 20, "LinkedTxn": [{"TxnId": cm["Id"], "TxnType": "CreditMemo"}]}]})
    assert pay["UnappliedAmt"] == 10
    r1 = Invoice.get(inv1["Id"], qb=qb)
    assert r1.Balance == 0 and r1.SyncToken == "1"
    assert (pay["Id"], "Payment") in [(link.TxnId, link.TxnType) for link in r1.LinkedTxn]
    assert Invoice.get(inv2["Id"], qb=qb).Balance == 30
    assert qb.get_single_object("CreditMemo", cm["Id"])["CreditMemo"]["RemainingCredit"] == 0
    assert Customer.get(cust["Id"], qb=qb).Balance == 20       # 30 open - 10 unapplied
    qb.delete_object("Payment", json.dumps({"Id": pay["Id"], "SyncToken": "0"}))
    assert Invoice.get(inv1["Id"], qb=qb).Balance == 100
    assert Customer.get(cust["Id"], qb=qb).Balance == 130


def test_estimate_closed_when_invoiced(qb):
    cust = create(qb, "Customer", {"DisplayName": "Est"})
    est = create(qb, "Estimate", invoice_body(cust["Id"], 70))
    assert est["TxnStatus"] == "Pending" and est["LinkedTxn"] == []
    inv = create(qb, "Invoice", invoice_body(cust["Id"], 70, LinkedTxn=[{"TxnId": est["Id"], "TxnType": "Estimate"}]))
    got = Estimate.get(est["Id"], qb=qb)
    assert got.TxnStatus == "Closed" and got.LinkedTxn[0].TxnId == inv["Id"] and got.SyncToken == "1"
    assert inv["LinkedTxn"] == [{"TxnId": est["Id"], "TxnType": "Estimate"}]


def test_delete_and_void(qb):
    cust = create(qb, "Customer", {"DisplayName": "Voider"})
    inv = create(qb, "Invoice", invoice_body(cust["Id"], 100))
    obj = Invoice.get(inv["Id"], qb=qb)
    obj.void(qb=qb)
    got = Invoice.get(inv["Id"], qb=qb)
    assert got.TotalAmt == 0 and got.Balance == 0 and got.PrivateNote == "Voided" and got.SyncToken == "1"
    sr = create(qb, "SalesReceipt", invoice_body(cust["Id"], 40))
    assert sr["Balance"] == 0 and sr["DepositToAccountRef"]["name"] == "Undeposited Funds"
    SalesReceipt.get(sr["Id"], qb=qb).void(qb=qb)
    assert SalesReceipt.get(sr["Id"], qb=qb).TotalAmt == 0
    got.delete(qb=qb)
    with pytest.raises(QuickbooksException) as e:
        Invoice.get(inv["Id"], qb=qb)
    assert e.value.error_code == 610
    with pytest.raises(QuickbooksException):
        qb.delete_object("Customer", json.dumps({"Id": cust["Id"], "SyncToken": "0"}))


def test_docnumber_numbering_and_duplicates(qb):
    cust = create(qb, "Customer", {"DisplayName": "Numbers"})
    a = create(qb, "Invoice", invoice_body(cust["Id"], 1))
    b = create(qb, "Invoice", invoice_body(cust["Id"], 1, DocNumber="AUTO_GENERATE"))
    assert (a["DocNumber"], b["DocNumber"]) == ("1001", "1002")
    with pytest.raises(QuickbooksException) as e:
        create(qb, "Invoice", invoice_body(cust["Id"], 1, DocNumber="1001"))
    assert e.value.error_code == 6140
    p = Preferences.get(qb=qb)
    update(qb, "Preferences", {"Id": "1", "SyncToken": p.SyncToken, "sparse": True,
                               "SalesFormsPrefs": {"CustomTxnNumbers": True}})
    c = create(qb, "Invoice", invoice_body(cust["Id"], 1))
    assert "DocNumber" not in c


def test_canadian_company_per_line_tax(fresh):
    realm = fresh.add_company("CA")
    fresh.consent["realm"] = realm
    ac = connect(fresh)
    assert ac.realm_id == realm
    qb = qb_client(fresh, ac)
    codes = {c["Name"]: c["Id"] for c in qb.query("SELECT * FROM TaxCode")["QueryResponse"]["TaxCode"]}
    cust = create(qb, "Customer", {"DisplayName": "Jimmy"})
    inv = create(qb, "Invoice", {"CustomerRef": {"value": cust["Id"]}, "GlobalTaxCalculation": "TaxExcluded", "Line": [
        {"Amount": 200, "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "TaxCodeRef": {"value": codes["HST ON"]}}},
        {"Amount": 100, "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "TaxCodeRef": {"value": codes["Exempt"]}}}]})
    assert inv["TxnTaxDetail"]["TotalTax"] == 26 and inv["TotalAmt"] == 326
    assert [t["TaxLineDetail"]["NetAmountTaxable"] for t in inv["TxnTaxDetail"]["TaxLine"]] == [200, 100]
    assert inv["CurrencyRef"] == {"value": "CAD", "name": "Canadian Dollar"}
    # the token of the CA realm does not open the US realm
    other = Raw(fresh, ac)
    other.realm = fresh.realm_id
    r = other.get("customer/1")
    assert r.status_code == 403 and r.json()["Fault"]["Error"][0]["code"] == "3100"


def test_multicurrency_company(fresh):
    realm = fresh.add_company("US", multicurrency=True)
    fresh.consent["realm"] = realm
    qb = qb_client(fresh, connect(fresh))
    cust = create(qb, "Customer", {"DisplayName": "Euro Buyer", "CurrencyRef": {"value": "EUR"}})
    inv = create(qb, "Invoice", invoice_body(cust["Id"], 100, CurrencyRef={"value": "EUR"}, ExchangeRate=1.1))
    assert inv["HomeTotalAmt"] == 110 and inv["HomeBalance"] == 110
    with pytest.raises(QuickbooksException):
        create(qb, "Invoice", invoice_body(cust["Id"], 100, CurrencyRef={"value": "USD"}))


def test_invoice_object_with_python_quickbooks_defaults(qb):
    cust = Customer()
    cust.DisplayName = "Defaults"
    cust = cust.save(qb=qb)
    inv = Invoice()
    line = SalesItemLine()
    line.Amount = 100
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = Item.get(1, qb=qb).to_ref()
    inv.Line.append(line)
    inv.CustomerRef = cust.to_ref()
    inv = inv.save(qb=qb)
    got = Invoice.get(inv.Id, qb=qb)
    assert got.TotalAmt == 100 and got.Balance == 100 and got.Line[-1].DetailType == "SubTotalLineDetail"


def test_taxservice_creates_code_and_rates(raw):
    r = raw.post("taxservice/taxcode", {"TaxCode": "Metro", "TaxRateDetails": [
        {"TaxRateName": "Metro City", "RateValue": "1.5", "TaxAgencyId": "1", "TaxApplicableOn": "Sales"}]})
    assert r.status_code == 200, r.text
    assert r.json()["TaxRateDetails"][0]["TaxRateName"] == "Metro City"
    dup = raw.post("taxservice/taxcode", {"TaxCode": "Metro2", "TaxRateDetails": [
        {"TaxRateName": "Metro City", "RateValue": "1.5", "TaxAgencyId": "1"}]})
    assert dup.status_code == 400 and dup.json()["Fault"]["Error"][0]["code"] == "6240"
