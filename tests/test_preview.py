"""Preview before writing (issue 13.1), against the local QuickBooks server: the preview of a
first sync (Download all, then Upload all) writes nothing on either side — QuickBooks receives
only reads, Odoo keeps no record, link or log line — and its counts per entity, direction and
outcome are exactly what the real runs then do."""

from collections import Counter

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from .test_sync_invoices import InvoiceCaseMixin


@tagged("post_install", "-at_install")
class TestPreview(InvoiceCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        realm = self.connection.realm_id
        # QuickBooks: two customers of its own, one that is Odoo's buyer (same e-mail), an item.
        for name, email in (("Preview One", "one@example.com"), ("Preview Two", "two@example.com"),
                            ("Invoice Buyer Inc", "buyer@example.com")):
            self.control.user_write("Customer", {"DisplayName": name, "PrimaryEmailAddr": {"Address": email}},
                                    realm=realm)
        self.qbo_item("Preview Gadget")
        # Odoo: a partner of its own, the buyer's invoice (its products go up with it).
        self.Partner.create({"name": "Odoo Only", "email": "odoo.only@example.com", "is_company": True})
        self.invoice([(self.service, 2, 50, False, 0), (self.goods, 1, 9.99, False, 0)])

    def qbo_objects(self):
        client = self.connection._qbo_api_client()
        return {entity: sorted((row["Id"], row["SyncToken"]) for row in client.query_all(entity, where))
                for entity, where in (("Customer", "Active IN (true, false)"), ("Item", "Active IN (true, false)"),
                                      ("Invoice", None))}

    def real_outcomes(self, since_log):
        logs = self.env["qbo.sync.log"].search([("id", ">", since_log)])
        return Counter((line.direction, line.qbo_entity, line.outcome) for line in logs)

    def test_preview_writes_nothing_and_counts_what_the_run_does(self):
        before_qbo = self.qbo_objects()
        before_odoo = (self.Partner.search_count([]), self.env["product.product"].search_count([]),
                       self.Binding.search_count([]), self.env["qbo.sync.log"].search_count([]))
        mark = self.log_mark()
        preview = self.env["qbo.preview"].create({})
        preview.action_compute()
        sent = self.control.requests(mark)
        self.assertTrue(sent)
        self.assertFalse([r for r in sent if r["path"].startswith("/v3/") and r["method"] != "GET"
                          and not r["path"].endswith("/query")], "QuickBooks received only reads")
        self.assertEqual(preview.requests, len([r for r in sent if r["path"].startswith("/v3/")]))
        self.assertEqual(self.qbo_objects(), before_qbo)
        self.assertEqual((self.Partner.search_count([]), self.env["product.product"].search_count([]),
                          self.Binding.search_count([]), self.env["qbo.sync.log"].search_count([])), before_odoo,
                         "nothing stays in Odoo")
        self.assertGreater(preview.writes_held, 0)
        previewed = Counter({(line.direction, line.entity, line.outcome): line.count for line in preview.line_ids})
        self.assertEqual(previewed[("pull", "Customer", "linked")], 1, "the buyer, by e-mail")
        self.assertEqual(previewed[("pull", "Customer", "created")], 2)
        self.assertEqual(previewed[("push", "Invoice", "created")], 1)
        # The real runs, as the preview's "Sync Now" starts them.
        last_log = self.env["qbo.sync.log"].search([], order="id desc", limit=1).id or 0
        self.connection.action_qbo_download_all()
        self.pull()
        self.connection.action_qbo_upload_all()
        self.push()
        self.push()
        self.assertEqual(self.real_outcomes(last_log), previewed)

    def test_only_managers_preview(self):
        user = new_test_user(self.env, "preview_user", groups="base.group_user,quickbooks_online.group_qbo_user")
        with self.assertRaises(AccessError):
            self.env["qbo.preview"].with_user(user).create({}).action_compute()
        with self.assertRaises(AccessError):
            self.connection.with_user(user).action_qbo_open_preview()

    def test_weak_matches_are_reviewed_and_the_choices_honoured(self):
        """The same name with another e-mail, the same e-mail under another name: the preview
        lists both; "keep apart" gives each side its own, "skip both" syncs neither."""
        realm = self.connection.realm_id
        acme_qbo = self.control.user_write("Customer", {"DisplayName": "Acme Corp",
                                                        "PrimaryEmailAddr": {"Address": "billing@acme.example.com"}},
                                           realm=realm)
        beta_qbo = self.control.user_write("Customer", {"DisplayName": "Beta Limited",
                                                        "PrimaryEmailAddr": {"Address": "hello@beta.example.com"}},
                                           realm=realm)
        acme = self.Partner.create({"name": "Acme Corp", "email": "sales@acme.example.com", "is_company": True})
        beta = self.Partner.create({"name": "Beta LLC", "email": "hello@beta.example.com", "is_company": True})
        preview = self.env["qbo.preview"].create({})
        preview.action_compute()
        matches = {match.record_name: match for match in preview.match_ids}
        self.assertEqual(set(matches), {"Acme Corp", "Beta LLC", "Invoice Buyer"},  # the last: "… Inc" in QuickBooks
                         preview.match_ids.mapped("reason"))
        self.assertIn("Same name", matches["Acme Corp"].reason)
        self.assertIn("Same e-mail", matches["Beta LLC"].reason)
        matches["Acme Corp"].choice = "apart"
        matches["Beta LLC"].choice = "skip"
        preview.action_run()
        self.pull()
        self.push()
        self.push()
        acmes = self.Partner.search([("name", "=", "Acme Corp")])
        self.assertEqual(len(acmes), 2, "kept apart: QuickBooks' Acme has its own partner")
        self.assertNotEqual(acme.qbo_id, acme_qbo["Id"])
        self.assertTrue(acme.qbo_id, "and Odoo's Acme its own customer")
        self.assertFalse(self.Binding.search([("qbo_entity", "=", "Customer"), ("qbo_id", "=", beta_qbo["Id"])]),
                         "skipped: QuickBooks' Beta is not downloaded")
        self.assertFalse(beta.qbo_id, "and Odoo's Beta not uploaded")
        self.assertEqual(self.control.user_read("Customer", beta_qbo["Id"], realm=realm)["DisplayName"],
                         "Beta Limited", "nor changed")
