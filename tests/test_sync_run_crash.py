"""A run that crashes (a programming error, injected by patching an adapter method) leaves its
run row, stopped with the traceback, and nothing of its unfinished work: in tests, where nothing
commits, through the savepoint around the work; in production, through the commit of the run
row before the work (checked on committed data, as in test_token_workers)."""

from unittest.mock import patch

from odoo.addons.quickbooks_online.models.qbo_adapter_customer import CustomerAdapter
from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tools import mute_logger

from .sync_common import SyncCaseMixin
from .test_token_workers import CommittedWorkersMixin

QUIET = ("odoo.addons.quickbooks_online.models.qbo_sync_engine",)


def crash_after(method, write=None):
    """A replacement of the adapter method ``method`` that does part of its work (``write``,
    called with the records) and then fails as a bug would."""
    def exploding(records, *args, **kwargs):
        if write:
            write(records)
        raise RuntimeError("injected crash in %s" % method)
    return exploding


@tagged("post_install", "-at_install")
class TestSyncRunCrash(SyncCaseMixin, TransactionCase):

    def assert_crashed(self, run, method):
        self.assertTrue(run, "the run row survives the crash")
        self.assertEqual(run.state, "stopped")
        self.assertTrue(run.ended_at)
        self.assertIn("Traceback", run.message)
        self.assertIn("injected crash in %s" % method, run.message)

    def test_push_crash_leaves_the_run_stopped_with_the_traceback(self):
        partners = self.make_partners("Crash One", "Crash Two")
        Partner = type(self.Partner)
        half_done = crash_after("_qbo_in_scope", lambda records: records.sudo().write({"ref": "half-written"}))
        with patch.object(Partner, "_qbo_in_scope", half_done), mute_logger(*QUIET):
            self.push()  # a cron never raises
        self.assert_crashed(self.last_run(), "_qbo_in_scope")
        self.assertEqual(partners.mapped("ref"), [False, False], "the crashed work is rolled back")
        self.assertEqual(self.binding(partners).mapped("state"), ["to_push"] * 2, "nothing is lost")
        self.assertEqual(self.qbo_customers(), [])
        self.assertTrue(self.connection.last_push_at)
        # The bug fixed, the next run uploads everything.
        self.push()
        self.assertEqual(self.last_run().state, "done")
        self.assert_converged(partners)

    def test_pull_crash_leaves_the_run_stopped_with_the_traceback(self):
        self.control.user_write("Customer", {"DisplayName": "Crash Pulled"})
        with patch.object(CustomerAdapter, "parent_reference", crash_after("parent_reference")), \
                mute_logger(*QUIET):
            self.pull()
        self.assert_crashed(self.last_run("pull"), "parent_reference")
        self.assertFalse(self.connection.qbo_pull_watermark, "the watermark waits")
        self.assertFalse(self.Partner.search([("name", "=", "Crash Pulled")]))
        self.pull()
        self.assertEqual(self.last_run("pull").state, "done")
        self.assertEqual(len(self.Partner.search([("name", "=", "Crash Pulled")])), 1)


@tagged("post_install", "-at_install")
class TestCommittedRunCrash(CommittedWorkersMixin, BaseCase):
    """As in production: the crash rolls the transaction back, to the commit of the run row."""

    def test_crash_before_the_first_commit_keeps_the_run_row(self):
        self.control.user_write("Customer", {"DisplayName": "Crash Pulled"})
        with self.worker() as env, mute_logger(*QUIET), \
                patch.object(CustomerAdapter, "parent_reference", crash_after("parent_reference")):
            run_id = self.connection_of(env)._qbo_run("pull").id
        with self.worker() as env:
            run = env["qbo.sync.run"].browse(run_id).exists()
            self.assertTrue(run, "the run row survives the crash")
            self.assertEqual((run.state, run.direction), ("stopped", "pull"))
            self.assertIn("injected crash in parent_reference", run.message)
            connection = self.connection_of(env)
            self.assertTrue(connection.last_pull_at)
            self.assertFalse(connection.qbo_pull_watermark)
            self.assertFalse(env["res.partner"].search([("name", "=", "Crash Pulled")]))
            self.assertEqual(connection._qbo_try_lock(), True, "the crashed run released the connection")
