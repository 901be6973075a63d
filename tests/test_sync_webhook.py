"""The webhook route over HTTP: signature, payload shapes, realms, merges, the pull cron."""

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta

from psycopg2 import IntegrityError

from odoo.addons.quickbooks_online import const
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .sync_common import SyncCaseMixin

VERIFIER = "test-verifier-token"


@tagged("post_install", "-at_install")
class TestSyncWebhook(SyncCaseMixin, HttpCase):

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(const.PARAM_VERIFIER_TOKEN, VERIFIER)
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.pull_cron.id)]).unlink()

    def _post(self, payload, signature=None, sign=True):
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if sign:
            headers["intuit-signature"] = signature or base64.b64encode(
                hmac.new(VERIFIER.encode(), body, hashlib.sha256).digest()).decode()
        return self.url_open(const.ROUTE_WEBHOOK, data=body, headers=headers)

    def _legacy(self, realm, operation="Update", entity_id="1", deleted_id=None, time="2025-01-01T10:00:00-07:00"):
        entity = {"name": "Customer", "id": entity_id, "operation": operation, "lastUpdated": time}
        if deleted_id:
            entity["deletedId"] = deleted_id
        return {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": [entity]}}]}

    def _pull_triggered(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.pull_cron.id)])

    def test_good_signature_acknowledged_and_pull_triggered(self):
        reply = self._post(self._legacy(self.connection.realm_id))
        self.assertEqual(reply.status_code, 200)
        self.assertEqual(self._pull_triggered(), 1)

    def test_bad_or_missing_signature_refused(self):
        payload = self._legacy(self.connection.realm_id)
        self.assertEqual(self._post(payload, signature=base64.b64encode(b"x" * 32).decode()).status_code, 401)
        self.assertEqual(self._post(payload, sign=False).status_code, 401)
        self.assertEqual(self._pull_triggered(), 0)

    def test_unknown_realm_ignored(self):
        reply = self._post(self._legacy("999999"))
        self.assertEqual(reply.status_code, 200)
        self.assertEqual(self._pull_triggered(), 0)

    def test_cloudevents_merge_stored(self):
        payload = [{"specversion": "1.0", "id": "e1", "source": "intuit.qbo", "type": "qbo.customer.merged.v1",
                    "time": "2025-01-01T10:00:00Z", "intuitentityid": "7",
                    "intuitaccountid": self.connection.realm_id, "data": {"deletedid": "5"}}]
        self.assertEqual(self._post(payload).status_code, 200)
        merge = self.env["qbo.merge.event"].search([("connection_id", "=", self.connection.id)])
        self.assertEqual((merge.deleted_id, merge.survivor_id), ("5", "7"))
        self.assertEqual(self._pull_triggered(), 1)

    def test_legacy_merge_stored(self):
        self._post(self._legacy(self.connection.realm_id, "Merge", "8", deleted_id="3"))
        merge = self.env["qbo.merge.event"].search([("connection_id", "=", self.connection.id)])
        self.assertEqual((merge.deleted_id, merge.survivor_id), ("3", "8"))

    def _merges(self):
        return self.env["qbo.merge.event"].search([("connection_id", "=", self.connection.id)])

    def test_replayed_merge_stored_once(self):
        payload = self._legacy(self.connection.realm_id, "Merge", "8", deleted_id="3")
        for _attempt in range(3):
            self.assertEqual(self._post(payload).status_code, 200)
        merge = self._merges()
        self.assertEqual(len(merge), 1)
        self.assertEqual(merge.event_time, datetime(2025, 1, 1, 17, 0))
        # The same event in the other shape (same instant, another spelling of it) is the same event.
        cloud = [{"specversion": "1.0", "id": "e9", "source": "intuit.qbo", "type": "qbo.customer.merged.v1",
                  "time": "2025-01-01T17:00:00Z", "intuitentityid": "8",
                  "intuitaccountid": self.connection.realm_id, "data": {"deletedid": "3"}}]
        self.assertEqual(self._post(cloud).status_code, 200)
        # Twice in one body: once.
        twice = self._legacy(self.connection.realm_id, "Merge", "8", deleted_id="3", time="2025-01-02T10:00:00-07:00")
        twice["eventNotifications"] *= 2
        self.assertEqual(self._post(twice).status_code, 200)
        self.assertEqual(len(self._merges()), 2)

    def test_merge_at_another_time_is_another_event(self):
        self._post(self._legacy(self.connection.realm_id, "Merge", "8", deleted_id="3"))
        self._post(self._legacy(self.connection.realm_id, "Merge", "8", deleted_id="3",
                                time="2025-01-01T10:00:01-07:00"))
        self._post(self._legacy(self.connection.realm_id, "Merge", "8", deleted_id="4"))
        self.assertEqual(len(self._merges()), 3)

    def test_merge_without_time_stored_once(self):
        payload = self._legacy(self.connection.realm_id, "Merge", "8", deleted_id="3")
        del payload["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["lastUpdated"]
        self._post(payload)
        self._post(payload)
        self.assertEqual(len(self._merges()), 1)
        self.assertFalse(self._merges().event_time)

    def test_duplicates_refused_by_the_database(self):
        values = {"connection_id": self.connection.id, "qbo_entity": "Customer", "deleted_id": "3",
                  "survivor_id": "8", "event_time": datetime(2025, 1, 1)}
        Merge = self.env["qbo.merge.event"]
        self.assertEqual(len(Merge._qbo_store([values, dict(values)])), 1)
        self.assertEqual(Merge._qbo_store([values]), [])
        with self.assertRaises(IntegrityError), self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
            Merge.create(values)

    def test_merge_over_the_webhook_relinks_once_then_vacuumed(self):
        gone = self.control.user_write("Customer", {"DisplayName": "Merged Away"})
        self.pull()
        partner = self.Partner.search([("name", "=", "Merged Away")])
        survivor = self.control.user_write("Customer", {"DisplayName": "Survivor"})  # not in Odoo: followed
        self.control.merge("Customer", gone["Id"], survivor["Id"])
        payload = self._legacy(self.connection.realm_id, "Merge", survivor["Id"], deleted_id=gone["Id"])
        for _attempt in range(3):
            self._post(payload)
        self.assertEqual(len(self._merges()), 1)
        self.pull()
        self.assertEqual(self.binding(partner).qbo_id, survivor["Id"])
        self.assertEqual(partner.name, "Survivor")
        self.assertEqual(self.Partner.search_count([("name", "=", "Survivor")]), 1)
        self.assertTrue(self._merges().done)
        self.env["qbo.merge.event"]._gc_qbo_merge_events()
        self.assertFalse(self._merges())
        # Replayed after use: stored again, harmless (no binding has the merged-away id any more).
        self._post(payload)
        self.pull()
        self.assertEqual(self.binding(partner).qbo_id, survivor["Id"])

    def test_vacuum_keeps_recent_pending_merges(self):
        for deleted_id in ("1", "2", "3"):
            self._post(self._legacy(self.connection.realm_id, "Merge", "8", deleted_id=deleted_id))
        used, old, pending = self._merges()
        used.done = True
        self.env.cr.execute("UPDATE qbo_merge_event SET create_date = %s WHERE id = %s",
                            [datetime.now() - timedelta(days=31), old.id])
        self.env["qbo.merge.event"].invalidate_model()
        self.env["qbo.merge.event"]._gc_qbo_merge_events()
        self.assertEqual(self._merges(), pending)
