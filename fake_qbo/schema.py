"""Known top-level fields of each entity (anything else → 2010) and the read-only ones.

The lists are the union of Intuit's v3 schema names seen in the fixtures, the XSD and what
python-quickbooks 0.9.12 serialises (its objects send every attribute, defaults included).
"""

COMMON = {"Id", "SyncToken", "MetaData", "domain", "sparse", "status"}

_PARTY = {"Title", "GivenName", "MiddleName", "FamilyName", "Suffix", "DisplayName",
          "PrintOnCheckName", "CompanyName", "Active", "PrimaryPhone", "AlternatePhone", "Mobile",
          "Fax", "PrimaryEmailAddr", "WebAddr", "OtherAddr", "Notes", "CurrencyRef", "V4IDPseudonym"}

_TXN = {"DocNumber", "TxnDate", "PrivateNote", "CustomField", "CurrencyRef", "ExchangeRate",
        "LinkedTxn", "Line", "TxnTaxDetail", "CustomerRef", "TotalAmt", "HomeTotalAmt",
        "DepartmentRef", "ClassRef", "TxnSource", "TransactionLocationType", "TaxExemptionRef",
        "ProjectRef", "RecurDataRef"}

_SALES = _TXN | {"CustomerMemo", "BillAddr", "ShipAddr", "ShipFromAddr", "FreeFormAddress",
                 "SalesTermRef", "DueDate", "ShipMethodRef", "ShipDate", "TrackingNum",
                 "GlobalTaxCalculation", "PrintStatus", "EmailStatus", "BillEmail", "BillEmailCc",
                 "BillEmailBcc", "DeliveryInfo", "ApplyTaxAfterDiscount", "Balance", "HomeBalance",
                 "Deposit", "DepositToAccountRef", "TxnStatus", "AllowIPNPayment",
                 "AllowOnlinePayment", "AllowOnlineCreditCardPayment", "AllowOnlineACHPayment",
                 "EInvoiceStatus", "InvoiceLink", "PaymentMethodRef", "PaymentRefNum",
                 "CreditCardPayment", "RemainingCredit", "AcceptedBy", "AcceptedDate",
                 "ExpirationDate", "DiscountRate", "PONumber", "FOB", "SalesRepRef", "Tag"}

FIELDS = {
    "Customer": _PARTY | {"Taxable", "BillAddr", "ShipAddr", "Job", "BillWithParent", "ParentRef",
                          "Level", "FullyQualifiedName", "SalesTermRef", "PaymentMethodRef",
                          "Balance", "BalanceWithJobs", "OpenBalanceDate", "PreferredDeliveryMethod",
                          "ResaleNum", "DefaultTaxCodeRef", "TaxExemptionReasonId",
                          "PrimaryTaxIdentifier", "ARAccountRef", "IsProject", "ClientEntityId",
                          "CustomerTypeRef", "GSTIN", "BusinessNumber", "GSTRegistrationType",
                          "SecondaryTaxIdentifier", "TaxRegimeId"},
    "Vendor": _PARTY | {"BillAddr", "TermRef", "Balance", "AcctNum", "Vendor1099", "BillRate",
                        "TaxIdentifier", "TaxReportingBasis", "APAccountRef", "CostRate",
                        "BusinessNumber", "GSTIN", "GSTRegistrationType", "HasTPAR", "T4AEligible",
                        "T5018Eligible", "VendorPaymentBankDetail"},
    "Employee": _PARTY | {"PrimaryAddr", "EmployeeNumber", "SSN", "BillableTime", "BillRate",
                          "CostRate", "BirthDate", "Gender", "HiredDate", "ReleasedDate",
                          "Organization", "EmailAddress"},
    "Item": {"Name", "Description", "Active", "SubItem", "ParentRef", "Level", "FullyQualifiedName",
             "Taxable", "SalesTaxIncluded", "UnitPrice", "Type", "IncomeAccountRef", "PurchaseDesc",
             "PurchaseTaxIncluded", "PurchaseCost", "ExpenseAccountRef", "AssetAccountRef",
             "TrackQtyOnHand", "QtyOnHand", "InvStartDate", "SalesTaxCodeRef", "PurchaseTaxCodeRef",
             "Sku", "AbatementRate", "ReverseChargeRate", "ServiceType", "ItemCategoryType",
             "PrefVendorRef", "ClassRef", "ReorderPoint", "UQCId", "TaxClassificationRef"},
    "Account": {"Name", "SubAccount", "ParentRef", "Description", "FullyQualifiedName", "Active",
                "Classification", "AccountType", "AccountSubType", "AcctNum", "CurrentBalance",
                "CurrentBalanceWithSubAccounts", "CurrencyRef", "TaxCodeRef", "TxnLocationType",
                "AccountAlias"},
    "TaxCode": {"Name", "Description", "Active", "Taxable", "TaxGroup", "Hidden",
                "SalesTaxRateList", "PurchaseTaxRateList", "AdjustmentTaxRateList", "TaxCodeConfigType"},
    "TaxRate": {"Name", "Description", "Active", "RateValue", "AgencyRef", "TaxReturnLineRef",
                "SpecialTaxType", "DisplayType", "EffectiveTaxRate", "OriginalTaxRate"},
    "Term": {"Name", "Active", "Type", "DueDays", "DiscountDays", "DiscountPercent",
             "DayOfMonthDue", "DueNextMonthDays", "DiscountDayOfMonth"},
    "PaymentMethod": {"Name", "Active", "Type"},
    "Estimate": _SALES,
    "Invoice": _SALES,
    "CreditMemo": _SALES,
    "SalesReceipt": _SALES,
    "Deposit": _TXN | {"DepositToAccountRef", "CashBack"},
    "Payment": _TXN | {"ARAccountRef", "DepositToAccountRef", "PaymentMethodRef", "PaymentRefNum",
                       "CreditCardPayment", "UnappliedAmt", "ProcessPayment", "TxnStatus"},
    "CompanyInfo": {"CompanyName", "LegalName", "CompanyAddr", "CustomerCommunicationAddr",
                    "LegalAddr", "PrimaryPhone", "CompanyStartDate", "FiscalYearStartMonth",
                    "Country", "Email", "WebAddr", "SupportedLanguages", "NameValue",
                    "CustomerCommunicationEmailAddr"},
    "Preferences": {"AccountingInfoPrefs", "ProductAndServicesPrefs", "SalesFormsPrefs",
                    "EmailMessagesPrefs", "VendorAndPurchasesPrefs", "TimeTrackingPrefs", "TaxPrefs",
                    "CurrencyPrefs", "ReportPrefs", "OtherPrefs"},
}
for _fields in FIELDS.values():
    _fields |= COMMON

# Computed by QuickBooks: ignored on input (python-quickbooks sends them back with defaults).
READ_ONLY = {"MetaData", "domain", "status", "FullyQualifiedName", "Level", "Balance",
             "BalanceWithJobs", "TotalAmt", "HomeTotalAmt", "HomeBalance", "RemainingCredit",
             "UnappliedAmt", "CurrentBalance", "CurrentBalanceWithSubAccounts", "Deposit",
             "InvoiceLink", "EffectiveTaxRate", "V4IDPseudonym", "IsProject"}

# Person-name fields: no ':' (hierarchy separator), tab or newline; maximum lengths.
NAME_LIMITS = {"Title": 16, "GivenName": 100, "MiddleName": 100, "FamilyName": 100, "Suffix": 16,
               "DisplayName": 500, "PrintOnCheckName": 110, "CompanyName": 100}
NAME_LIST_NAME_LIMIT = 100
DOCNUM_LIMIT = 21
