"""Pure tests of utils/mappers (Customer ⇄ res.partner values): QuickBooks' real payloads, QBO's
name rules, sparse deltas and a property-style round trip over generated (also hostile) partners.
No database."""

import copy
import json
import os
import random
from pathlib import Path

from babel.core import get_global

from odoo.tests import BaseCase

from ..utils.mappers import common, countries, partner
from ..utils.mappers.common import MappingError
from ..utils.mappers.partner import PARTNER_FIELDS, changed_fields, customer_to_partner, partner_to_customer

NAME_FIELDS = {"DisplayName": 500, "CompanyName": 100, "Title": 16, "GivenName": 100, "MiddleName": 100,
               "FamilyName": 100}


def fixtures_dir():
    default = Path(__file__).resolve().parents[1].parent / "shared" / "qbo_fixtures"
    return Path(os.environ.get("QBO_FIXTURES") or default)


def as_read(payload, qbo_id="101"):
    """``payload`` as QuickBooks stores and returns it: ids, metadata, address ids, " (deleted)"."""
    c = copy.deepcopy(payload)
    c.update(Id=qbo_id, SyncToken="0", domain="QBO", sparse=False, Balance=0, Taxable=False,
             MetaData={"CreateTime": "2026-01-02T03:04:05-08:00", "LastUpdatedTime": "2026-01-02T03:04:05-08:00"},
             PrintOnCheckName=c["DisplayName"], FullyQualifiedName=c["DisplayName"])
    c.setdefault("BillWithParent", False)
    for key in ("BillAddr", "ShipAddr"):
        if key in c:
            c[key] = {"Id": "7", **c[key], "Lat": "INVALID", "Long": "INVALID"}
    if c.get("Job"):
        c["Level"] = 1
    if not c["Active"]:
        c["DisplayName"] += common.DELETED_SUFFIX
    return c


def assert_valid_payload(case, payload):
    """QuickBooks' Customer rules (docs/QBO_API.md §10) on a payload we would send."""
    case.assertTrue(payload["DisplayName"])
    for field, limit in NAME_FIELDS.items():
        value = payload.get(field, "x")
        case.assertTrue(0 < len(value) <= limit and not set(value) & set(":\t\n"), (field, value))
    for key, value in payload.items():
        case.assertNotIn(value, ("", None, {}), key)
        if isinstance(value, dict):
            case.assertNotIn("", value.values(), key)
    if "PrimaryEmailAddr" in payload:
        address = payload["PrimaryEmailAddr"]["Address"]
        case.assertLessEqual(len(address), 100)
        case.assertTrue(all("@" in a and "." in a for a in address.split(", ")), address)
    case.assertLessEqual(len(payload.get("Notes", "")), 2000)
    for key in ("BillAddr", "ShipAddr"):
        case.assertIn(len(payload.get(key, {}).get("Country", "USA")), (3,))


class Generator:
    """Deterministic partners: canonical ones round-trip exactly, hostile ones through pull_changes."""

    WORDS = ["Anna", "Zoë", "李小龍", "محمد", "Smith-Jones", "O'Brien", "van", "der", "Łukasz", "Ñandú", "Ltd.", "&",
             "Co", "Ørsted", "Ελένη", "Иван", "José", "🙂", "Müller", "García"]

    def __init__(self, seed):
        self.rng = random.Random(seed)

    def words(self, low, high):
        return " ".join(self.rng.choice(self.WORDS) for _ in range(self.rng.randint(low, high)))

    def maybe(self, value):
        return value if self.rng.random() < 0.7 else None

    def address(self, street):
        return {"street": street, "street2": self.maybe("Suite %d" % self.rng.randint(1, 99)),
                "city": self.maybe(self.words(1, 2)), "zip": self.maybe("%05d" % self.rng.randint(0, 99999)),
                "state_code": self.maybe("CA"),
                "country_code": self.maybe(self.rng.choice(sorted(countries.ISO2_TO_ISO3)))}

    def canonical(self, index):
        """(partner values, primary contact, parent id) in the form a pull gives back exactly."""
        is_company = self.rng.random() < 0.5
        name = "%s %d" % (self.words(1, 4), index)
        text = self.maybe("\n\n".join(self.words(1, 6) + " <b>&" for _ in range(self.rng.randint(1, 3))))
        p = {"name": name, "is_company": is_company,
             "company_name": None if is_company else self.maybe(self.words(1, 3)),
             "title": None if is_company else self.maybe(self.rng.choice(["Mr.", "Dr.", "Prof.", "Mrs."])),
             "email": self.maybe("user%d@example-%d.com" % (index, self.rng.randint(0, 9))),
             "phone": self.maybe("+1 (555) 010-%04d" % index), "mobile": self.maybe("+44 7700 900%03d" % (index % 999)),
             "fax": self.maybe("555-0199"), "alternate_phone": self.maybe("+33 1 23 45 67 89"),
             "website": self.maybe("https://example.com/%d" % index), **self.address(self.maybe("%d Main St." % index)),
             "ship": None, "comment": text and common.text_to_html(text), "active": self.rng.random() < 0.8}
        if self.rng.random() < 0.3:
            p["ship"] = self.address("%d Dock Rd." % index)
        contact = {"name": "%s Person" % self.words(1, 2), "title": self.maybe("Ms.")} if is_company else None
        return p, contact, self.maybe("17") if self.rng.random() < 0.3 else None

    def hostile(self, index):
        p, contact, parent = self.canonical(index)
        rng = self.rng
        p["name"] = rng.choice([
            "Acme: Sales\tDept\nWest", "  spaced   out  ", "Ω" * 600, "a:" * 300, "Full：width", "Old (deleted)",
            "Acme (2)", "x" * 150 + " " + "y" * 150, "a" + "\u0301" * 3 + " 🙂", p["name"]])
        p["company_name"] = None if p["is_company"] else rng.choice([None, "Co:op " * 30, "Acme\tInc"])
        p["title"] = None if p["is_company"] else rng.choice([None, "Very:Long Title Indeed", "Dr.\n"])
        p["email"] = rng.choice([None, False, "", "A@X.COM, b@y.org", "Anna <anna@ex.com>; bob@ex.com",
                                 " padded@ex.com ", "ünï@ex.com"])
        p["comment"] = rng.choice([None, "<p>x</p>" * 1000, "<script>alert(1)</script><p>a&amp;b<br/>c</p>",
                                   "<p><br></p>", "plain text"])
        if rng.random() < 0.3:
            p["ship"] = {key: p.get(key) for key in partner.ADDRESS_FIELDS}
        if contact:
            contact["name"] = rng.choice([contact["name"], "Jean:Luc  Picard", None, p["name"]])
        return p, contact, parent


def round_trip(p, contact, parent):
    payload = partner_to_customer(p, contact, parent)
    return payload, customer_to_partner(as_read(payload))


class TestRoundTrip(BaseCase):
    def test_canonical_partners_come_back_unchanged(self):
        gen = Generator(1)
        for index in range(400):
            p, contact, parent = gen.canonical(index)
            with self.subTest(index=index, p=p):
                payload, back = round_trip(p, contact, parent)
                assert_valid_payload(self, payload)
                self.assertEqual({key: back[key] for key in PARTNER_FIELDS}, p)
                self.assertEqual(back["parent_qbo_id"], parent)
                self.assertEqual((back["qbo_id"], back["sync_token"]), ("101", "0"))
                expected = {"name": contact["name"], "title": contact["title"]} if contact else None
                self.assertEqual(back["primary_contact"] and {k: back["primary_contact"][k] for k in ("name", "title")},
                                 expected)
                current = {**p, "primary_contact": contact, "parent_qbo_id": parent}
                self.assertEqual(partner.pull_changes(current, back), {})

    def test_hostile_partners_give_valid_payloads_and_no_pull_changes(self):
        gen = Generator(2)
        for index in range(600):
            p, contact, parent = gen.hostile(index)
            with self.subTest(index=index, p=p):
                payload, back = round_trip(p, contact, parent)
                assert_valid_payload(self, payload)
                self.assertTrue(common.is_our_display_name(p["name"], back["name"]))
                self.assertEqual(back["email"], common.first_email(p["email"]))
                self.assertEqual((back["is_company"], back["active"], back["parent_qbo_id"]),
                                 (p["is_company"], p["active"], parent))
                self.assertEqual(common.html_to_text(back["comment"]), payload.get("Notes", ""))
                current = {**p, "primary_contact": contact, "parent_qbo_id": parent}
                self.assertEqual(partner.pull_changes(current, back), {})
                self.assertEqual(changed_fields(as_read(payload), partner_to_customer(p, contact, parent)), {})

    def test_fixture_customers_map_and_round_trip(self):
        path = fixtures_dir() / "customer_query_all_with_subcustomers.json"
        if not path.is_file():
            self.skipTest("QuickBooks fixtures not found: set QBO_FIXTURES to shared/qbo_fixtures")
        customers = json.loads(path.read_text())["QueryResponse"]["Customer"]
        customers.append(json.loads((fixtures_dir() / "customer.json").read_text())["Customer"])
        for c in customers:
            with self.subTest(id=c["Id"]):
                pulled = customer_to_partner(c)
                payload = partner_to_customer(pulled, pulled["primary_contact"], pulled["parent_qbo_id"])
                assert_valid_payload(self, payload)
                self.assertEqual(partner.pull_changes(pulled, customer_to_partner(as_read(payload, c["Id"]))), {})
                if not c.get("ParentRef"):  # a push of unchanged data sends nothing
                    self.assertEqual(changed_fields(c, payload), {})
        by_id = {c["Id"]: customer_to_partner(c) for c in customers}
        self.assertEqual(by_id["5"]["primary_contact"], {"name": "Peter Dukes", "title": None,
                                                          "email": "Dukes_bball@intuit.com", "phone": "(520) 420-5638"})
        self.assertEqual((by_id["5"]["is_company"], by_id["5"]["state_code"], by_id["5"]["ship"]), (True, "AZ", None))
        self.assertEqual(by_id["14"]["country_code"], "US")  # "USA"
        self.assertEqual((by_id["8"]["parent_qbo_id"], by_id["8"]["is_company"], by_id["8"]["company_name"]),
                         ("7", False, "Freeman Sporting Goods"))
        self.assertEqual((by_id["23"]["parent_qbo_id"], by_id["23"]["is_company"]), ("22", True))
        self.assertEqual((by_id["64"]["parent_qbo_id"], by_id["64"]["name"]), ("62", "Jack Doe"))
        self.assertEqual((by_id["21"]["is_company"], by_id["21"]["name"]), (False, "Rondonuwu Fruit and Vegi"))


class TestNameRules(BaseCase):
    def test_colons_tabs_newlines_and_lengths(self):
        payload = partner_to_customer({"name": "Acme: Sales\tWest\nDept " + "x" * 600, "is_company": True},
                                      {"name": "Jean:Luc Le  Grand Picard", "title": "Capitaine:de:Frégate"})
        self.assertTrue(payload["DisplayName"].startswith("Acme： Sales West Dept x"))
        self.assertEqual((len(payload["DisplayName"]), len(payload["CompanyName"])), (500, 100))
        self.assertEqual((payload["GivenName"], payload["MiddleName"], payload["FamilyName"], payload["Title"]),
                         ("Jean：Luc", "Le Grand", "Picard", "Capitaine：de：Fré"))
        self.assertTrue(common.is_same_after_mapping("Acme: Sales", "Acme： Sales", 500))

    def test_split_and_join_round_trip(self):
        gen = Generator(3)
        for _ in range(300):
            name = gen.words(1, 7)
            self.assertEqual(partner.join_name(*partner.split_name(name)), common.clean_name(name, None))
        self.assertEqual(partner.split_name("Cher"), ("Cher", "", ""))

    def test_empty_names_are_a_clear_error(self):
        for name in (None, False, "", "   ", "\t\n"):
            with self.assertRaises(MappingError) as caught:
                partner_to_customer({"name": name, "email": "a@b.co"})
            self.assertEqual(caught.exception.code, "empty_name")
            self.assertIsInstance(caught.exception, ValueError)
            self.assertIn("name", str(caught.exception))
        with self.assertRaises(MappingError):
            customer_to_partner({"Id": "1", "DisplayName": ""})

    def test_deleted_suffix_is_stripped_from_inactive_customers_only(self):
        read = {"Id": "3", "DisplayName": "Acme (deleted)", "CompanyName": "Acme (deleted)", "Active": False}
        self.assertEqual((customer_to_partner(read)["name"], customer_to_partner(read)["is_company"]), ("Acme", True))
        self.assertEqual(customer_to_partner({**read, "Active": True})["name"], "Acme (deleted)")

    def test_same_display_name_as_a_vendor_is_disambiguated_without_loss(self):
        p = {"name": "Acme", "is_company": True, "email": "acme@example.com"}
        self.assertEqual(common.disambiguate_display_name("Acme", 1), "Acme")
        self.assertEqual(common.disambiguate_display_name("A:b", 3), "A：b (3)")
        self.assertEqual(common.disambiguate_display_name("x" * 600, 12), "x" * 495 + " (12)")
        with self.assertRaises(ValueError):
            common.disambiguate_display_name("Acme", 0)
        payload = partner_to_customer(p)
        payload["DisplayName"] = common.disambiguate_display_name(p["name"], 2)  # the engine, after 6240
        read = as_read(payload)
        pulled = customer_to_partner(read)
        self.assertEqual((pulled["name"], pulled["is_company"]), ("Acme (2)", True))
        self.assertEqual(partner.pull_changes({**p, "primary_contact": None}, pulled), {})
        self.assertEqual(changed_fields(read, partner_to_customer(p)), {})
        self.assertEqual(partner.pull_changes(p, {**pulled, "name": "Acme Renamed"}), {"name": "Acme Renamed"})


class TestValues(BaseCase):
    def test_email_lists_and_invalid_addresses(self):
        payload = partner_to_customer({"name": "A", "email": "Anna <ANNA@ex.com>; bob@ex.org"})
        self.assertEqual(payload["PrimaryEmailAddr"], {"Address": "ANNA@ex.com, bob@ex.org"})
        self.assertEqual(customer_to_partner(as_read(payload))["email"], "ANNA@ex.com")
        listed = {"DisplayName": "B", "PrimaryEmailAddr": {"Address": "x@y.z,w@v.u"}}
        self.assertEqual(customer_to_partner(listed)["email"], "x@y.z")
        for bad in ("foo", "a@b", "a b@c.d", "@.", "ok@ex.com, nope"):
            with self.assertRaises(MappingError) as caught:
                partner_to_customer({"name": "A", "email": bad})
            self.assertEqual(caught.exception.code, "invalid_email")
        with self.assertRaises(MappingError) as caught:
            partner_to_customer({"name": "A", "email": "a" * 95 + "@ex.com"})
        self.assertEqual((caught.exception.code, caught.exception.params["limit"]), ("too_long", 100))

    def test_long_phone_is_an_error_not_a_wrong_number(self):
        with self.assertRaises(MappingError) as caught:
            partner_to_customer({"name": "A", "mobile": "+1 555 0100 ext. 1234, ask for Bob"})
        self.assertEqual(caught.exception.params["field"], "Mobile")

    def test_notes_are_plain_text_within_2000(self):
        comment = "<p>Hello &amp; <b>bye</b></p><p>l1<br>l2</p>" + "z" * 3000
        payload = partner_to_customer({"name": "A", "comment": comment})
        self.assertTrue(payload["Notes"].startswith("Hello & bye\n\nl1\nl2"))
        self.assertEqual(len(payload["Notes"]), 2000)
        self.assertEqual(common.text_to_html("a < b\nc\n\nd"), "<p>a &lt; b<br>c</p><p>d</p>")

    def test_quickbooks_whitespace_is_no_change(self):
        c = {"Id": "4", "DisplayName": "Acme  Inc", "CompanyName": "Acme  Inc", "Active": True, "Job": False,
             "Notes": "a  b\r\n\r\n\r\nc\t d\r\ne"}
        pulled = customer_to_partner(c)
        self.assertEqual(pulled["comment"], "<p>a b</p><p>c d<br>e</p>")
        self.assertEqual(partner.pull_changes(pulled, customer_to_partner(c)), {})
        self.assertTrue(pulled["is_company"])
        self.assertEqual(changed_fields(c, partner_to_customer(pulled)), {})
        for t in ("x\r\ny", "  a\t\tb  \n\n\n\nc", "<&>\"'", "\n\n"):
            self.assertEqual(common.html_to_text(common.text_to_html(t)), common.plain_text(t))

    def test_countries_iso2_iso3_and_names(self):
        self.assertEqual(len(countries.ISO2_TO_ISO3), 250)
        self.assertEqual(len(countries.ISO3_TO_ISO2), 250)
        aliases = get_global("territory_aliases")  # CLDR, independent of our table
        for iso2, iso3 in countries.ISO2_TO_ISO3.items():
            if iso3 in aliases:
                self.assertIn(iso2, aliases[iso3])
        for value, iso2 in (("USA", "US"), ("us", "US"), ("United States", "US"), ("canada", "CA"), ("GBR", "GB"),
                            ("Côte d’Ivoire", "CI"), ("Atlantis", None), ("", None), (None, None)):
            self.assertEqual(countries.to_iso2(value), iso2, value)
        address = partner_to_customer({"name": "A", "country_code": "de", "state_code": "BY"})["BillAddr"]
        self.assertEqual(address, {"Country": "DEU", "CountrySubDivisionCode": "BY"})

    def test_address_lines_three_to_five_are_kept_in_street2(self):
        address = {"Line1": "Att. Bob", "Line2": "1 Main", "Line3": "B2"}
        pulled = customer_to_partner({"DisplayName": "A", "BillAddr": address})
        self.assertEqual((pulled["street"], pulled["street2"], pulled["ship"]), ("Att. Bob", "1 Main, B2", None))

    def test_match_keys(self):
        self.assertEqual(partner.match_keys({"name": "ACME:  Sales", "email": "Info@Acme.com, b@c.de"}),
                         ("info@acme.com", "acme: sales"))
        self.assertEqual(partner.match_keys(customer_to_partner({"DisplayName": "Acme： sales"})),
                         (None, "acme: sales"))


class TestSparseDelta(BaseCase):
    base = {"name": "Ann Lee", "email": "ann@ex.com", "phone": "555", "street": "1 Main", "street2": "B",
            "comment": "<p>hi</p>", "title": "Dr."}

    def test_only_changes_are_sent_and_cleared_fields_are_emptied(self):
        old = as_read(partner_to_customer(self.base))
        self.assertEqual(changed_fields(old, partner_to_customer(self.base)), {})
        self.assertEqual(changed_fields(old, partner_to_customer({**self.base, "phone": "556"})),
                         {"PrimaryPhone": {"FreeFormNumber": "556"}})
        new = partner_to_customer({**self.base, "email": False, "comment": "", "title": None, "street2": None})
        self.assertEqual(changed_fields(old, new), {
            "PrimaryEmailAddr": {"Address": ""}, "Notes": "", "Title": "",
            "BillAddr": {"Line1": "1 Main", "Line2": ""}, "ShipAddr": {"Line1": "1 Main", "Line2": ""}})

    def test_parent_archive_and_inactive_suffix(self):
        child = as_read(partner_to_customer(self.base, parent_qbo_id="9"))
        self.assertEqual(child["BillWithParent"], True)
        self.assertEqual(changed_fields(child, partner_to_customer(self.base)), {"Job": False})
        archived = as_read(partner_to_customer({**self.base, "active": False}))
        self.assertEqual(archived["DisplayName"], "Ann Lee (deleted)")
        self.assertEqual(changed_fields(archived, partner_to_customer({**self.base, "active": False})), {})
        self.assertEqual(changed_fields(archived, partner_to_customer(self.base)), {"Active": True})
