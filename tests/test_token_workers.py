"""Token refreshes across workers: the rotated refresh token is never lost, whichever worker or
transaction refreshes, and two workers refreshing at once refresh once.

A refresh commits in a transaction of its own, which Odoo's test cursor cannot do: these tests
run as production does, on committed data. A company and its connection (connected to the
fake QuickBooks through the real OAuth exchange) are committed in the test database for each
test and removed afterwards; each worker is a cursor of its own (a thread when two must run at
once), and ``_qbo_can_commit`` is true. BaseCase, not TransactionCase: no test transaction is
open meanwhile, so nothing of the test framework holds a lock the workers would wait for."""

import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, fields
from odoo.addons.quickbooks_online import const
from odoo.addons.quickbooks_online.models import qbo_connection as qbo_connection_module
from odoo.addons.quickbooks_online.utils.qbo_client import QBOAuthError, QBOTransportError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from .common import CLIENT_ID, CLIENT_SECRET, QBOFakeServerMixin, worker_registry_lock

QUIET = ("odoo.addons.quickbooks_online.models.qbo_connection",)


class CommittedWorkersMixin(QBOFakeServerMixin):
    """A committed company connected to the fake QuickBooks (``self.connection_id``), workers
    with cursors of their own that commit (``worker()``, ``in_parallel()``), and what the fake
    saw (``refreshes()``). Use with BaseCase."""

    @classmethod
    def setUpClass(cls):
        # The fake server only: QBOFakeServerMixin's own set-up needs a test transaction.
        super(QBOFakeServerMixin, cls).setUpClass()
        cls.registry = Registry(get_db_name())
        cls.startClassPatcher(patch.object(
            cls.registry["qbo.connection"], "_qbo_can_commit", staticmethod(lambda: True)))
        cls.startClassPatcher(worker_registry_lock())

    def setUp(self):
        super().setUp()
        with self.worker() as env:
            params = env["ir.config_parameter"]
            saved = {key: params.get_param(key) for key in (const.PARAM_CLIENT_ID, const.PARAM_CLIENT_SECRET)}
            params.set_param(const.PARAM_CLIENT_ID, CLIENT_ID)
            params.set_param(const.PARAM_CLIENT_SECRET, CLIENT_SECRET)
            company = env["res.company"].create({"name": "Token Workers Co"})
            connection = env["qbo.connection"].create(
                {"company_id": company.id, "environment": "custom", "custom_base_url": self.fake.url})
            self.company_id, self.connection_id = company.id, connection.id
        self.addCleanup(self._drop_committed, saved)
        with self.worker() as env:
            self._connect(self.connection_of(env))
            self.first_refresh_token = self.connection_of(env).refresh_token

    def _drop_committed(self, saved_params):
        with self.worker() as env:
            connection = self.connection_of(env).exists()
            partners = env["res.partner"].browse(env["qbo.binding"].search(
                [("connection_id", "=", connection.id), ("res_model", "=", "res.partner")]).mapped("res_id"))
            connection.write({"state": "disconnected", "access_token": False, "refresh_token": False})
            connection.unlink()  # bindings, runs and logs cascade
            partners.exists().unlink()
            env["ir.cron.trigger"].search([("cron_id.model_id.model", "=", "qbo.connection")]).unlink()
            company = env["res.company"].browse(self.company_id)
            company_partner = company.partner_id
            company.unlink()
            company_partner.unlink()
            for key, value in saved_params.items():
                env["ir.config_parameter"].set_param(key, value or False)

    # -- workers -------------------------------------------------------------------------------
    @contextmanager
    def worker(self):
        """A worker's transaction: a cursor of its own, committed at the end unless it raises."""
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def connection_of(self, env):
        return env["qbo.connection"].browse(self.connection_id)

    def in_parallel(self, *tasks):
        """Run each ``task(barrier)`` in a thread of its own (they meet at ``barrier.wait()``)
        and return their results; the first exception of a task is raised here."""
        barrier = threading.Barrier(len(tasks), timeout=30)
        results = [None] * len(tasks)

        def run(index, task):
            threading.current_thread().testing = True  # as the main thread: no real e-mail
            try:
                results[index] = task(barrier)
            except BaseException as e:  # noqa: BLE001 -- handed to the main thread
                results[index] = e
                barrier.abort()

        threads = [threading.Thread(target=run, args=(i, task)) for i, task in enumerate(tasks)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a worker is stuck")
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return results

    # -- the QuickBooks side -------------------------------------------------------------------
    def log_mark(self):
        rows = self.control.requests(0)
        return rows[-1]["seq"] if rows else 0

    def refreshes(self, since):
        """The refresh requests the fake received since ``since``."""
        return [r for r in self.control.requests(since) if r["operation"] == "refresh_token"]

    def assert_tokens_live(self, access_token, superseded=None):
        """The stored access token is ``access_token`` and works, ``superseded`` (a refresh
        token) is refused, and the stored refresh token is the live one: a third refresh
        succeeds and rotates it."""
        with self.worker() as env:
            connection = self.connection_of(env)
            self.assertEqual(connection.state, "connected")
            self.assertEqual(connection.access_token, access_token)
            self.assertTrue(connection._qbo_client(access_token=access_token).company_info()["name"])
            stored = connection.refresh_token
            if superseded:
                self.assertNotEqual(stored, superseded)
                with self.assertRaises(QBOAuthError):
                    connection._qbo_client().refresh(superseded)
        mark = self.log_mark()
        with self.worker() as env:
            connection = self.connection_of(env)
            third = connection._qbo_refresh_tokens(force=True)
            self.assertEqual(connection.state, "connected")
        self.assertEqual([r["status"] for r in self.refreshes(mark)], [200])
        with self.worker() as env:
            self.assertEqual(self.connection_of(env).access_token, third)
            self.assertNotEqual(self.connection_of(env).refresh_token, stored)


@tagged("post_install", "-at_install")
class TestTokenWorkers(CommittedWorkersMixin, BaseCase):

    def _refresh(self, force=True, rollback=False):
        """A worker's task: read the tokens (its snapshot predates any refresh), meet the other
        worker, then refresh (``force``: QuickBooks refused its access token) or just ask for a
        valid token, and roll back its own work when asked.

        :return: (the access token it started with, the one it got)
        """
        def task(barrier):
            with self.worker() as env:
                connection = self.connection_of(env)
                before = connection.access_token
                barrier.wait()
                token = connection._qbo_refresh_tokens(force=True) if force else connection._qbo_access_token()
                if rollback:
                    env.cr.rollback()
                return before, token
        return task

    def test_two_workers_refresh_at_once(self):
        """Both got a 401 and refresh at the same moment: one refreshes, the other waits for it
        and takes its token (a second refresh would only rotate again)."""
        mark = self.log_mark()
        (before_a, token_a), (before_b, token_b) = self.in_parallel(self._refresh(), self._refresh())
        self.assertEqual(before_a, before_b)
        self.assertNotEqual(token_a, before_a)
        self.assertEqual(token_a, token_b, "both workers end with the same new access token")
        self.assertEqual(len(self.refreshes(mark)), 1)
        self.assert_tokens_live(token_a, self.first_refresh_token)

    def test_two_workers_find_the_access_token_expiring(self):
        with self.worker() as env:
            self.connection_of(env).access_token_expires_at = fields.Datetime.now() + timedelta(minutes=1)
        mark = self.log_mark()
        (before_a, token_a), (_before_b, token_b) = self.in_parallel(
            self._refresh(force=False), self._refresh(force=False))
        self.assertNotEqual(token_a, before_a)
        self.assertEqual(token_a, token_b)
        self.assertEqual(len(self.refreshes(mark)), 1)
        self.assert_tokens_live(token_a, self.first_refresh_token)

    def test_a_worker_rolls_back_after_refreshing(self):
        """The rotated refresh token was committed on its own: a rollback of the worker's work
        does not lose it, whichever of the two refreshed."""
        (_before_a, token_a), (_before_b, token_b) = self.in_parallel(
            self._refresh(rollback=True), self._refresh())
        self.assertEqual(token_a, token_b)
        self.assert_tokens_live(token_a, self.first_refresh_token)
        # Alone, too: refresh, then the worker's transaction is rolled back.
        with self.worker() as env:
            before = self.connection_of(env).refresh_token
            token = self.connection_of(env)._qbo_refresh_tokens(force=True)
            env.cr.rollback()
        self.assert_tokens_live(token, before)

    def test_refresh_waits_for_the_run_holding_the_connection(self):
        """Another worker's sync run holds the connection row between two commits: the refresh
        waits for it, then writes the row."""
        def run(barrier):
            with self.worker() as env:
                self.assertTrue(self.connection_of(env)._qbo_try_lock())
                barrier.wait()
                time.sleep(0.5)  # a request to QuickBooks, then the run commits
        mark = self.log_mark()
        _none, (_before, token) = self.in_parallel(run, self._refresh())
        self.assertEqual(len(self.refreshes(mark)), 1)
        self.assert_tokens_live(token, self.first_refresh_token)

    def test_refresh_never_happens_where_it_could_be_lost(self):
        """The caller's own transaction holds the connection row (the old code then refreshed in
        that transaction, and its rollback lost the rotated token): QuickBooks is not asked, the
        caller gets a temporary error, the stored tokens stay the live ones."""
        mark = self.log_mark()
        with self.worker() as env, patch.object(qbo_connection_module, "_REFRESH_ROW_LOCK_TIMEOUT", "300ms"):
            connection = self.connection_of(env)
            self.assertTrue(connection._qbo_try_lock())
            access_token = connection.access_token
            with self.assertRaises(QBOTransportError), mute_logger(*QUIET, "odoo.sql_db"):  # the lock timeout
                connection._qbo_refresh_tokens(force=True)
            env.cr.rollback()
        self.assertEqual(self.refreshes(mark), [])
        with self.worker() as env:
            self.assertEqual(self.connection_of(env).refresh_token, self.first_refresh_token)
        self.assert_tokens_live(access_token)

    def test_mid_run_refresh_while_another_worker_refreshes(self):
        """A run holding the connection gets a 401 while another worker refreshes: one refresh,
        and the run ends up holding the connection again, able to write it."""
        def run(barrier):
            with self.worker() as env:
                connection = self.connection_of(env)
                self.assertTrue(connection._qbo_try_lock())
                before = connection.access_token
                barrier.wait()
                time.sleep(0.3)  # the other worker is waiting for the row
                token = connection._qbo_refresh_mid_run()
                with self.worker() as other:
                    self.assertFalse(self.connection_of(other)._qbo_try_lock(), "the run holds the connection")
                connection.last_push_at = fields.Datetime.now()
                env.flush_all()  # a snapshot older than the new tokens could not write the row
                return before, token
        mark = self.log_mark()
        (before, token_run), (_before, token_other) = self.in_parallel(run, self._refresh())
        self.assertNotEqual(token_run, before)
        self.assertEqual(token_run, token_other)
        self.assertEqual(len(self.refreshes(mark)), 1)
        self.assert_tokens_live(token_run, self.first_refresh_token)

    def test_run_starts_after_a_refresh_committed_elsewhere(self):
        """The run's transaction began before another worker refreshed: it takes the token that
        worker got (no second refresh) and still locks the row that worker wrote."""
        with self.worker() as env:
            self.connection_of(env).access_token_expires_at = fields.Datetime.now() + timedelta(minutes=1)
        seen = []

        def pull_run(connection, job, **kwargs):
            with self.worker() as other:
                seen.append((job.client.access_token, self.connection_of(other)._qbo_try_lock()))

        mark = self.log_mark()
        with self.worker() as env, patch.object(self.registry["qbo.connection"], "_qbo_pull_run", pull_run):
            connection = self.connection_of(env)
            self.assertTrue(connection.access_token)  # the run's snapshot: the old tokens
            with self.worker() as other:
                token = self.connection_of(other)._qbo_refresh_tokens(force=True)
            connection._qbo_run("pull")
        self.assertEqual(seen, [(token, False)], "the run had the new token and held the connection")
        self.assertEqual(len(self.refreshes(mark)), 1)
        self.assert_tokens_live(token, self.first_refresh_token)
