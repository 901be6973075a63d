"""Company bootstrap (CompanyInfo, Preferences, base lists) and the singleton entities.

Base lists are created through the same builders as API calls, so they obey the same rules.
"""
import copy

from . import entities, errors, lists
from .store import Company

COUNTRIES = {
    "US": {"currency": "USD", "addr": {"Line1": "2600 Marine Way", "City": "Mountain View",
                                       "CountrySubDivisionCode": "CA", "PostalCode": "94043", "Country": "US"},
           "rates": [("State Tax", 6), ("County Tax", 2)], "codes": [("California", ["State Tax", "County Tax"])]},
    "CA": {"currency": "CAD", "addr": {"Line1": "5100 Spectrum Way", "City": "Mississauga",
                                       "CountrySubDivisionCode": "ON", "PostalCode": "L4W 5S2", "Country": "CA"},
           "rates": [("GST", 5), ("HST ON", 13), ("PST BC", 7), ("Exempt", 0)],
           "codes": [("GST", ["GST"]), ("HST ON", ["HST ON"]), ("GST/PST BC", ["GST", "PST BC"]),
                     ("Exempt", ["Exempt"])]},
    "GB": {"currency": "GBP", "addr": {"Line1": "1 Poultry", "City": "London",
                                       "PostalCode": "EC2R 8EJ", "Country": "GB"},
           "rates": [("20.0% S", 20), ("5.0% R", 5), ("0.0% Z", 0)],
           "codes": [("20.0% S", ["20.0% S"]), ("5.0% R", ["5.0% R"]), ("0.0% Z", ["0.0% Z"])]},
    "AU": {"currency": "AUD", "addr": {"Line1": "1 Martin Place", "City": "Sydney",
                                       "CountrySubDivisionCode": "NSW", "PostalCode": "2000", "Country": "AU"},
           "rates": [("GST (sales)", 10), ("GST free", 0)],
           "codes": [("GST", ["GST (sales)"]), ("FRE", ["GST free"])]},
}
ACCOUNTS = [  # (Name, AccountType, AccountSubType)
    ("Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("Services", "Income", "ServiceFeeIncome"),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("Inventory Asset", "Other Current Asset", "Inventory"),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("Discounts given", "Income", "DiscountsRefundsGiven"),
    ("Checking", "Bank", "Checking"),
    ("Office Expenses", "Expense", "OfficeGeneralAdministrativeExpenses"),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
    ("Sales Tax Payable", "Other Current Liability", "SalesTaxPayable"),
]
TERMS = [("Due on receipt", 0), ("Net 15", 15), ("Net 30", 30), ("Net 60", 60)]
PAYMENT_METHODS = [("Cash", "NON_CREDIT_CARD"), ("Check", "NON_CREDIT_CARD"), ("Visa", "CREDIT_CARD"),
                   ("MasterCard", "CREDIT_CARD"), ("American Express", "CREDIT_CARD")]


def new_company(realm_id, clock, country="US", multicurrency=False, name=None):
    country = (country or "US").upper()
    if country not in COUNTRIES:
        raise errors.business(f"Unsupported country {country}; use one of {', '.join(COUNTRIES)}")
    co = Company(realm_id, clock, country, multicurrency, name)
    spec = COUNTRIES[country]
    co.insert("Preferences", _preferences(co, spec), operation="Create")
    co.insert("CompanyInfo", _company_info(co, spec), operation="Create")
    accounts = {n: entities.create(co, "Account", {"Name": n, "AccountType": t, "AccountSubType": s})["Id"]
                for n, t, s in ACCOUNTS}
    terms = {n: entities.create(co, "Term", {"Name": n, "Type": "STANDARD", "DueDays": d})["Id"] for n, d in TERMS}
    for n, t in PAYMENT_METHODS:
        entities.create(co, "PaymentMethod", {"Name": n, "Type": t})
    codes = _taxes(co, spec)
    item = {"Name": "Services", "Type": "Service", "IncomeAccountRef": {"value": accounts["Services"]}}
    if country != "US":
        item["SalesTaxCodeRef"] = {"value": codes[0]}
    services = entities.create(co, "Item", item)["Id"]
    _set_prefs(co, accounts, terms, codes, services)
    return co


def _taxes(co, spec):
    """US: the TAX/NON pseudo codes plus combined codes; elsewhere one code per rate set."""
    rates = {n: entities.BUILDERS["TaxRate"](co, {"Name": n, "RateValue": v, "AgencyRef": {"value": "1"}}, None)
             for n, v in spec["rates"]}
    for obj, commit in rates.values():
        commit(co.insert("TaxRate", obj))
    if co.country == "US":
        for pseudo in ("TAX", "NON"):
            obj, commit = entities.BUILDERS["TaxCode"](co, {"Name": pseudo, "Description": pseudo}, None)
            obj.update(Id=pseudo, Taxable=pseudo == "TAX", TaxGroup=False)
            commit(co.insert("TaxCode", obj))
        co.counters["TaxCode"] = 1    # combined codes start at Id 2, as in the sandbox
    ids = []
    for name, members in spec["codes"]:
        obj, commit = lists.build_tax_code(co, name)
        lists.set_sales_rates(obj, [(rates[m][0]["Id"], m) for m in members])
        ids.append(commit(co.insert("TaxCode", obj)) or obj["Id"])
    return ids


def _company_info(co, spec):
    addr = dict(spec["addr"], Id="1")
    return {"CompanyName": co.name, "LegalName": co.name, "CompanyAddr": addr,
            "CustomerCommunicationAddr": addr, "LegalAddr": addr, "PrimaryPhone": {},
            "CompanyStartDate": co.clock.today(), "FiscalYearStartMonth": "January",
            "Country": co.country, "Email": {"Address": "noreply@fake-qbo.invalid"}, "WebAddr": {},
            "SupportedLanguages": "en",
            "NameValue": [{"Name": "NeoEnabled", "Value": "true"},
                          {"Name": "SubscriptionStatus", "Value": "PAID"},
                          {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
                          {"Name": "PayrollFeature", "Value": "false"},
                          {"Name": "AccountantFeature", "Value": "false"}],
            "domain": "QBO", "sparse": False, "Id": "1"}


def _preferences(co, spec):
    return {
        "AccountingInfoPrefs": {"TrackDepartments": False, "ClassTrackingPerTxn": False,
                                "ClassTrackingPerTxnLine": False, "CustomerTerminology": "Customers"},
        "ProductAndServicesPrefs": {"ForSales": True, "ForPurchase": True,
                                    "QuantityWithPriceAndRate": True, "QuantityOnHand": True},
        "SalesFormsPrefs": {"CustomField": [], "CustomTxnNumbers": False, "AllowDeposit": False,
                            "AllowDiscount": True, "AllowEstimates": True,
                            "ETransactionEnabledStatus": "NotApplicable", "ETransactionAttachPDF": False,
                            "ETransactionPaymentEnabled": False, "IPNSupportEnabled": False,
                            "AllowServiceDate": False, "AllowShipping": False, "UsingPriceLevels": False,
                            "DefaultCustomerMessage": "Thank you for your business and have a great day!"},
        "EmailMessagesPrefs": {},
        "VendorAndPurchasesPrefs": {"TrackingByCustomer": True, "BillableExpenseTracking": True},
        "TimeTrackingPrefs": {"UseServices": True, "BillCustomers": True, "ShowBillRateToAll": False,
                              "WorkWeekStartDate": "Monday", "MarkTimeEntriesBillable": True},
        "TaxPrefs": {"UsingSalesTax": True},
        "CurrencyPrefs": {"MultiCurrencyEnabled": co.multicurrency,
                          "HomeCurrency": {"value": spec["currency"]}},
        "ReportPrefs": {"ReportBasis": "Accrual", "CalcAgingReportFromTxnDate": False},
        "OtherPrefs": {"NameValue": []},
        "domain": "QBO", "sparse": False, "Id": "1"}


def _set_prefs(co, accounts, terms, codes, services):
    prefs = copy.deepcopy(co.get("Preferences", "1"))
    sales = prefs["SalesFormsPrefs"]
    sales.update(DefaultDiscountAccount=accounts["Discounts given"], DefaultTerms={"value": terms["Net 30"]})
    if co.country == "US":
        prefs["TaxPrefs"]["TaxGroupCodeRef"] = {"value": codes[0]}
    else:
        prefs["TaxPrefs"]["PartnerTaxEnabled"] = False
    prefs["OtherPrefs"]["NameValue"] = [
        {"Name": "SalesFormsPrefs.DefaultCustomerMessage", "Value": sales["DefaultCustomerMessage"]},
        {"Name": "SalesFormsPrefs.DefaultItem", "Value": services},
        {"Name": "UncategorizedIncomeAccountId", "Value": accounts["Services"]}]
    co.records["Preferences"]["1"] = prefs    # bootstrap: not a change anyone is told about


def build_preferences(co, body, old):
    """Preferences update: given sections are merged into the stored ones (never nulled)."""
    prefs = copy.deepcopy(old)
    for section, value in body.items():
        if section in ("Id", "SyncToken", "sparse", "domain", "MetaData"):
            continue
        if not isinstance(value, dict):
            raise errors.bad_request(f"Preferences.{section} must be an object")
        prefs[section] = _merge(prefs.get(section) or {}, value)
    was, now = old["CurrencyPrefs"]["MultiCurrencyEnabled"], prefs["CurrencyPrefs"].get("MultiCurrencyEnabled")
    if was and not now:
        raise errors.business("Multicurrency cannot be turned off once it is on")
    if prefs["CurrencyPrefs"]["HomeCurrency"] != old["CurrencyPrefs"]["HomeCurrency"]:
        raise errors.business("The home currency cannot be changed")

    def commit(stored):
        co.multicurrency = bool(now)
    return prefs, commit


def build_company_info(co, body, old):
    info = copy.deepcopy(old)
    for key, value in body.items():
        if key not in ("Id", "SyncToken", "sparse", "domain", "MetaData"):
            info[key] = value
    if not info.get("CompanyName"):
        raise errors.required("CompanyName")
    return info, lambda stored: None


def _merge(base, extra):
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


entities.BUILDERS.update(Preferences=build_preferences, CompanyInfo=build_company_info)
