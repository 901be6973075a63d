"""A ParentRef cycle in QuickBooks' data (customers that are each other's parent, which its API
refuses but a company may hold): the download puts every customer of the loop in error with one
clear message, logged once, applies the rest of the reply and moves its watermark; once the loop
is fixed in QuickBooks, the next download syncs them again. The fake holds the loop through its
control call ``raw/Customer`` (docs/ENGINE.md §3)."""

from odoo.tests import TransactionCase, tagged

from .sync_common import SyncCaseMixin


@tagged("post_install", "-at_install")
class TestSyncParentCycle(SyncCaseMixin, TransactionCase):

    def customer(self, name, parent=None):
        values = {"DisplayName": name, "CompanyName": name}
        if parent:
            values.update(Job=True, ParentRef={"value": parent["Id"]})
        return self.control.user_write("Customer", values)

    def make_parent(self, customer, parent, level=1):
        """Write ``parent`` as ``customer``'s parent in QuickBooks' data, unchecked."""
        return self.control.raw_write("Customer", {"Id": customer["Id"], "Job": True, "Level": level,
                                                   "ParentRef": {"value": parent["Id"]}})

    def partner(self, customer):
        binding = self.Binding.search([("connection_id", "=", self.connection.id), ("qbo_id", "=", customer["Id"])])
        return self.Partner.with_context(active_test=False).browse(binding.res_id)

    def errors(self, *customers):
        return self.env["qbo.sync.log"].search([("qbo_id", "in", [c["Id"] for c in customers]),
                                                ("outcome", "=", "error")])

    def test_new_customers_in_a_cycle_are_created_in_error_the_rest_applies(self):
        alpha = self.customer("Alpha Loop")
        beta = self.customer("Beta Loop", alpha)
        under = self.customer("Under Alpha", alpha)  # below the loop, not in it
        plain = self.customer("Plain Customer")
        self.make_parent(alpha, beta, level=2)
        self.pull()
        message = ("QuickBooks Customer “Alpha Loop” (%s) and “Beta Loop” (%s) refer to each other as parent "
                   "(ParentRef cycle): fix it in QuickBooks." % (alpha["Id"], beta["Id"]))
        for customer in (alpha, beta):
            partner = self.partner(customer)
            self.assertTrue(partner, "%s has no record to show its error on" % customer["DisplayName"])
            self.assertFalse(partner.parent_id, "a member of the loop is created without its parent")
            self.assertEqual((self.binding(partner).state, self.binding(partner).last_error), ("error", message))
            self.assertEqual(partner.qbo_sync_state, "error")
        self.assertEqual(len(self.errors(alpha, beta)), 2)
        self.assertEqual(set(self.errors(alpha, beta).mapped("message")), {message})
        # The rest of the reply: the customer under the loop and an unrelated one, synced.
        self.assertEqual(self.partner(under).parent_id, self.partner(alpha))
        self.assertEqual(self.binding(self.partner(under)).state, "synced")
        self.assertEqual(self.binding(self.partner(plain)).state, "synced")
        self.assertTrue(self.connection.qbo_pull_watermark)
        # Again and again, nothing changed: no new line (the CDC overlap brings them back), and a
        # full import neither.
        watermark = self.connection.qbo_pull_watermark
        self.control.advance_clock(5)
        self.pull()
        self.assertGreater(self.connection.qbo_pull_watermark, watermark)
        self.connection.action_qbo_download_all()
        self.pull()
        self.assertEqual(len(self.errors(alpha, beta)), 2)
        self.assertEqual(self.binding(self.partner(beta)).last_error, message)

    def test_known_customers_put_in_a_cycle_then_fixed(self):
        alpha = self.customer("Alpha Known")
        beta = self.customer("Beta Known", alpha)
        self.pull()
        pa, pb = self.partner(alpha), self.partner(beta)
        self.assertEqual(pb.parent_id, pa)
        other = self.customer("Other Change")
        self.make_parent(alpha, beta, level=2)
        self.pull()
        for partner in (pa, pb):
            self.assertEqual(self.binding(partner).state, "error")
            self.assertIn("ParentRef cycle", self.binding(partner).last_error)
        self.assertFalse(pa.parent_id, "Odoo's records keep their places")
        self.assertEqual(pb.parent_id, pa)
        self.assertEqual(self.binding(self.partner(other)).state, "synced")
        self.assertEqual(len(self.errors(alpha, beta)), 2)
        self.pull()
        self.assertEqual(len(self.errors(alpha, beta)), 2, "logged again while nothing changed")
        # Fixed in QuickBooks on one side only (Alpha is top-level again): both are synced again,
        # Beta, which did not change, as it stands in QuickBooks.
        self.control.raw_write("Customer", {"Id": alpha["Id"], "Job": False, "ParentRef": None, "Level": 0,
                                            "Notes": "fixed"})
        self.pull()
        for partner in (pa, pb):
            self.assertEqual(self.binding(partner).state, "synced")
            self.assertFalse(self.binding(partner).last_error)
        self.assertEqual(pb.parent_id, pa)
        self.assertIn("fixed", pa.comment)
        self.assertEqual(len(self.errors(alpha, beta)), 2)

    def test_longer_loop_and_own_parent(self):
        one = self.customer("Loop One")
        two = self.customer("Loop Two", one)
        three = self.customer("Loop Three", two)
        alone = self.customer("Own Parent")
        self.make_parent(one, three, level=3)
        self.make_parent(alone, alone)
        self.pull()
        message = self.binding(self.partner(two)).last_error
        self.assertEqual(message, "QuickBooks Customer “Loop One” (%s), “Loop Two” (%s), and “Loop Three” (%s) "
                                  "refer to each other as parent (ParentRef cycle): fix it in QuickBooks."
                         % (one["Id"], two["Id"], three["Id"]))
        self.assertEqual({self.binding(self.partner(c)).last_error for c in (one, two, three)}, {message})
        self.assertEqual(self.binding(self.partner(alone)).last_error,
                         "QuickBooks Customer “Own Parent” (%s) is its own parent (ParentRef cycle): fix it in "
                         "QuickBooks." % alone["Id"])
        self.assertEqual(len(self.errors(one, two, three, alone)), 4)
