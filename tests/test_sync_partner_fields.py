"""Customers ⇄ partners through the engine: every field both ways, round trips, companies and
their contacts, the wizard's scope options."""

from odoo.tests import TransactionCase, tagged

from .sync_common import SyncCaseMixin


@tagged("post_install", "-at_install")
class TestSyncPartnerFields(SyncCaseMixin, TransactionCase):

    def _full_partner(self):
        us = self.env.ref("base.us")
        title = self.env["res.partner.title"].create({"name": "Doctor", "shortcut": "Dr."})
        return self.Partner.create({
            "name": "Jane Q Public", "company_name": "Public Works", "title": title.id,
            "email": "jane@example.com", "phone": "+1 555 0100", "mobile": "+1 555 0101",
            "qbo_fax": "+1 555 0102", "qbo_alternate_phone": "+1 555 0103", "website": "https://jane.example.com",
            "street": "1 Main St", "street2": "Suite 2", "city": "Austin", "zip": "78701",
            "state_id": self.env.ref("base.state_us_44").id, "country_id": us.id,
            "comment": "<p>Likes tea</p>",
        })

    def test_every_field_goes_up(self):
        partner = self._full_partner()
        self.push()
        c = self.control.user_read("Customer", partner.qbo_id)
        self.assertEqual((c["GivenName"], c["MiddleName"], c["FamilyName"]), ("Jane", "Q", "Public"))
        self.assertEqual(c["DisplayName"], "Jane Q Public")
        self.assertEqual(c["CompanyName"], "Public Works")
        self.assertEqual(c["Title"], "Dr.")
        self.assertEqual(c["PrimaryEmailAddr"]["Address"], "jane@example.com")
        self.assertEqual(c["PrimaryPhone"]["FreeFormNumber"], "+1 555 0100")
        self.assertEqual(c["Mobile"]["FreeFormNumber"], "+1 555 0101")
        self.assertEqual(c["Fax"]["FreeFormNumber"], "+1 555 0102")
        self.assertEqual(c["AlternatePhone"]["FreeFormNumber"], "+1 555 0103")
        self.assertEqual(c["WebAddr"]["URI"], "https://jane.example.com")
        self.assertEqual((c["BillAddr"]["Line1"], c["BillAddr"]["Line2"], c["BillAddr"]["City"]),
                         ("1 Main St", "Suite 2", "Austin"))
        self.assertEqual((c["BillAddr"]["CountrySubDivisionCode"], c["BillAddr"]["PostalCode"],
                          c["BillAddr"]["Country"]), ("TX", "78701", "USA"))
        self.assertEqual(c["Notes"], "Likes tea")
        self.assertIs(c["Active"], True)

    def test_round_trip_changes_nothing(self):
        partner = self._full_partner()
        delivery = self.Partner.create({"parent_id": partner.id, "type": "delivery", "street": "9 Dock Rd",
                                        "city": "Dallas", "country_id": self.env.ref("base.us").id})
        self.push()
        self.assertEqual(self.binding(partner).state, "synced")
        self.env.flush_all()
        # Every field but the time of the last sync, which reading QuickBooks' new version moves.
        fields = [name for name in partner._fields if name != "qbo_last_sync_at"]
        before = partner.read(fields)[0]
        before_delivery = delivery.read(fields)[0]
        # Another QuickBooks edit brings the whole Customer down again: nothing of ours changes.
        self.control.user_write("Customer", {"Id": partner.qbo_id, "PrintOnCheckName": "Jane"})
        self.pull()
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(partner.read(fields)[0], before)
        self.assertEqual(delivery.read(fields)[0], before_delivery)
        self.assertEqual(self.binding(partner).state, "synced")

    def test_every_field_comes_down(self):
        self.control.user_write("Customer", {
            "DisplayName": "Mr. Down Loaded", "Title": "Mr.", "GivenName": "Down", "FamilyName": "Loaded",
            "CompanyName": "Loaded Ltd", "PrimaryEmailAddr": {"Address": "down@example.com; other@example.com"},
            "PrimaryPhone": {"FreeFormNumber": "111"}, "Mobile": {"FreeFormNumber": "222"},
            "Fax": {"FreeFormNumber": "333"}, "AlternatePhone": {"FreeFormNumber": "444"},
            "WebAddr": {"URI": "https://down.example.com"}, "Notes": "line one\nline two",
            "BillAddr": {"Line1": "5 Rue", "City": "Montreal", "CountrySubDivisionCode": "QC",
                         "PostalCode": "H2X", "Country": "CAN"},
            "ShipAddr": {"Line1": "7 Quai", "City": "Quebec", "CountrySubDivisionCode": "QC", "Country": "CAN"},
        })
        self.pull()
        partner = self.Partner.search([("name", "=", "Mr. Down Loaded")])
        self.assertEqual(partner.title.shortcut, "Mr.")
        self.assertEqual(partner.company_name, "Loaded Ltd")
        self.assertEqual(partner.email, "down@example.com")
        self.assertEqual((partner.phone, partner.mobile, partner.qbo_fax, partner.qbo_alternate_phone),
                         ("111", "222", "333", "444"))
        self.assertEqual(partner.website, "https://down.example.com")
        self.assertEqual((partner.street, partner.city, partner.zip), ("5 Rue", "Montreal", "H2X"))
        self.assertEqual((partner.country_id.code, partner.state_id.code), ("CA", "QC"))
        self.assertIn("line one", partner.comment)
        delivery = partner.child_ids.filtered(lambda c: c.type == "delivery")
        self.assertEqual((delivery.street, delivery.city), ("7 Quai", "Quebec"))
        # ... and nothing goes back up.
        self.assertEqual(self.binding(partner).state, "synced")
        mark = self.log_mark()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST"])

    def test_company_primary_contact_and_sub_customers(self):
        self.connection.contacts_as_sub_customers = True
        company = self.Partner.create({"name": "Parent Co", "is_company": True, "email": "parent@example.com"})
        primary = self.Partner.create({"name": "Paula Prime", "parent_id": company.id, "type": "contact"})
        other = self.Partner.create({"name": "Sam Sub", "parent_id": company.id, "type": "contact",
                                     "email": "sam@example.com"})
        self.push()
        c = self.control.user_read("Customer", company.qbo_id)
        self.assertEqual((c["GivenName"], c["FamilyName"]), ("Paula", "Prime"))
        self.assertFalse(self.binding(primary), "the primary contact is part of the company's Customer")
        sub = self.control.user_read("Customer", other.qbo_id)
        self.assertIs(sub["Job"], True)
        self.assertEqual(sub["ParentRef"]["value"], company.qbo_id)
        # Renaming the primary contact updates the company's Customer.
        primary.name = "Paula Primera"
        self.push()
        self.assertEqual(self.control.user_read("Customer", company.qbo_id)["FamilyName"], "Primera")

    def test_pulled_sub_customer_becomes_child_contact(self):
        parent = self.control.user_write("Customer", {"DisplayName": "Top Co", "CompanyName": "Top Co",
                                                      "GivenName": "Tom", "FamilyName": "Top"})
        self.control.user_write("Customer", {"DisplayName": "Top Job", "Job": True,
                                             "ParentRef": {"value": parent["Id"]}})
        self.pull()
        company = self.Partner.search([("name", "=", "Top Co")])
        job = self.Partner.search([("name", "=", "Top Job")])
        self.assertEqual(job.parent_id, company)
        self.assertEqual(company._qbo_primary_contact().name, "Tom Top")
        self.assertEqual(job._qbo_role(), "sub_customer", "a linked child is never the primary contact")
        mark = self.log_mark()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST"], "no echo data")

    def test_scope_tagged_and_without_email(self):
        self.connection.write({"customer_scope": "tagged", "skip_customers_without_email": True})
        tag = self.env.ref("quickbooks_online.res_partner_category_quickbooks")
        untagged = self.Partner.create({"name": "Untagged", "email": "u@example.com"})
        no_mail = self.Partner.create({"name": "No Mail", "category_id": [(4, tag.id)]})
        tagged_ = self.Partner.create({"name": "Tagged", "email": "t@example.com", "category_id": [(4, tag.id)]})
        self.push()
        self.assertFalse(self.binding(untagged))
        self.assertFalse(self.binding(no_mail))
        self.assertEqual(self.binding(tagged_).state, "synced")
        # Tagging later puts it in scope.
        untagged.category_id = [(4, tag.id)]
        self.push()
        self.assertEqual(self.binding(untagged).state, "synced")
        # Downloads: customers without e-mail are skipped, the others tagged.
        self.control.user_write("Customer", {"DisplayName": "Remote No Mail"})
        self.control.user_write("Customer", {"DisplayName": "Remote Mail",
                                             "PrimaryEmailAddr": {"Address": "rm@example.com"}})
        self.pull()
        self.assertFalse(self.Partner.search([("name", "=", "Remote No Mail")]))
        self.assertIn(tag, self.Partner.search([("name", "=", "Remote Mail")]).category_id)

    def test_direction_off_syncs_nothing(self):
        self.connection.customer_direction = "qbo_to_odoo"
        partner = self.Partner.create({"name": "Stay Home"})
        self.assertFalse(self.binding(partner))
        self.connection.customer_direction = "off"
        self.control.user_write("Customer", {"DisplayName": "Stay There"})
        self.pull()
        self.assertFalse(self.Partner.search([("name", "=", "Stay There")]))
