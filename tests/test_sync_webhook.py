"""The webhook route over HTTP: signature, payload shapes, realms, merges, the pull cron."""

import base64
import hashlib
import hmac
import json

from odoo.addons.quickbooks_online import const
from odoo.tests import HttpCase, tagged

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

    def _legacy(self, realm, operation="Update", entity_id="1", deleted_id=None):
        entity = {"name": "Customer", "id": entity_id, "operation": operation,
                  "lastUpdated": "2025-01-01T10:00:00-07:00"}
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
