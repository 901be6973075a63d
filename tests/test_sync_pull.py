"""Downloads: full import, one CDC request per incremental run, no echo, first link, round trip."""

from odoo.tests import TransactionCase, tagged

from .sync_common import SyncCaseMixin


@tagged("post_install", "-at_install")
class TestSyncPull(SyncCaseMixin, TransactionCase):

    def test_first_pull_imports_customers_with_language(self):
        self.connection.partner_lang = "en_US"
        created = self.control.user_write("Customer", {
            "DisplayName": "Imported Inc", "CompanyName": "Imported Inc",
            "PrimaryEmailAddr": {"Address": "first@imported.com, second@imported.com"},
            "BillAddr": {"Line1": "1 Main St", "City": "Mountain View", "CountrySubDivisionCode": "CA",
                         "PostalCode": "94043", "Country": "USA"},
        })
        self.pull()
        partner = self.Partner.search([("name", "=", "Imported Inc")])
        self.assertEqual(len(partner), 1)
        self.assertEqual(partner.email, "first@imported.com", "only the first address")
        self.assertTrue(partner.is_company)
        self.assertEqual(partner.country_id.code, "US")
        self.assertEqual(partner.state_id.code, "CA")
        self.assertEqual(partner.lang, "en_US")
        self.assertEqual(partner.company_id, self.connection.company_id)
        self.assertEqual(self.binding(partner).qbo_id, created["Id"])
        self.assertEqual(self.binding(partner).state, "synced")
        self.assertTrue(self.connection.qbo_pull_watermark)

    def test_incremental_pull_without_change_is_one_cdc_and_writes_nothing(self):
        self.control.user_write("Customer", {"DisplayName": "Steady Co"})
        self.pull()
        partner = self.Partner.search([("name", "=", "Steady Co")])
        self.env.flush_all()
        write_date = partner.write_date
        bindings_before = self.Binding.search_read([], ["write_date", "state", "qbo_sync_token"])
        logs_before = self.env["qbo.sync.log"].search_count([])
        mark = self.log_mark()
        self.pull()
        rows = self.api_log(mark)
        self.assertEqual([r["path"].rsplit("/", 1)[-1] for r in rows], ["cdc"], rows)
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(partner.write_date, write_date)
        self.assertEqual(self.Binding.search_read([], ["write_date", "state", "qbo_sync_token"]), bindings_before)
        self.assertEqual(self.env["qbo.sync.log"].search_count([]), logs_before)

    def test_pulled_change_is_not_pushed_back(self):
        created = self.control.user_write("Customer", {"DisplayName": "Echo Co"})
        self.pull()
        self.control.user_write("Customer", {"Id": created["Id"], "Notes": "edited in QuickBooks"})
        self.pull()
        partner = self.Partner.search([("name", "=", "Echo Co")])
        self.assertIn("edited in QuickBooks", partner.comment)
        self.assertEqual(self.binding(partner).state, "synced")
        mark = self.log_mark()
        self.push()
        self.assertFalse([r for r in self.api_log(mark) if r["method"] == "POST"], "nothing uploaded")

    def test_own_upload_is_not_applied_again(self):
        partner = self.Partner.create({"name": "Own Write", "email": "own@example.com"})
        self.pull()  # watermark
        self.push()
        self.env.flush_all()
        write_date = partner.write_date
        self.pull()
        self.env.flush_all()
        self.assertEqual(partner.write_date, write_date, "the echo of our own upload is skipped")

    def test_pull_links_existing_partner_by_email_then_name(self):
        p1 = self.Partner.create({"name": "Mail Match", "email": "match@example.com"})
        p2 = self.Partner.create({"name": "Name Match"})
        self.Binding.search([]).unlink()  # as if created before connecting
        self.control.advance_clock(60)  # QuickBooks' versions are the later ones
        c1 = self.control.user_write("Customer", {"DisplayName": "Other Name",
                                                  "PrimaryEmailAddr": {"Address": "MATCH@example.com"}})
        c2 = self.control.user_write("Customer", {"DisplayName": "name match"})
        self.pull()
        self.assertEqual(self.binding(p1).qbo_id, c1["Id"])
        self.assertEqual(self.binding(p2).qbo_id, c2["Id"])
        self.assertEqual(self.Partner.search_count([("email", "=ilike", "match@example.com")]), 1)
        # Linked by a download: QuickBooks' values win, nothing is created.
        self.assertEqual(self.Partner.search([("name", "=", "Other Name")]), p1)
