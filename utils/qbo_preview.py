"""Writes a preview would send: recorded and answered as QuickBooks would, never sent.

``QBOClient.preview`` holds one of these during a preview (``qbo_preview.py``): every create,
update, void, delete and batch item goes here instead of to QuickBooks, and gets the object back
that QuickBooks would answer (a new Id for a create, the next SyncToken for an update), so that
the run goes on as the real one would (an invoice's customer "created", the invoice next).
Reads (GET, queries) still go to QuickBooks: a preview only ever reads there."""

from datetime import datetime, timezone

PREVIEW_ID = "preview-%d"


class PreviewWrites:
    def __init__(self):
        self.writes = []  # (entity, operation): what the real run would send, in order
        self.reads = 0  # API requests the preview's runs sent (all reads)
        self._created = 0

    def answer(self, entity, operation, payload):
        """The object QuickBooks would answer ``operation`` on ``payload`` with."""
        self.writes.append((entity, operation))
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if operation == "delete":
            return {"status": "Deleted", "domain": "QBO", "Id": payload.get("Id")}
        obj = {key: value for key, value in payload.items() if key != "sparse"}
        if operation == "create":
            self._created += 1
            obj.update(Id=PREVIEW_ID % self._created, SyncToken="0")
        else:
            obj["SyncToken"] = str(int(payload.get("SyncToken") or 0) + 1)
        if operation == "void":
            obj.update(PrivateNote="Voided", TotalAmt=0, Balance=0)
        obj["MetaData"] = {"CreateTime": now, "LastUpdatedTime": now}
        return obj

    def batch(self, items):
        """``{bId: object}`` as ``QBOClient.batch`` returns it."""
        out = {}
        for item in items:
            entity = next(key for key in item if key not in ("bId", "operation", "optionsData"))
            out[item["bId"]] = self.answer(entity, item["operation"], item[entity])
        return out
