"""Sub-customers with their own address (a job site under a company): the address survives a
download, and a round trip QuickBooks -> Odoo -> QuickBooks changes nothing (docs/ENGINE.md §6)."""

from odoo.tests import TransactionCase, tagged

from .common import QBOFakeServerMixin

PARENT_ADDR = {"Line1": "1 Main St", "City": "Brooklyn", "CountrySubDivisionCode": "NY", "PostalCode": "11201",
               "Country": "USA"}
SITE_ADDR = {"Line1": "467 Court St.", "City": "Brooklyn", "CountrySubDivisionCode": "NY", "PostalCode": "11231",
             "Country": "USA"}
DOCK_ADDR = {"Line1": "Dock 3, 469 Court St.", "City": "Brooklyn", "CountrySubDivisionCode": "NY",
             "PostalCode": "11231", "Country": "USA"}


@tagged("post_install", "-at_install")
class TestSyncSubCustomers(QBOFakeServerMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self._connect()
        self.connection.contacts_as_sub_customers = True  # the option these tests are about
        self.Partner = self.env["res.partner"]
        # The database's own partners in scope are in QuickBooks already: "Upload all" below
        # then has nothing to send but what these tests are about.
        self.upload_all()

    # -- helpers (runs as the crons call them, the fake's request log) -------------------------
    def push(self):
        self.env["qbo.connection"]._cron_qbo_push()

    def pull(self):
        self.env["qbo.connection"]._cron_qbo_pull()

    def upload_all(self):
        self.connection.action_qbo_upload_all()
        self.push()

    def log_mark(self):
        rows = self.control.requests(0)
        return rows[-1]["seq"] if rows else 0

    def customer_posts(self, since):
        """The Customer writes (creates and updates) sent to QuickBooks since ``since``, batch
        items included, as (path, body)."""
        return [r for r in self.control.requests(since) if r["path"].startswith("/v3/") and r["method"] == "POST"
                and ("/customer" in r["path"] or "/batch" in r["path"])]

    def binding(self, partner):
        return self.env["qbo.binding"].sudo().search([
            ("res_model", "=", "res.partner"), ("res_id", "=", partner.id),
            ("connection_id", "=", self.connection.id)])

    def assert_address(self, partner, qbo_addr):
        self.assertEqual((partner.street, partner.city, partner.zip, partner.state_id.code, partner.country_id.code),
                         (qbo_addr["Line1"], qbo_addr["City"], qbo_addr["PostalCode"],
                          qbo_addr["CountrySubDivisionCode"], "US"))

    def assert_same_address(self, read, expected):
        self.assertEqual({k: v for k, v in (read or {}).items() if k in expected}, expected)

    def make_parent(self):
        return self.control.user_write("Customer", {
            "DisplayName": "Court Holdings", "CompanyName": "Court Holdings", "GivenName": "Cora",
            "FamilyName": "Court", "PrimaryEmailAddr": {"Address": "cora@court.example.com"},
            "BillAddr": dict(PARENT_ADDR), "ShipAddr": dict(PARENT_ADDR)})

    # -- tests ---------------------------------------------------------------------------------
    def test_site_with_own_addresses_round_trips_unchanged(self):
        parent = self.make_parent()
        site = self.control.user_write("Customer", {
            "DisplayName": "Warehouse 467 Court St.", "Job": True, "ParentRef": {"value": parent["Id"]},
            "BillAddr": dict(SITE_ADDR), "ShipAddr": dict(DOCK_ADDR)})
        self.pull()
        company = self.Partner.search([("name", "=", "Court Holdings")])
        job = self.Partner.search([("name", "=", "Warehouse 467 Court St.")])
        self.assertEqual(job.parent_id, company)
        self.assertEqual(job.type, "other", "a contact's address would mirror its company's")
        self.assert_address(job, SITE_ADDR)
        self.assert_address(company, PARENT_ADDR)
        delivery = job.child_ids.filtered(lambda c: c.type == "delivery")
        self.assertEqual(len(delivery), 1)
        self.assert_address(delivery, DOCK_ADDR)
        self.assertFalse(company.child_ids.filtered(lambda c: c.type == "delivery"),
                         "the company ships to its billing address")

        mark = self.log_mark()
        self.upload_all()
        self.assertEqual(self.customer_posts(mark), [], "a downloaded, unedited sub-customer sends nothing")
        self.assertEqual(self.binding(job).state, "synced")
        self.assertEqual(self.binding(company).state, "synced")
        read = self.control.user_read("Customer", site["Id"])
        self.assertEqual(read["SyncToken"], site["SyncToken"])
        self.assert_same_address(read["BillAddr"], SITE_ADDR)
        self.assert_same_address(read["ShipAddr"], DOCK_ADDR)

        # The company moves in QuickBooks: Odoo does not carry the move onto the job site.
        moved = dict(PARENT_ADDR, Line1="2 Main St")
        self.control.user_write("Customer", {"Id": parent["Id"], "sparse": True, "BillAddr": moved,
                                             "ShipAddr": moved})
        self.pull()
        self.assertEqual(company.street, "2 Main St")
        self.assert_address(job, SITE_ADDR)
        mark = self.log_mark()
        self.upload_all()
        self.assertEqual(self.customer_posts(mark), [])
        self.assertEqual(self.control.user_read("Customer", site["Id"])["SyncToken"], site["SyncToken"])

        # An edit in Odoo of the site's delivery address goes up, and only that.
        delivery.street = "Dock 4, 469 Court St."
        mark = self.log_mark()
        self.push()
        read = self.control.user_read("Customer", site["Id"])
        self.assertEqual(read["ShipAddr"]["Line1"], "Dock 4, 469 Court St.")
        self.assert_same_address(read["BillAddr"], SITE_ADDR)
        self.assertEqual(len(self.customer_posts(mark)), 1)

    def test_site_without_own_address_stays_contact(self):
        parent = self.make_parent()
        site = self.control.user_write("Customer", {
            "DisplayName": "Court Job", "Job": True, "ParentRef": {"value": parent["Id"]},
            "PrimaryEmailAddr": {"Address": "job@court.example.com"}})
        same = self.control.user_write("Customer", {
            "DisplayName": "Court Head Office", "Job": True, "ParentRef": {"value": parent["Id"]},
            "BillAddr": dict(PARENT_ADDR)})
        self.pull()
        company = self.Partner.search([("name", "=", "Court Holdings")])
        job = self.Partner.search([("name", "=", "Court Job")])
        office = self.Partner.search([("name", "=", "Court Head Office")])
        self.assertEqual((job.parent_id, office.parent_id), (company, company))
        self.assertEqual((job.type, office.type), ("contact", "contact"))
        self.assertFalse(job.child_ids | office.child_ids)
        self.assertEqual(job.email, "job@court.example.com")

        mark = self.log_mark()
        self.upload_all()
        self.assertEqual(self.customer_posts(mark), [])
        for customer in (site, same):
            read = self.control.user_read("Customer", customer["Id"])
            self.assertEqual(read["SyncToken"], customer["SyncToken"])
            self.assertEqual(read.get("BillAddr"), customer.get("BillAddr"))
            self.assertEqual(read.get("ShipAddr"), customer.get("ShipAddr"))
        self.assertEqual(self.binding(job).state, "synced")
        self.assertEqual(self.binding(office).state, "synced")

        # The job gets a site of its own in QuickBooks: in Odoo it becomes an "other" address.
        moved = self.control.user_write("Customer", {"Id": site["Id"], "sparse": True, "BillAddr": dict(SITE_ADDR)})
        self.pull()
        self.assertEqual(job.type, "other")
        self.assert_address(job, SITE_ADDR)
        self.assert_address(company, PARENT_ADDR)
        mark = self.log_mark()
        self.upload_all()
        self.assertEqual(self.customer_posts(mark), [])
        self.assertEqual(self.control.user_read("Customer", site["Id"])["SyncToken"], moved["SyncToken"])

    def test_odoo_other_address_goes_up_as_sub_customer(self):
        us, ny = self.env.ref("base.us"), self.env.ref("base.state_us_27")
        company = self.Partner.create({"name": "Odoo Builders", "is_company": True, "email": "b@builders.example.com",
                                       "street": "1 Main St", "city": "Brooklyn", "zip": "11201",
                                       "state_id": ny.id, "country_id": us.id})
        site = self.Partner.create({"name": "Site 12 Court St.", "parent_id": company.id, "type": "other",
                                    "street": "12 Court St.", "city": "Brooklyn", "zip": "11231",
                                    "state_id": ny.id, "country_id": us.id})
        invoice = self.Partner.create({"name": "Accounts", "parent_id": company.id, "type": "invoice",
                                       "street": "PO Box 9", "city": "Brooklyn", "country_id": us.id})
        self.push()
        self.assertEqual(self.binding(site).state, "synced", self.binding(site).last_error)
        self.assertFalse(self.binding(invoice), "an invoice address is no Customer")
        c = self.control.user_read("Customer", site.qbo_id)
        self.assertIs(c["Job"], True)
        self.assertEqual(c["ParentRef"]["value"], company.qbo_id)
        expected = {"Line1": "12 Court St.", "City": "Brooklyn", "CountrySubDivisionCode": "NY",
                    "PostalCode": "11231", "Country": "USA"}
        self.assert_same_address(c["BillAddr"], expected)
        self.assert_same_address(c["ShipAddr"], expected)
        self.assertEqual(self.control.user_read("Customer", company.qbo_id)["BillAddr"]["Line1"], "1 Main St")
        # Nothing changed: "Upload all" sends nothing more.
        mark = self.log_mark()
        self.upload_all()
        self.assertEqual(self.customer_posts(mark), [])
