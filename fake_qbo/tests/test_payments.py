"""Payments as QuickBooks applies them (QBO_API.md §10 Payment): another customer's invoice is not
applied, and a deposited payment cannot change (6540) until its deposit lets it go."""
import json

import pytest
from qbo_helpers import create, invoice_body, update
from quickbooks.exceptions import QuickbooksException


def _error(call):
    with pytest.raises(QuickbooksException) as e:
        call()
    return e.value


def _payment(qb, customer, total, *links):
    return create(qb, "Payment", {"CustomerRef": {"value": customer}, "TotalAmt": total, "Line": [
        {"Amount": amount, "LinkedTxn": [{"TxnId": txn, "TxnType": "Invoice"}]} for txn, amount in links]})


def test_another_customers_invoice_stays_unapplied(qb):
    mine = create(qb, "Customer", {"DisplayName": "Payer A"})["Id"]
    other = create(qb, "Customer", {"DisplayName": "Payer B"})["Id"]
    inv = create(qb, "Invoice", invoice_body(other, 80))
    own = create(qb, "Invoice", invoice_body(mine, 30))
    pay = _payment(qb, mine, 100, (inv["Id"], 50), (own["Id"], 30))
    assert pay["UnappliedAmt"] == 70
    assert pay["Line"] == [{"Amount": 30, "LinkedTxn": [{"TxnId": own["Id"], "TxnType": "Invoice"}]}]
    assert qb.get_single_object("Invoice", inv["Id"])["Invoice"]["Balance"] == 80
    assert qb.get_single_object("Customer", mine)["Customer"]["Balance"] == -70


def test_deposited_payment_cannot_change_until_the_deposit_goes(qb):
    customer = create(qb, "Customer", {"DisplayName": "Depositor"})["Id"]
    inv = create(qb, "Invoice", invoice_body(customer, 60))
    pay = _payment(qb, customer, 60, (inv["Id"], 60))
    bank = qb.query("SELECT * FROM Account WHERE AccountType = 'Bank'")["QueryResponse"]["Account"][0]
    body = {"DepositToAccountRef": {"value": bank["Id"]},
            "Line": [{"Amount": 60, "LinkedTxn": [{"TxnId": pay["Id"], "TxnType": "Payment"}]}]}
    deposit = create(qb, "Deposit", body)
    assert deposit["TotalAmt"] == 60 and deposit["Line"][0]["LinkedTxn"][0]["TxnId"] == pay["Id"]
    assert "6000" in str(_error(lambda: create(qb, "Deposit", body)).error_code)   # deposited once only
    stamp = {"Id": pay["Id"], "SyncToken": pay["SyncToken"]}
    for call in (lambda: update(qb, "Payment", dict(stamp, sparse=True, PrivateNote="x")),
                 lambda: qb.delete_object("Payment", json.dumps(stamp)),
                 lambda: qb.misc_operation("payment?operation=update&include=void",
                                           json.dumps(dict(stamp, sparse=True)))):
        error = _error(call)
        assert str(error.error_code) == "6540" and "deposited" in error.detail
    assert qb.get_single_object("Payment", pay["Id"])["Payment"]["SyncToken"] == pay["SyncToken"]
    qb.delete_object("Deposit", json.dumps({"Id": deposit["Id"], "SyncToken": deposit["SyncToken"]}))
    assert update(qb, "Payment", dict(stamp, sparse=True, PrivateNote="x"))["PrivateNote"] == "x"


def test_deposit_lines_name_one_payment_each(qb):
    bank = qb.query("SELECT * FROM Account WHERE AccountType = 'Bank'")["QueryResponse"]["Account"][0]["Id"]
    error = _error(lambda: create(qb, "Deposit", {"DepositToAccountRef": {"value": bank}, "Line": [
        {"Amount": 5, "LinkedTxn": [{"TxnId": "1", "TxnType": "Invoice"}]}]}))
    assert str(error.error_code) == "6000"
    assert str(_error(lambda: create(qb, "Deposit", {"Line": []})).error_code) == "2020"
