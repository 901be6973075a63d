"""The sync engine, shared part: runs, the connection lock, commits, the error matrix
(../shared/ARCHITECTURE.md §4), crons and buttons. Upload and download loops are in
``qbo_sync_push.py`` and ``qbo_sync_pull.py`` (docs/ENGINE.md §3)."""

import logging
import traceback
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import PREVIEW
from ..utils.qbo_client import QBOAuthError, QBOError, QBOThrottledError, QBOTransportError
from .qbo_adapter import adapter_classes
from .qbo_sync_mixin import PULL_CRON, PUSH_CRON

_logger = logging.getLogger(__name__)

# Minutes to wait before the n-th retry after a temporary failure (then the last one again).
BACKOFF_MINUTES = (1, 5, 15, 60, 240, 720)


class QBOStop(Exception):
    """The run cannot go on (authorisation lost, throttled, server unreachable): why, for the run."""


class SyncJob:
    """What one run carries along: the connection, its API client, its qbo.sync.run, counters,
    and the push's first-link index of QuickBooks objects (read once per run, docs/ENGINE.md §3)."""

    def __init__(self, connection, client, run, direction):
        self.connection = connection
        self.client = client
        self.run = run
        self.direction = direction
        self.counts = Counter()
        self.remote_index = {}
        self.replays = set()  # ids of the bindings whose create this run sent again (a lost reply)


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    qbo_pull_watermark = fields.Datetime(
        "Downloaded Up To", readonly=True, copy=False,
        help="QuickBooks' time of the last download: the next one asks for the changes since then.")
    qbo_run_ids = fields.One2many("qbo.sync.run", "connection_id", string="Sync Runs")

    def _qbo_adapters(self, direction=None):
        """The adapters (docs/ENGINE.md §1) of this connection, dependencies first: those whose
        direction uploads (``direction`` 'push') or downloads ('pull'), or all (None)."""
        self.ensure_one()
        ways = {"push": ("odoo_to_qbo", "both"), "pull": ("qbo_to_odoo", "both")}.get(direction)
        adapters = [cls(self) for cls in adapter_classes()]
        return [adapter for adapter in adapters if ways is None or adapter.direction() in ways]

    def _qbo_adapter(self, entity):
        """The adapter of ``entity`` for this connection."""
        return next(adapter for adapter in self._qbo_adapters() if adapter.entity == entity)

    @api.model
    def _qbo_cron(self, direction):
        return self.env.ref(PUSH_CRON if direction == "push" else PULL_CRON).sudo()

    # -----------------------------------------------------------------------------------------
    # Lock and commit
    # -----------------------------------------------------------------------------------------
    def _qbo_try_lock(self):
        """Lock the connection row for this transaction; False when another run holds it."""
        self.env.cr.execute("SELECT id FROM qbo_connection WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", [self.id])
        return bool(self.env.cr.fetchall())

    def _qbo_commits(self):
        """Whether a run commits as it goes: not in tests, not in a preview (rolled back)."""
        return self._qbo_can_commit() and not self.env.context.get(PREVIEW)

    def _qbo_commit(self, release=False):
        """Commit the work done so far (never in tests: ``_qbo_can_commit``) and lock the
        connection again, as a commit releases the lock. With ``release``, the ORM cache is
        emptied too (flushed first, also when nothing commits, so that tests run the same path):
        what a full import applied page after page is in the database and must not stay in
        memory, or a first download of 100,000 customers would hold them all.

        :raises QBOStop: when another run took the connection in between
        """
        if self._qbo_commits():
            self.env.cr.commit()  # pylint: disable=invalid-commit
            if not self._qbo_try_lock():
                raise QBOStop(self.env._("Another sync run took over this connection."))
        if release:
            self.env.invalidate_all()

    # -----------------------------------------------------------------------------------------
    # Runs
    # -----------------------------------------------------------------------------------------
    def _qbo_push(self, **kwargs):
        """Upload what Odoo changed, for each connection. Never raises."""
        for connection in self.filtered(lambda c: c.state == "connected"):
            connection._qbo_run("push", **kwargs)

    def _qbo_pull(self, **kwargs):
        """Download what QuickBooks changed, for each connection. Never raises."""
        for connection in self.filtered(lambda c: c.state == "connected"):
            connection._qbo_run("pull", **kwargs)

    def _qbo_run(self, direction, **kwargs):
        """One push or pull run of this connection, logged in a qbo.sync.run unless it did
        nothing: an upload with nothing pending does not even start, a download without change
        drops its row.

        The run row is committed before the work starts, so a crash (rolled back to the last
        commit; in tests, where nothing commits, to a savepoint before the work) leaves it,
        stopped with the traceback.

        :return: the run, or None when none started (no token, connection busy, nothing to
            upload) or it did nothing
        """
        self.ensure_one()
        connection = self.sudo()
        if not connection._qbo_adapters(direction):
            return None
        if direction == "push" and kwargs.get("bindings") is None and not connection._qbo_push_pending():
            # Checked before the token and the lock: an idle upload cron costs one COUNT query.
            return None
        try:
            client = connection._qbo_api_client()
        except (QBOError, UserError) as e:
            _logger.warning("QuickBooks %s for company %s not started: %s", direction, self.company_id.id, e)
            return None
        can_commit = self._qbo_commits()

        def lock():
            """Take (or keep) the connection row; False when another transaction holds it or
            wrote it after this transaction's snapshot (e.g. a token refresh committed since):
            this run must then not write it."""
            try:
                with self.env.cr.savepoint(flush=False):
                    return connection._qbo_try_lock()
            except pg_errors.SerializationFailure:
                return False

        def work():
            """The run itself; return why it stopped early (QBOStop), or None."""
            try:
                if can_commit:
                    self._qbo_commit()  # the run row: a crash rolls back to here at most
                getattr(connection, "_qbo_%s_run" % direction)(job, **kwargs)
            except QBOStop as e:
                return str(e)
            return None

        if can_commit:
            # A new snapshot, taken after the refresh the token may just have committed: an
            # older one could not lock the row that refresh wrote.
            self.env.cr.commit()  # pylint: disable=invalid-commit
        if not lock():
            # Another run (maybe the other direction) holds the connection: come back soon.
            self._qbo_cron(direction)._trigger(fields.Datetime.now() + timedelta(minutes=1))
            return None
        run = self.env["qbo.sync.run"].sudo().create({"connection_id": self.id, "direction": direction})
        job = SyncJob(connection, client, run, direction)
        try:
            if can_commit:
                stopped = work()
            else:
                with self.env.cr.savepoint():
                    stopped = work()
        except Exception:  # pylint: disable=broad-except
            # A cron never raises: Odoo would deactivate it after repeated failures. The
            # rollback first: the error may have aborted the transaction.
            failure = traceback.format_exc(limit=5)
            if can_commit:
                self.env.cr.rollback()
            _logger.exception("QuickBooks %s run of company %s failed", direction, self.company_id.id)
            run._qbo_end("stopped", failure)
        else:
            run._qbo_end("stopped" if stopped else "done", stopped or False)
        started, requests = run.started_at, job.client.requests_sent
        if run.state == "done" and not any(job.counts.values()) and not run.log_ids:
            # Nothing happened (a download without change): no row every few minutes.
            run.unlink()
            run = None
        else:
            run.write({"count_done": job.counts["done"], "count_error": job.counts["error"],
                       "count_conflict": job.counts["conflict"], "count_skipped": job.counts["skipped"]})
        if lock():
            connection.write({"last_%s_at" % direction: fields.Datetime.now()})
            connection._qbo_note_api_use(started, fields.Datetime.now(), requests)
        if can_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return run

    # -----------------------------------------------------------------------------------------
    # Requests and the error matrix
    # -----------------------------------------------------------------------------------------
    def _qbo_request(self, job, method, *args):
        """Return ``job.client.<method>(*args)``. A refused access token is refreshed once and
        the request retried; refused again, the connection needs re-authorisation.

        :raises QBOStop: authorisation lost, or throttled (the cron comes back in 60 s)
        :raises QBOError: any other failure, for the caller to classify per record
        """
        def call():
            result = getattr(job.client, method)(*args)
            # query_all pages lazily: read every page here, where its errors are classified.
            return list(result) if isinstance(result, Iterator) else result

        try:
            try:
                return call()
            except QBOAuthError:
                job.client.access_token = self._qbo_refresh_mid_run()
                return call()
        except QBOAuthError as e:
            if self.state == "connected":
                self._qbo_mark_needs_reauth(e)
            raise QBOStop(self.env._("QuickBooks refused the authorization: %s", e)) from e
        except QBOThrottledError as e:
            self._qbo_cron(job.direction)._trigger(fields.Datetime.now() + timedelta(seconds=e.retry_after))
            raise QBOStop(self.env._("QuickBooks asked to slow down (throttled): the run goes on in a minute.")) from e

    def _qbo_refresh_mid_run(self):
        """Refresh the access token QuickBooks refused in the middle of a run.

        The refresh writes the connection row from a transaction of its own, which the run's
        lock on that row would block: the run commits first (releasing it), then commits again
        after the refresh and locks again (a snapshot older than the new tokens could neither
        lock nor write the row).

        :raises QBOAuthError: QuickBooks refused the refresh (the connection needs re-authorisation)
        :raises QBOStop: no token could be had (QuickBooks unreachable, connection busy), or
            another run took the connection meanwhile
        """
        refused = self.sudo().access_token
        if self.env.context.get(PREVIEW):
            # A preview never commits (its work is rolled back): the refresh, which must, waits.
            raise QBOStop(self.env._("The access token expired during the preview: run it again."))
        if self._qbo_can_commit():
            self.env.cr.commit()  # pylint: disable=invalid-commit
        try:
            return self._qbo_refresh_tokens(force=True, refused=refused)
        except QBOAuthError:
            raise  # _qbo_request stops the run
        except (QBOError, UserError) as e:
            raise QBOStop(self.env._("The access token could not be refreshed: %s", e)) from e
        finally:
            self._qbo_commit()

    def _qbo_record_error(self, job, binding, error, record_name=None):
        """Put one binding in the state the error matrix gives ``error`` and log it: a temporary
        failure is retried later with backoff; anything else is an error a person must fix (a
        chatter note once per message)."""
        message = getattr(error, "message", None) or str(error)
        tid = getattr(error, "intuit_tid", None)
        if isinstance(error, QBOTransportError):
            count = binding.retry_count + 1
            delay = BACKOFF_MINUTES[min(count, len(BACKOFF_MINUTES)) - 1]
            binding.write({"retry_count": count, "last_error": message,
                           "next_retry_at": fields.Datetime.now() + timedelta(minutes=delay)})
            self._qbo_log(job, binding, "retry", message, intuit_tid=tid, record_name=record_name)
            return
        if isinstance(error, QBOError) and getattr(error, "detail", None) and error.detail not in message:
            message = "%s\n%s" % (message, error.detail)
        first_time = binding.last_error != message
        binding.write({"state": "error", "last_error": message, "next_retry_at": False})
        self._qbo_log(job, binding, "error", message, intuit_tid=tid, record_name=record_name)
        record = binding._qbo_record().exists()
        if first_time and record and hasattr(record, "message_post"):
            record.message_post(body=self.env._("QuickBooks Online sync failed: %s", message))

    def _qbo_log(self, job, binding, outcome, message=False, record_name=None, **values):
        """Add a sync log line for ``binding`` to the run and count it."""
        record_name = record_name or binding._qbo_record().exists().display_name or self._qbo_adapter(
            binding.qbo_entity).object_name(binding.qbo_payload)
        return self.env["qbo.sync.log"].sudo().create(
            self._qbo_log_values(job, binding, outcome, message, record_name, **values))

    def _qbo_check_synced(self, job, adapter, binding, record, data, answered=False):
        """After a write either way, the adapter compares both sides' figures (a document's
        totals): a difference is never accepted silently, the binding goes in error with both,
        unless Odoo has changed the record since (a replayed create's first answer): that
        version goes up next, and is compared then. ``answered``: ``data`` is QuickBooks' answer
        to what Odoo holds now: a difference is what QuickBooks did not take (sending it again
        would change nothing), an error at once."""
        if job.client.preview is not None and job.direction == "push":
            return  # a preview's answer is its own echo, not QuickBooks' figures
        message = adapter.check_synced(record, data)
        if message and (answered or not self._qbo_still_pending(adapter, binding, record)):
            binding.write({"state": "error", "last_error": message})
            self._qbo_log(job, binding, "error", message)

    def _qbo_log_values(self, job, binding, outcome, message, record_name, **values):
        """Count a log line in the run and return its values (one line, or one of a batch)."""
        job.counts["error" if outcome == "error" else
                   outcome if outcome in ("conflict", "skipped") else "done"] += 1
        return {
            "run_id": job.run.id, "connection_id": self.id, "binding_id": binding.id,
            "res_model": binding.res_model, "res_id": binding.res_id, "record_name": record_name,
            "qbo_entity": binding.qbo_entity, "qbo_id": binding.qbo_id, "direction": job.direction,
            "outcome": outcome, "message": message, **values,
        }

    # -----------------------------------------------------------------------------------------
    # Crons and buttons
    # -----------------------------------------------------------------------------------------
    @api.model
    def _cron_qbo_push(self):
        self.sudo().search([("state", "=", "connected")])._qbo_push()

    @api.model
    def _cron_qbo_pull(self):
        self.sudo().search([("state", "=", "connected")])._qbo_pull()

    def _qbo_check_connected(self):
        self.ensure_one()
        self.check_access("write")
        if self.state != "connected":
            raise UserError(self.env._("Connect to QuickBooks Online first."))

    def action_qbo_upload_all(self):
        """Flag every record in scope for upload (first-link matching avoids duplicates) and wake
        the upload cron. The context key ``qbo_entities`` (a list) limits it to those adapters
        ("Export all products")."""
        self._qbo_check_connected()
        # Checked above: a QuickBooks manager flags every entity's records, invoices and payments
        # included, whatever their accounting rights (nothing in Odoo changes).
        count = self.sudo()._qbo_flag_all(self.env.context.get("qbo_entities"))
        return self._qbo_notification(
            self.env._("%s records will be uploaded to QuickBooks in the background.", count), "info")

    def _qbo_flag_all(self, entities=None):
        """Flag every record each uploading adapter (of ``entities`` only, when given) takes on
        "Upload all"; return how many bindings were flagged."""
        count = 0
        for adapter in self._qbo_adapters("push"):
            if entities and adapter.entity not in entities:
                continue
            records = adapter.Model.with_context(active_test=False).search(adapter.upload_all_domain())
            count += len(adapter.flag(records.filtered(adapter.handles)))
        return count

    def action_qbo_download_all(self):
        """Forget the download watermark: the next download imports everything (matched to what
        Odoo has, so nothing is duplicated)."""
        self._qbo_check_connected()
        self.sudo().qbo_pull_watermark = False
        self._qbo_cron("pull")._trigger()
        return self._qbo_notification(
            self.env._("Everything will be downloaded from QuickBooks in the background."), "info")

    def action_qbo_sync_now(self):
        """Wake the upload and download crons: they run within seconds, each in its own
        transaction (nothing is sent from the request, which must not commit)."""
        self._qbo_check_connected()
        self._qbo_cron("push")._trigger()
        self._qbo_cron("pull")._trigger()
        return self._qbo_notification(self.env._(
            "Upload and download started in the background: the sync log shows their outcome."), "info")

    def _qbo_reset_sync_state(self):
        """Forget what was synced: links, watermark and last sync times; the connection stays."""
        result = super()._qbo_reset_sync_state()
        self.env["qbo.binding"].sudo().search([("connection_id", "in", self.ids)]).unlink()
        self.sudo().write({"qbo_pull_watermark": False})
        return result

    @api.model
    def _qbo_receive_webhook(self, events):
        """Note the merges of ``events`` (parsed webhook events), each one once however often
        Intuit (or anyone replaying a signed body) sends it, and wake the download cron for the
        realms connected here; other realms are ignored.

        :return: the connections concerned
        """
        realms = {event.realm_id for event in events}
        # A connection awaiting re-authorisation keeps its merges: its next download needs them.
        connections = self.sudo().search([("realm_id", "in", list(realms)),
                                          ("state", "in", ("connected", "needs_reauth"))])
        by_realm = {connection.realm_id: connection for connection in connections}
        merges = [{"connection_id": by_realm[e.realm_id].id, "qbo_entity": e.entity, "deleted_id": e.deleted_id,
                   "survivor_id": e.entity_id, "event_time": e.last_updated}
                  for e in events if e.realm_id in by_realm and e.operation == "Merge" and e.deleted_id]
        self.env["qbo.merge.event"].sudo()._qbo_store(merges)
        if connections.filtered(lambda c: c.state == "connected"):
            self._qbo_cron("pull")._trigger()
        return connections
