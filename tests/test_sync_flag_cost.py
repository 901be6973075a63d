"""Flagging a contact for upload costs the same whatever the number of its siblings: a company
with thousands of sub-customers must not make every edit of one of its contacts read them all."""

from unittest.mock import patch

from odoo.models import BaseModel
from odoo.tests import TransactionCase, tagged

from .sync_common import SyncCaseMixin

SMALL_PREFETCH = 20


@tagged("post_install", "-at_install")
class TestSyncFlagCost(SyncCaseMixin, TransactionCase):

    def _family(self, siblings):
        """A synced company with its primary contact (oldest, not linked) and ``siblings`` synced
        sub-customers, set up directly (no upload): return (company, primary contact, sub-customers)."""
        Quiet = self.Partner.with_context(qbo_no_push=True, tracking_disable=True)
        company = Quiet.create({"name": "Company of %s" % siblings, "is_company": True,
                                "email": "company%s@example.com" % siblings})
        primary = Quiet.create({"name": "Primary of %s" % siblings, "parent_id": company.id})
        subs = Quiet.create([{"name": "Site %s of %s" % (i, siblings), "parent_id": company.id,
                              "email": "site%s.%s@example.com" % (i, siblings)} for i in range(siblings)])
        self.Binding.create([{"connection_id": self.connection.id, "res_model": "res.partner", "res_id": partner.id,
                              "qbo_entity": "Customer", "qbo_id": "F%s" % partner.id, "state": "synced"}
                             for partner in company | subs])
        self.env.flush_all()
        # Without the context above: these edits flag.
        return self.Partner.browse(company.id), self.Partner.browse(primary.id), self.Partner.browse(subs.ids)

    def _queries(self, partner, phone):
        """SQL queries of writing a synced field on ``partner`` (cold cache), flagging included.
        The ORM reads at most 20 records per query here (1,000 normally): reading the siblings
        would show in the count from a few dozens of them on, not only from thousands."""
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        # The batch size of the ORM's reads is the default of _in_cache_without's limit.
        with patch.object(BaseModel._in_cache_without, "__defaults__", (SMALL_PREFETCH,)):
            partner.phone = phone
            self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _costs(self, siblings):
        company, primary, subs = self._family(siblings)
        self._queries(subs[0], "0")  # the first edit creates what every later one reuses (cron trigger…)
        costs = (self._queries(subs[siblings // 2], "+1 555 0100"), self._queries(primary, "+1 555 0101"))
        far = subs[-SMALL_PREFETCH:] - subs[siblings // 2]
        self.assertFalse([sub for sub in far if self.env.cache.contains(sub, self.Partner._fields["type"])],
                         "the siblings were read")
        self.assertEqual(self.binding(subs[siblings // 2]).state, "to_push")
        self.assertEqual(self.binding(company).state, "to_push", "a primary contact's edit flags its company")
        self.assertFalse(self.binding(primary), "the primary contact is not a Customer of its own")
        return costs

    def test_flag_cost_does_not_grow_with_siblings(self):
        few_sub, few_primary = self._costs(10)
        many_sub, many_primary = self._costs(200)
        self.assertEqual(many_sub, few_sub, "editing a sub-customer reads its siblings")
        self.assertEqual(many_primary, few_primary, "editing a primary contact reads its siblings")

    def test_roles_among_many_siblings(self):
        company, primary, subs = self._family(30)
        roles = (company | primary | subs)._qbo_roles()
        self.assertEqual(roles[company.id], "customer")
        self.assertEqual(roles[primary.id], "primary_contact")
        self.assertEqual({roles[sub.id] for sub in subs}, {"sub_customer"})
        # The oldest unlinked contact is the primary one; archived, the next unlinked one is.
        later = self.Partner.with_context(qbo_no_push=True).create({"name": "Later contact", "parent_id": company.id})
        self.assertEqual(company._qbo_primary_contact(), primary)
        primary.active = False
        self.assertEqual(company._qbo_primary_contact(), later)
        self.assertEqual(later._qbo_role(), "primary_contact")
        # Delivery addresses: the first one in the partners' order is the ShipAddr, the others are not synced.
        ship_b = self.Partner.create({"name": "B depot", "parent_id": company.id, "type": "delivery"})
        ship_a = self.Partner.create({"name": "A depot", "parent_id": company.id, "type": "delivery"})
        self.assertEqual(company._qbo_delivery_address(), ship_a)
        self.assertEqual((ship_a | ship_b)._qbo_roles(), {ship_a.id: "delivery", ship_b.id: "none"})
