"""Health at a glance (issue 13.4), through real runs against the local QuickBooks server: the
counts per entity equal the lists they open, the settings block sums them, and the API use is
the requests QuickBooks received."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .sync_common import SyncCaseMixin

MUTE = ("odoo.addons.quickbooks_online.models.qbo_sync_push", "odoo.addons.quickbooks_online.utils.qbo_client")


@tagged("post_install", "-at_install")
class TestHealth(SyncCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        self.connection.write({"conflict_policy": "manual", "contacts_as_sub_customers": True})
        # Synced, in error (QuickBooks refuses the address), waiting (its parent in error),
        # to upload (changed after the run), in conflict (both sides changed).
        self.synced = self.make_partners("Health Alpha", "Health Beta", "Health Gamma")
        self.refused = self.Partner.create({"name": "Health Refused", "email": "refused@example.com",
                                            "street": "x" * 600, "is_company": True})
        self.child = self.Partner.create({"name": "Health Child", "parent_id": self.refused.id,
                                          "type": "other", "email": "child@example.com"})
        with mute_logger(*MUTE):
            self.push()
        conflicted = self.synced[0]
        data = self.control.user_read("Customer", conflicted.qbo_id)
        self.control.user_write("Customer", {"Id": data["Id"], "SyncToken": data["SyncToken"], "sparse": True,
                                             "PrimaryPhone": {"FreeFormNumber": "+1 555 0111"}})
        conflicted.phone = "+1 555 0222"
        self.pull()
        self.synced[1].phone = "+1 555 0333"  # to upload

    def test_counts_equal_the_lists_they_open(self):
        rows = self.env["qbo.health"].search([("connection_id", "=", self.connection.id)])
        customers = rows.filtered(lambda row: row.qbo_entity == "Customer")
        self.assertEqual((customers.count_synced, customers.count_to_push, customers.count_waiting,
                          customers.count_error, customers.count_conflict), (1, 1, 1, 1, 1),
                         self.Binding.search([("res_model", "=", "res.partner")]).mapped(
                             lambda b: (b.display_name, b.state, b.last_error)))
        for row in rows:
            for state in ("to_push", "waiting", "error", "conflict"):
                action = row.with_context(qbo_state=state).action_qbo_open_bindings()
                listed = self.env[action["res_model"]].search(action["domain"])
                self.assertEqual(len(listed), row["count_%s" % state], (row.qbo_entity, state))
                self.assertEqual(set(listed.mapped("state")), {state} if listed else set())
        errors = customers.with_context(qbo_state="error").action_qbo_open_bindings()
        self.assertEqual(self.env["qbo.binding"].search(errors["domain"]).display_name, "Health Refused",
                         "the list names the record")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual((settings.qbo_health_to_push, settings.qbo_health_waiting, settings.qbo_health_error,
                          settings.qbo_health_conflict),
                         tuple(sum(rows.mapped("count_%s" % s)) for s in ("to_push", "waiting", "error", "conflict")))

    def test_api_use_is_what_quickbooks_received(self):
        before = self.connection.api_requests_hour
        mark = self.log_mark()
        self.push()
        self.pull()
        received = [r for r in self.api_log(mark) if r["path"].startswith("/v3/")]
        self.connection.invalidate_recordset(["api_requests_hour", "api_peak_minute"])
        self.assertTrue(received)
        self.assertEqual(self.connection.api_requests_hour - before, len(received))
        self.assertGreaterEqual(self.connection.api_peak_minute, 1)
        self.assertLessEqual(self.connection.api_peak_minute, self.connection.api_requests_hour)

    def test_only_quickbooks_users_open_the_lists(self):
        row = self.env["qbo.health"].search([("connection_id", "=", self.connection.id)], limit=1)
        plain = new_test_user(self.env, "health_plain", groups="base.group_user")
        with self.assertRaises(AccessError):
            row.with_user(plain).action_qbo_open_bindings()
        with self.assertRaises(AccessError):
            self.connection.with_user(plain).action_qbo_open_health()
