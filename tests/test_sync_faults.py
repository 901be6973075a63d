"""One test per fault QuickBooks (the local fake, over real HTTP) can throw at a sync run. Each
ends, after the following runs, with no duplicate on either side and no lost change; where a
create's reply is lost, the request log shows the same ``requestid`` sent again."""

import threading
import time
from unittest.mock import patch
from urllib.parse import parse_qs

from odoo import SUPERUSER_ID, api, fields
from odoo.addons.quickbooks_online import const
from odoo.addons.quickbooks_online.models.qbo_adapter_customer import CustomerAdapter
from odoo.modules.registry import Registry
from odoo.tests import TransactionCase, get_db_name, tagged
from odoo.tools import mute_logger

from .common import CLIENT_ID, CLIENT_SECRET, QBOFakeServerMixin, worker_registry_lock
from .sync_common import SyncCaseMixin

QUIET = ("odoo.addons.quickbooks_online.models.qbo_sync_engine",
         "odoo.addons.quickbooks_online.models.qbo_sync_push",
         "odoo.addons.quickbooks_online.models.qbo_connection",
         "odoo.addons.quickbooks_online.utils.qbo_client")
NAMES = ("Alpha Traders", "Bravo Supplies", "Charlie Logistics")


@tagged("post_install", "-at_install")
class TestSyncFaults(SyncCaseMixin, TransactionCase):

    def _batches(self, since):
        """Batch requests since ``since``, each with the ``requestid`` it was sent with (an
        injected fault answers before the fake reads it, so it is taken from the query string)."""
        return [dict(r, requestid=parse_qs(r["query"]).get("requestid", [None])[0])
                for r in self.api_log(since, "/batch")]

    def _fail_first_batch_then_recover(self, kind, **fault):
        """Three new partners; the first batch meets ``kind``; later runs converge. Returns the
        batch requests of the scenario (first the failed one)."""
        partners = self.make_partners(*NAMES)
        mark = self.log_mark()
        self.control.fault(kind, match="/batch", **fault)
        with mute_logger(*QUIET):
            self.push()
        self.assertFalse(self.binding(partners).filtered(lambda b: b.state == "synced"),
                         "nothing is synced while QuickBooks fails")
        self.make_retries_due()
        self.push()
        self.assert_converged(partners)
        batches = self._batches(mark)
        self.assertGreaterEqual(len(batches), 2)
        # The retry is the same request: QuickBooks recognises it instead of creating again.
        self.assertEqual(len({b["requestid"] for b in batches}), 1, batches)
        self.assertEqual(batches[-1]["status"], 200)
        return batches

    # -- transport and throttling --------------------------------------------------------------
    def test_429_throttled_stops_run_and_resumes(self):
        batches = self._fail_first_batch_then_recover("429")
        self.assertEqual(batches[0]["status"], 429)
        run = self.env["qbo.sync.run"].search([("direction", "=", "push")], order="id")[0]
        self.assertEqual(run.state, "stopped")
        self.assertIn("throttled", run.message)
        # The upload cron comes back after QuickBooks' minute.
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("quickbooks_online.ir_cron_qbo_push").id)], order="call_at desc", limit=1)
        self.assertGreater(trigger.call_at, fields.Datetime.now())

    def test_500_retried_with_backoff(self):
        batches = self._fail_first_batch_then_recover("500")
        self.assertEqual(batches[0]["status"], 500)
        self.assertTrue(self.env["qbo.sync.log"].search([("outcome", "=", "retry")]))

    def test_503_html_page_retried(self):
        batches = self._fail_first_batch_then_recover("503")
        self.assertEqual(batches[0]["status"], 503)

    def test_timeout_reply_lost_is_replayed_not_duplicated(self):
        # QuickBooks creates the customers but answers after the client gave up.
        mark = self.log_mark()
        partners = self.lose_the_batch_reply(NAMES)
        self.make_retries_due()
        self.push()
        self.assert_converged(partners)
        first, retry = self._batches(mark)
        self.assertEqual(first["requestid"], retry["requestid"])
        self.assertTrue(retry.get("replayed"), "QuickBooks answered the first reply again")

    def test_dropped_connection_retried_with_same_requestid(self):
        batches = self._fail_first_batch_then_recover("drop")
        self.assertEqual(batches[0]["injected"], "drop")

    # -- authorisation -------------------------------------------------------------------------
    def test_401_mid_run_refreshes_once_and_goes_on(self):
        partners = self.make_partners(*NAMES)
        mark = self.log_mark()
        # The matching query goes through, then the access token is refused on the batch.
        self.control.fault("401", match="/batch")
        with mute_logger(*QUIET):
            self.push()
        self.assertEqual(self.last_run().state, "done")
        self.assert_converged(partners)
        self.assertEqual(self.connection.state, "connected")
        refreshes = [r for r in self.control.requests(mark) if r["operation"] == "refresh_token"]
        self.assertEqual(len(refreshes), 1)
        first, retry = self._batches(mark)
        self.assertEqual((first["status"], retry["status"]), (401, 200))
        self.assertEqual(first["requestid"], retry["requestid"])

    def test_invalid_grant_needs_reauth_then_resumes(self):
        partners = self.make_partners(*NAMES)
        # The grant ends on Intuit's side: the access token is refused, the refresh too.
        self.control.expire_tokens("all")
        with mute_logger(*QUIET):
            self.push()
        self.assertEqual(self.last_run().state, "stopped")
        self.assertEqual(self.connection.state, "needs_reauth", self.last_run().message)
        self.assertEqual(self.qbo_customers_raw(), [])
        self.assertTrue(all(b.state == "to_push" for b in self.binding(partners)), "nothing lost")
        self.push()  # not connected: nothing runs, nothing breaks
        self._connect()
        self.push()
        self.assert_converged(partners)

    def qbo_customers_raw(self):
        """QuickBooks' customers, seen by QuickBooks itself (the connection has no token)."""
        return list(self.fake.state.companies[self.fake.realm_id].all("Customer"))

    # -- QuickBooks' own errors ----------------------------------------------------------------
    def test_5010_edited_in_quickbooks_between_read_and_write(self):
        partner = self.make_partners("Delta Foods")
        self.push()
        qbo_id = self.binding(partner).qbo_id
        # A QuickBooks user changes the phone; Odoo changes the e-mail, from the old version.
        self.control.user_write("Customer", {"Id": qbo_id, "PrimaryPhone": {"FreeFormNumber": "555-0142"}})
        partner.email = "orders@delta.example.com"
        mark = self.log_mark()
        self.push()
        updates = [r for r in self.api_log(mark, "/customer") if r["method"] == "POST"]
        self.assertEqual([r["status"] for r in updates], [400, 200], "stale, then re-applied once")
        self.pull()
        customer = self.assert_converged(partner)[partner]
        self.assertEqual(customer["PrimaryPhone"]["FreeFormNumber"], "555-0142")
        self.assertEqual(partner.phone, "555-0142", "QuickBooks' change reached Odoo")
        self.assertEqual(partner.email, "orders@delta.example.com")

    def test_6240_name_taken_by_a_vendor(self):
        self.control.user_write("Vendor", {"DisplayName": "Echo Partners"})
        partners = self.make_partners("Echo Partners", *NAMES)
        self.push()
        found = self.assert_converged(partners)
        customer = found[partners[0]]
        self.assertEqual(customer["DisplayName"], "Echo Partners (2)")
        self.assertEqual(customer["CompanyName"], "Echo Partners")
        vendors = self.connection._qbo_api_client().query("SELECT * FROM Vendor WHERE DisplayName = 'Echo Partners'")
        self.assertEqual(len(vendors), 1, "the vendor is untouched")
        self.pull()
        self.assertEqual(partners[0].name, "Echo Partners", "the suffix never comes back to Odoo")
        mark = self.log_mark()
        self.push()
        self.assertEqual(self.api_log(mark), [], "nothing left to upload")

    def test_one_failing_item_in_a_batch(self):
        # Individuals' contacts are sub-customers; one parent is then made inactive in QuickBooks.
        self.connection.contacts_as_sub_customers = True
        open_parent, closed_parent = self.Partner.create([
            {"name": "Fiona Open", "email": "fiona@example.com"},
            {"name": "Gus Closed", "email": "gus@example.com"}])
        self.push()
        self.control.user_write("Customer", {"Id": self.binding(closed_parent).qbo_id, "Active": False})
        kids = self.Partner.create([
            {"name": "Hana Kid", "email": "hana@example.com", "parent_id": open_parent.id, "type": "contact"},
            {"name": "Ivo Kid", "email": "ivo@example.com", "parent_id": closed_parent.id, "type": "contact"}])
        mark = self.log_mark()
        with mute_logger(*QUIET):
            self.push()
        batch = self._batches(mark)
        self.assertEqual([b["batch_items"] for b in batch], [2], "both contacts in one batch")
        self.assertEqual(self.binding(kids[0]).state, "synced")
        failed = self.binding(kids[1])
        self.assertEqual(failed.state, "error")
        self.assertFalse(failed.qbo_id)
        self.assertIn("inactive", failed.last_error.lower(), "QuickBooks' own message")
        log = self.env["qbo.sync.log"].search([("binding_id", "=", failed.id), ("outcome", "=", "error")])
        self.assertTrue(log.intuit_tid)
        self.push()
        self.assertEqual(failed.state, "error", "not retried until someone edits it")
        # The user moves the contact to the open customer: it goes up.
        kids[1].parent_id = open_parent
        self.push()
        found = self.assert_converged(kids)
        self.assertEqual(found[kids[1]]["ParentRef"]["value"], self.binding(open_parent).qbo_id)

    # -- our own failures and concurrency ------------------------------------------------------
    def test_exception_halfway_rolls_back_that_record_only(self):
        partners = self.make_partners(*NAMES, "Kilo Bombs")
        bomb = partners[-1]
        local_values = CustomerAdapter.local_values

        def exploding(adapter, record):
            if record == bomb:
                record.sudo().ref = "half-written"
                raise RuntimeError("adapter bug")
            return local_values(adapter, record)

        with patch.object(CustomerAdapter, "local_values", exploding), mute_logger(*QUIET):
            self.env["qbo.connection"]._cron_qbo_push()  # does not raise
        self.assertEqual(self.last_run().state, "done")
        self.assertFalse(bomb.ref, "the failed record's savepoint was rolled back")
        self.assertEqual(self.binding(bomb).state, "error")
        self.assertIn("adapter bug", self.binding(bomb).last_error)
        self.assert_converged(partners[:-1])
        # Fixed code, and a person asks to retry from the log.
        self.env["qbo.sync.log"].search([("binding_id", "=", self.binding(bomb).id)]).action_retry()
        self.push()
        self.assert_converged(partners)


@tagged("post_install", "-at_install")
class TestTwoCronsAtOnce(QBOFakeServerMixin, TransactionCase):
    """Two upload crons on two cursors (two workers): one uploads, the other sees the row lock
    and returns. The workers need committed data, so this runs on a company of its own,
    committed, and removed afterwards."""

    @classmethod
    def setUpClass(cls):
        # Committed before the test transaction reads (and so row-locks) these parameters.
        with Registry(get_db_name()).cursor() as cr:
            params = api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
            params.set_param(const.PARAM_CLIENT_ID, CLIENT_ID)
            params.set_param(const.PARAM_CLIENT_SECRET, CLIENT_SECRET)
        cls.addClassCleanup(cls._drop_params)
        super().setUpClass()
        cls.startClassPatcher(worker_registry_lock())

    @classmethod
    def _drop_params(cls):
        with Registry(get_db_name()).cursor() as cr:
            params = api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"]
            params.set_param(const.PARAM_CLIENT_ID, False)
            params.set_param(const.PARAM_CLIENT_SECRET, False)

    def _worker_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _setup_committed_company(self):
        realm = self.control.add_company(name="Race Co")
        self.control.consent("approve", realm=realm)
        with self.registry.cursor() as cr:
            env = self._worker_env(cr)
            company = env["res.company"].create({"name": "Race Co"})
            connection = env["qbo.connection"].create(
                {"company_id": company.id, "environment": "custom", "custom_base_url": self.fake.url})
            params = self._authorize(connection)
            connection._qbo_oauth_complete(params["code"], params["realmId"])
            partners = env["res.partner"].create([
                {"name": name, "email": f"{name.split()[0].lower()}@race.example.com", "is_company": True,
                 "company_id": company.id} for name in NAMES])
            ids = (company.id, connection.id, partners.ids)
        self.addCleanup(self._drop_committed, *ids)
        return realm, ids

    def _drop_committed(self, company_id, connection_id, partner_ids):
        with self.registry.cursor() as cr:
            env = self._worker_env(cr)
            connection = env["qbo.connection"].browse(connection_id)
            connection.write({"state": "disconnected", "access_token": False, "refresh_token": False})
            connection.unlink()  # bindings, runs and logs cascade
            env["res.partner"].browse(partner_ids).unlink()
            env["ir.cron.trigger"].search([("cron_id.model_id.model", "=", "qbo.connection")]).unlink()
            env["res.company"].browse(company_id).unlink()

    def _cron(self, results, name):
        with self.registry.cursor() as cr:
            env = self._worker_env(cr)
            env["qbo.connection"]._cron_qbo_push()
            results[name] = env["qbo.sync.run"].search_count([("direction", "=", "push")])

    def test_two_crons_at_once(self):
        realm, (_company_id, connection_id, partner_ids) = self._setup_committed_company()
        mark = self.control.requests(0)[-1]["seq"]
        # The first worker holds the connection while QuickBooks answers slowly.
        self.control.fault("slow", match="/batch", delay=1.5)
        results = {}
        first = threading.Thread(target=self._cron, args=(results, "first"))
        first.start()
        deadline = time.monotonic() + 10
        while not any("/batch" in r["path"] for r in self.control.requests(mark)) and time.monotonic() < deadline:
            time.sleep(0.05)
        self._cron(results, "second")  # meanwhile, the second worker
        first.join(30)
        self.assertEqual(results["second"], 0, "the second worker saw the lock and started no run")
        self.assertEqual(results["first"], 1)
        batches = [r for r in self.control.requests(mark) if "/batch" in r["path"]]
        self.assertEqual(len(batches), 1)
        # Both again, truly at once: nothing is uploaded twice.
        threads = [threading.Thread(target=self._cron, args=(results, n)) for n in ("third", "fourth")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        customers = list(self.fake.state.companies[realm].all("Customer"))
        self.assertEqual(sorted(c["DisplayName"] for c in customers), sorted(NAMES))
        with self.registry.cursor() as cr:
            bindings = self._worker_env(cr)["qbo.binding"].search([("connection_id", "=", connection_id)])
            self.assertEqual(sorted(bindings.mapped("res_id")), sorted(partner_ids))
            self.assertEqual(set(bindings.mapped("state")), {"synced"})
            self.assertEqual(len(set(bindings.mapped("qbo_id"))), 3)
