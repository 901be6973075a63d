"""Deterministic, realistic company data for fake_qbo (DESIGN.md, "Seed data").

`populate(api, counts, seed, country)` creates everything through `api.create`, so the data passes
the same validation as API writes. Every kind draws from its own `random.Random(f"{seed}:{kind}")`:
the same seed, date and api state give byte-identical payloads, and asking for more invoices does
not change the customers.
"""
import contextlib
import copy
import random
import re
import unicodedata
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from . import seed_data as D

BASE_DATE = date(2025, 6, 30)  # "today" when neither the caller nor the api gives one
CENT = Decimal("0.01")
COUNT_KEYS = ("customers", "vendors", "categories", "items", "estimates", "invoices", "credit_memos", "payments",
              "sales_receipts")  # in creation order
ENTITIES = ("Customer", "Vendor", "Item", "Estimate", "Invoice", "CreditMemo", "Payment", "SalesReceipt")
PAYMENT_KINDS = ("full", "partial", "split", "over")
DISCOUNTS, DISCOUNT_WEIGHTS = (None, "percent", "amount"), (6, 1, 1)
SELLABLE = ("Service", "NonInventory", "Inventory")
EMAIL_MAX = 100  # QuickBooks' limit on PrimaryEmailAddr.Address: the whole comma-separated list


class SeedError(ValueError):
    """Bad counts, unknown country, or a base list the seed needs is missing."""


def counts_for(n_customers: int) -> dict:
    """Counts proportional to `n_customers` (what `FakeQBO(seed=N)` creates)."""
    n = max(0, int(n_customers))
    if not n:
        return dict.fromkeys(COUNT_KEYS, 0)
    invoices = min(2 * n, 1000)
    return {"customers": n, "vendors": max(2, min(n // 10, 200)), "categories": 3, "items": max(5, n // 5),
            "estimates": max(1, min(n // 2, 500)), "invoices": invoices, "credit_memos": max(1, invoices // 10),
            "payments": invoices // 2, "sales_receipts": max(1, invoices // 5)}


def populate(api, counts: dict, seed: int = 42, country: str = "US", today=None) -> dict:
    """Create `counts` of each kind in the api's company; return {entity: [ids created]}.

    `today` (date, datetime or ISO string) anchors the dates (the last 90 days); default `api.today()` when the
    api has a clock, else BASE_DATE.
    """
    unknown = sorted(set(counts) - set(COUNT_KEYS))
    if unknown:
        raise SeedError(f"unknown count keys {unknown}; expected some of {list(COUNT_KEYS)}")
    if today is None and callable(getattr(api, "today", None)):
        today = api.today()
    seeder = _Seeder(api, seed, country.upper(), date.fromisoformat(str(today or BASE_DATE)[:10]))
    for key in COUNT_KEYS:
        if int(counts.get(key) or 0) > 0:
            getattr(seeder, f"seed_{key}")(random.Random(f"{seed}:{key}"), int(counts[key]))
    return {entity: [r["Id"] for r in records] for entity, records in seeder.created.items()}


def _money(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def _fill(rng, template: str) -> str:
    """'#' → digit, '@' → upper-case letter."""
    return "".join(str(rng.randrange(10)) if ch == "#" else chr(65 + rng.randrange(26)) if ch == "@" else ch
                   for ch in template)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _email_list(local: str, host: str, sep: str = "") -> str:
    """`local@host.example.com`, followed by `billing@` the same domain after `sep` when given,
    with `host` cut so that the whole list fits QuickBooks' EMAIL_MAX (long company names)."""
    suffix = ".example.com"
    fixed = len(local) + 1 + len(suffix) + (len(sep) + len("billing@") + len(suffix) if sep else 0)
    host = host[:(EMAIL_MAX - fixed) // (2 if sep else 1)].strip("-")
    email = f"{local}@{host}{suffix}"
    return f"{email}{sep}billing@{host}{suffix}" if sep else email


def _base_name(name: str) -> str:
    """Case-folded name without the " (deleted)" QuickBooks appends to inactive names."""
    return name.removesuffix(" (deleted)").casefold()


def _ref(record) -> dict:
    return {"value": record["Id"]}


def _active(records):
    return [r for r in records if r.get("Active", True)]


class _Seeder:
    def __init__(self, api, seed, country, today):
        if country not in D.COUNTRIES:
            raise SeedError(f"country {country!r} not seeded; use one of {sorted(D.COUNTRIES)}")
        self.api, self.seed, self.country, self.today = api, seed, country, today
        self.cities, self.streets, self.country_names = D.COUNTRIES[country]
        self.created = {entity: [] for entity in ENTITIES}
        self.names = {_base_name(r["DisplayName"]) for entity in ("Customer", "Vendor", "Employee")
                      for r in api.query(entity)}  # one namespace in QuickBooks
        self.item_names = {_base_name(r["Name"]) for r in api.query("Item")}
        self.suffix_next, self.accounts, self.tax = {}, {}, None
        self.customers, self.items, self.invoices = [], [], []
        self.estimates = []  # (record, customer, date, lines) of Accepted estimates, for invoices to link

    def create(self, entity, payload):
        record = self.api.create(entity, payload)
        self.created[entity].append(record)
        return record

    def unique(self, name, taken):
        """`name`, or `name 2`, `name 3`... — case-insensitively unique within `taken`."""
        key = name.casefold()
        while key in taken:
            self.suffix_next[name] = self.suffix_next.get(name, 1) + 1
            key = f"{name} {self.suffix_next[name]}".casefold()
        taken.add(key)
        return name if key == name.casefold() else f"{name} {self.suffix_next[name]}"

    # ---- base lists -------------------------------------------------------------------------
    def account(self, types, subtypes=(), words=(), strict=False):
        """Ref to the active Account of `types` with a subtype, else a name word, else (unless strict) any."""
        key = (types, subtypes, words, strict)
        if key not in self.accounts:
            found = [a for a in _active(self.api.query("Account")) if a.get("AccountType") in types]
            found = ([a for a in found if a.get("AccountSubType") in subtypes]
                     or [a for a in found if any(w in a.get("Name", "").lower() for w in words)]
                     or ([] if strict else found))
            if not found:
                raise SeedError(f"seed needs an active Account of AccountType {types} (AccountSubType "
                                f"{subtypes or 'any'}); the company has none")
            self.accounts[key] = _ref(found[0])
        return self.accounts[key]

    def tax_codes(self):
        """US: the combined sales-tax codes (TxnTaxCodeRef); elsewhere the codes for sales lines."""
        if self.tax is None:
            self.tax = [c for c in _active(self.api.query("TaxCode")) if c["Id"] not in ("TAX", "NON")
                        and (c.get("SalesTaxRateList") or {}).get("TaxRateDetail", True)]
            if not self.tax:
                raise SeedError("seed needs an active TaxCode with sales rates (non-US: per line; US: "
                                "TxnTaxDetail.TxnTaxCodeRef); the company has none")
        return self.tax

    def pool(self, records, entity):
        """Active records of this run, else of the company (transactions seeded on their own)."""
        usable = [r for r in _active(records or self.api.query(entity))
                  if entity != "Item" or r.get("Type") in SELLABLE]
        if not usable:
            raise SeedError(f"transactions need an active {entity}; create some first")
        return usable

    # ---- names and contacts -----------------------------------------------------------------
    def company_name(self, rng):
        roll = rng.random()
        if roll < 0.35:
            return f"{rng.choice(D.FAMILY_NAMES)} {rng.choice(D.TRADES)}"
        if roll < 0.55:
            pair = rng.sample(D.FAMILY_NAMES, 2)
            return f"{pair[0]} & {pair[1]} {rng.choice(('LLP', 'Partners', 'Ltd.', ''))}".strip()
        if roll < 0.8:
            return f"{rng.choice(D.ADJECTIVES)} {rng.choice(D.TRADES)} {rng.choice(D.COMPANY_SUFFIXES)}".strip()
        return f"{rng.choice(self.cities)[0]} {rng.choice(D.TRADES)}"

    def address(self, rng, city=None):
        city, region, postal, _phone, _mobile = city or rng.choice(self.cities)
        addr = {"Line1": f"{rng.randint(1, 9999)} {rng.choice(self.streets)}", "City": city,
                "CountrySubDivisionCode": region, "PostalCode": _fill(rng, postal)}
        if rng.random() < 0.2:
            addr["Line2"] = rng.choice(D.LINE2)
        country = rng.choice(self.country_names)  # spellings vary in real files; "" = omitted
        return dict(addr, Country=country) if country else addr

    def contact(self, rng, person, company, ship):
        """Emails (none / one / two comma-separated), phones, website, addresses, notes."""
        city = rng.choice(self.cities)
        host = _slug(company or person[1]) or f"client{rng.randrange(10**4)}"
        domain = f"{host}.example.com"
        local = _slug(".".join(person)).replace("-", ".") or "info"
        out = {"PrimaryPhone": {"FreeFormNumber": _fill(rng, city[3])}} if rng.random() < 0.9 else {}
        roll = rng.random()
        if roll < 0.85:
            sep = rng.choice((", ", ","))
            out["PrimaryEmailAddr"] = {"Address": _email_list(local, host, "" if roll < 0.7 else sep)}
        if rng.random() < 0.4:
            out["Mobile"] = {"FreeFormNumber": _fill(rng, city[4])}
        if rng.random() < 0.15:
            out["Fax"] = {"FreeFormNumber": _fill(rng, city[3])}
        if company and rng.random() < 0.5:
            out["WebAddr"] = {"URI": f"{rng.choice(('https://www.', 'http://'))}{domain}"}
        if rng.random() < 0.9:
            out["BillAddr"] = self.address(rng, city)
            roll = rng.random()
            if ship and roll < 0.7:
                out["ShipAddr"] = dict(out["BillAddr"]) if roll < 0.5 else self.address(rng)
        if rng.random() < 0.25:
            out["Notes"] = rng.choice(D.NOTES)
        return out

    def party(self, rng, entity, kind, name=None, person=None):
        """Customer/Vendor payload: a company with a contact person, or an individual."""
        person = person or (rng.choice(D.GIVEN_NAMES), rng.choice(D.FAMILY_NAMES))
        payload = {"GivenName": person[0], "FamilyName": person[1]}
        if rng.random() < 0.3:
            payload["Title"] = rng.choice(D.TITLES)
        if kind == "company":
            display = payload["CompanyName"] = name or self.company_name(rng)
        else:
            if rng.random() < 0.05:
                payload["Suffix"] = rng.choice(D.SUFFIXES)
            display = f"{person[0]} {person[1]}" if rng.random() < 0.75 else f"{person[1]}, {person[0]}"
        payload["DisplayName"] = self.unique(display, self.names)
        payload.update(self.contact(rng, person, payload.get("CompanyName"), entity == "Customer"))
        return payload

    # ---- name lists -------------------------------------------------------------------------
    def seed_customers(self, rng, n):
        """Companies and individuals (hostile names spread in), a few inactive; then 10% sub-customers."""
        top = n - n // 10
        hostile = [("company", name, None) for name in D.HOSTILE_COMPANIES] + \
                  [("person", None, person) for person in D.HOSTILE_PEOPLE]
        hostile_at = dict(zip(rng.sample(range(top), min(top, len(hostile))), hostile, strict=False))
        inactive = set(rng.sample(range(top), (top + 29) // 30 if top >= 10 else 0))
        for i in range(top):
            kind, name, person = hostile_at.get(i) or ("company" if rng.random() < 0.7 else "person", None, None)
            payload = self.party(rng, "Customer", kind, name, person)
            payload.update(Taxable=rng.random() < 0.8, PreferredDeliveryMethod=rng.choice(("Email", "Print", "None")))
            if i in inactive:
                payload["Active"] = False
            self.customers.append(self.create("Customer", payload))
        self.seed_jobs(rng, n // 10)

    def seed_jobs(self, rng, n):
        """Sub-customers: under a top-level customer, some a level or two deeper."""
        parents, levels = _active(self.customers), {}
        for _ in range(n):
            parent = rng.choice(parents)
            job_name = f"{rng.choice(D.JOB_KINDS)} {rng.randint(1, 999)} {rng.choice(self.streets)}"
            payload = {"DisplayName": self.unique(job_name, self.names), "Job": True, "ParentRef": _ref(parent),
                       "BillWithParent": rng.random() < 0.5, "Taxable": parent.get("Taxable", True)}
            for key in ("CompanyName", "PrimaryEmailAddr", "PrimaryPhone", "BillAddr"):
                if key in parent and rng.random() < 0.7:
                    value = parent[key]  # addresses lose their Id: each belongs to one customer
                    payload[key] = {k: v for k, v in value.items() if k != "Id"} if isinstance(value, dict) else value
            payload["ShipAddr"] = self.address(rng)
            job = self.create("Customer", payload)
            self.customers.append(job)
            levels[job["Id"]] = levels.get(parent["Id"], 0) + 1
            if levels[job["Id"]] < 3 and rng.random() < 0.2:
                parents.append(job)

    def seed_vendors(self, rng, n):
        for _ in range(n):
            payload = self.party(rng, "Vendor", "company" if rng.random() < 0.85 else "person")
            payload["AcctNum"] = _fill(rng, "AC-#####")
            if self.country == "US" and rng.random() < 0.3:
                payload["Vendor1099"] = True
            self.create("Vendor", payload)

    def seed_categories(self, rng, n):
        categories = []
        for i in range(n):
            payload = {"Name": self.unique(D.CATEGORIES[i % len(D.CATEGORIES)], self.item_names), "Type": "Category"}
            if i % 3 == 2:  # every third category is a sub-category, within QuickBooks' 5 levels
                parents = [c for c in categories if c.get("Level", 0) < 3]
                payload.update(SubItem=True, ParentRef=_ref(rng.choice(parents)))
            categories.append(self.create("Item", payload))

    def seed_items(self, rng, n):
        """The catalogue in turn (then variants): Service, NonInventory, Inventory; some under a category."""
        categories = [r for r in self.created["Item"] if r.get("Type") == "Category"]
        start = (self.today - timedelta(days=120)).isoformat()
        for i in range(n):
            name, kind, price, cost, description = D.CATALOGUE[i % len(D.CATALOGUE)]
            if i >= len(D.CATALOGUE):
                variant = D.ITEM_VARIANTS[(i // len(D.CATALOGUE) - 1) % len(D.ITEM_VARIANTS)]
                name, price = f"{name} {variant}", Decimal(price) * rng.randint(80, 150) / 100
            income = ("ServiceFeeIncome",) if kind == "Service" else ("SalesOfProductIncome",)
            payload = {"Name": self.unique(name, self.item_names), "Type": kind, "Description": description,
                       "UnitPrice": _money(price), "Sku": f"{kind[:3].upper()}-{i + 1:05d}",
                       "Taxable": kind != "Service", "IncomeAccountRef": self.account(("Income",), income)}
            if Decimal(cost):
                payload.update(PurchaseCost=_money(cost), PurchaseDesc=description,
                               ExpenseAccountRef=self.account(("Cost of Goods Sold",)))
            if kind == "Inventory":
                asset = self.account(("Other Current Asset",), ("Inventory",), ("inventory",))
                payload.update(TrackQtyOnHand=True, QtyOnHand=rng.randint(0, 250), InvStartDate=start,
                               AssetAccountRef=asset)
            if categories and rng.random() < 0.4:
                payload.update(SubItem=True, ParentRef=_ref(rng.choice(categories)))
            if rng.random() < 0.03:
                payload["Active"] = False
            self.items.append(self.create("Item", payload))

    # ---- sales documents --------------------------------------------------------------------
    def sales_line(self, rng, item, taxable, tax_code):
        """Qty × UnitPrice = Amount exactly (half quantities only when the product has two decimals)."""
        price = _money(item.get("UnitPrice") or "10")
        if rng.random() < 0.1:
            price = _money(price * rng.randint(90, 110) / 100)
        qty = Decimal(rng.randint(1, 5 if item.get("Type") == "Inventory" else 10))
        if item.get("Type") == "Service" and rng.random() < 0.3:
            half = qty - Decimal("0.5")
            qty = half if half * price == (half * price).quantize(CENT) else qty
        if self.country == "US":
            tax_code = "TAX" if taxable and item.get("Taxable") else "NON"
        elif rng.random() < 0.15:
            tax_code = rng.choice(self.tax_codes())["Id"]
        detail = {"ItemRef": _ref(item), "Qty": qty, "UnitPrice": price, "TaxCodeRef": {"value": tax_code}}
        return {"Amount": (qty * price).quantize(CENT), "DetailType": "SalesItemLineDetail",
                "Description": item.get("Description") or item["Name"], "SalesItemLineDetail": detail}

    def discount_line(self, rng, subtotal, percent):
        account = self.account(("Income",), ("DiscountsRefundsGiven",), ("discount",), strict=True)
        detail = {"PercentBased": percent, "DiscountAccountRef": account}
        if percent:
            detail["DiscountPercent"] = rng.choice((Decimal("5"), Decimal("10"), Decimal("12.5"), Decimal("15")))
            amount = _money(subtotal * detail["DiscountPercent"] / 100)
        else:
            amount = min(_money(rng.choice((5, 10, 25, 50))), _money(subtotal / 4))
        return {"Amount": amount, "DetailType": "DiscountLineDetail", "DiscountLineDetail": detail}

    def sales_doc(self, rng, customer, txn_date, discount=None, lines=None):
        """Payload shared by Estimate/Invoice/CreditMemo/SalesReceipt (`lines` reused when given)."""
        main_code = rng.choice(self.tax_codes())["Id"]
        if lines is None:
            taxable = customer.get("Taxable", True) if customer else True
            count = rng.choices((1, 2, 3, 4, 5), (3, 4, 3, 2, 1))[0]
            lines = [self.sales_line(rng, rng.choice(self.items), taxable, main_code) for _ in range(count)]
            if discount:
                lines.append(self.discount_line(rng, sum(line["Amount"] for line in lines), discount == "percent"))
        payload = {"TxnDate": txn_date.isoformat(), "Line": lines}
        if customer:
            payload["CustomerRef"] = _ref(customer)
            email = customer.get("PrimaryEmailAddr", {}).get("Address")
            if email:
                payload["BillEmail"] = {"Address": email.split(",")[0]}
        if self.country != "US":
            payload["GlobalTaxCalculation"] = "TaxExcluded"
        elif any(line.get("SalesItemLineDetail", {}).get("TaxCodeRef") == {"value": "TAX"} for line in lines):
            payload["TxnTaxDetail"] = {"TxnTaxCodeRef": {"value": main_code}}
        if rng.random() < 0.5:
            payload["CustomerMemo"] = {"value": rng.choice(D.MEMOS)}
        if rng.random() < 0.15:
            payload["PrivateNote"] = rng.choice(D.NOTES)
        return payload

    def past(self, rng, low=0, high=90, after=None):
        """A date `low..high` days ago, never before `after` nor after today."""
        day = self.today - timedelta(days=rng.randint(low, high))
        return min(max(day, after), self.today) if after else day

    def prepare_sales(self):
        self.customers, self.items = self.pool(self.customers, "Customer"), self.pool(self.items, "Item")

    def seed_estimates(self, rng, n):
        self.prepare_sales()
        statuses = ["Pending", "Accepted", "Rejected", "Closed"][:n]
        statuses += rng.choices(("Pending", "Accepted", "Rejected", "Closed"), (4, 3, 2, 2), k=n - len(statuses))
        for status in statuses:
            customer, txn_date = rng.choice(self.customers), self.past(rng, 10)
            payload = self.sales_doc(rng, customer, txn_date, rng.choice((None, None, "percent")))
            payload.update(TxnStatus=status, ExpirationDate=(txn_date + timedelta(days=30)).isoformat())
            if status == "Accepted":
                payload.update(AcceptedBy=customer["DisplayName"],
                               AcceptedDate=self.past(rng, 0, 9, txn_date).isoformat())
            lines = copy.deepcopy(payload["Line"])
            record = self.create("Estimate", payload)
            if status == "Accepted":
                self.estimates.append((record, customer, txn_date, lines))

    def seed_invoices(self, rng, n):
        """Some converted from Accepted estimates (others stay Accepted), the rest new; customers repeat."""
        self.prepare_sales()
        terms = [t for t in _active(self.api.query("Term")) if t.get("DueDays") is not None] or [{"DueDays": 30}]
        linked = self.estimates[:min((len(self.estimates) + 1) // 2, max(1, n // 5))]
        customer = None
        for i in range(n):
            if i < len(linked):
                estimate, customer, est_date, lines = linked[i]
                txn_date = self.past(rng, 0, 90, est_date)
                payload = self.sales_doc(rng, customer, txn_date, lines=copy.deepcopy(lines))
                payload["LinkedTxn"] = [{"TxnId": estimate["Id"], "TxnType": "Estimate"}]
            else:
                if customer is None or rng.random() < 0.6:
                    customer = rng.choice(self.customers)
                discount = {len(linked): "percent", len(linked) + 1: "amount"}.get(i)
                txn_date = self.past(rng)
                payload = self.sales_doc(rng, customer, txn_date,
                                         discount or rng.choices(DISCOUNTS, DISCOUNT_WEIGHTS)[0])
            term = rng.choice(terms)
            if "Id" in term:
                payload["SalesTermRef"] = _ref(term)
            payload["DueDate"] = (txn_date + timedelta(days=int(term["DueDays"]))).isoformat()
            record = self.create("Invoice", payload)
            self.invoices.append({"Id": record["Id"], "customer": customer["Id"], "date": txn_date,
                                  "balance": _money(record["Balance"])})

    def seed_credit_memos(self, rng, n):
        self.prepare_sales()
        for _ in range(n):
            self.create("CreditMemo", self.sales_doc(rng, rng.choice(self.customers), self.past(rng)))

    def seed_sales_receipts(self, rng, n):
        self.prepare_sales()
        for _ in range(n):
            customer = rng.choice(self.customers) if rng.random() < 0.9 else None
            payload = self.sales_doc(rng, customer, self.past(rng), rng.choices(DISCOUNTS, DISCOUNT_WEIGHTS)[0])
            self.create("SalesReceipt", self.payment_fields(rng, payload))

    # ---- payments ---------------------------------------------------------------------------
    def payment_fields(self, rng, payload):
        """PaymentMethodRef, PaymentRefNum, DepositToAccountRef (Undeposited Funds when the company has it)."""
        methods = _active(self.api.query("PaymentMethod"))
        if methods:
            payload["PaymentMethodRef"] = _ref(rng.choice(methods))
        if rng.random() < 0.6:
            payload["PaymentRefNum"] = str(rng.randint(1000, 99999))
        with contextlib.suppress(SeedError):  # optional: the server applies its default
            payload["DepositToAccountRef"] = self.account(("Other Current Asset", "Bank"), ("UndepositedFunds",),
                                                          ("undeposited",))
        return payload

    def seed_payments(self, rng, n):
        """Full, partial, split (two invoices) and over (UnappliedAmt) payments; unapplied when none is open."""
        kinds = rng.sample(PAYMENT_KINDS, min(n, 4))
        kinds += rng.choices(PAYMENT_KINDS, (11, 4, 3, 2), k=n - len(kinds))
        invoices = self.invoices or [
            {"Id": r["Id"], "customer": r["CustomerRef"]["value"], "balance": _money(r["Balance"]),
             "date": date.fromisoformat(r["TxnDate"])} for r in self.api.query("Invoice")]
        open_invoices, by_customer = [inv for inv in invoices if inv["balance"] > 0], {}
        for inv in open_invoices:
            by_customer.setdefault(inv["customer"], []).append(inv)
        for kind in kinds:
            applied = self.pick_invoices(rng, kind, open_invoices, by_customer)
            if applied:
                payload = self.payment_payload(rng, kind, applied)
            else:
                customer = rng.choice(self.pool(self.customers, "Customer"))
                payload = {"CustomerRef": _ref(customer), "TxnDate": self.past(rng).isoformat(),
                           "TotalAmt": _money(rng.randint(20, 500))}
            self.create("Payment", self.payment_fields(rng, payload))

    def pick_invoices(self, rng, kind, open_invoices, by_customer):
        """Open invoices to pay: one, or two of one customer for a split (else one)."""
        attempts = 0
        while open_invoices and attempts < 20:
            index = rng.randrange(len(open_invoices))
            first = open_invoices[index]
            if first["balance"] <= 0:  # paid earlier: drop it in O(1)
                open_invoices[index] = open_invoices[-1]
                open_invoices.pop()
                continue
            if kind != "split":
                return [first]
            siblings = [inv for inv in by_customer[first["customer"]] if inv["balance"] > 0]
            if len(siblings) >= 2:
                return rng.sample(siblings, 2)
            attempts += 1
        return self.pick_invoices(rng, "full", open_invoices, by_customer) if kind == "split" else []

    def payment_payload(self, rng, kind, invoices):
        lines = []
        for inv in invoices:
            amount = inv["balance"]
            if kind == "partial" and amount > CENT:
                amount = max(CENT, _money(amount * rng.randint(20, 80) / 100))
            inv["balance"] -= amount
            lines.append({"Amount": amount, "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]})
        when = self.past(rng, 0, 30, max(inv["date"] for inv in invoices)).isoformat()
        payload = {"CustomerRef": {"value": invoices[0]["customer"]}, "TxnDate": when, "Line": lines,
                   "TotalAmt": sum(line["Amount"] for line in lines)}
        if kind == "over":
            payload["TotalAmt"] += _money(rng.choice((5, 10, 20, 50, 100)))
            payload["PrivateNote"] = "Overpayment: keep as credit"
        return payload
