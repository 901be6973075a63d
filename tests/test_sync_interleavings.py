"""Randomized interleavings (issue 8, item 12): Hypothesis draws schedules of edits on both sides,
twins (one customer entered on both sides), merges, faults, webhooks, uploads and downloads;
after each one goes quiet: no duplicate, both sides equal, no change lost (or kept as the losing
version of a conflict), nothing stuck. The machine, its model and the invariants are in
``interleavings.py``; ``QBO_INTERLEAVINGS`` schedules (default 200; thousands for a long run).

The other tests are the shortest schedules the random test found, pasted as it prints them:
each one failed on the engine of its time, and says why in its docstring."""


from odoo.tests import TransactionCase, tagged

from .interleavings import InterleavingMachine, prepare, run_interleavings
from .sync_common import SyncCaseMixin


@tagged("post_install", "-at_install")
class TestSyncInterleavings(SyncCaseMixin, TransactionCase):

    def setUp(self):
        super().setUp()
        prepare(self)

    def test_random_interleavings(self):
        run_interleavings(self)

    def test_first_link_without_field_times(self):
        """Known limitation (interleavings.EXCLUDED): a twin deactivated in QuickBooks, then
        renamed in Odoo before the first link: the later record (Odoo's) wins both fields, so
        QuickBooks' deactivation is undone although nobody changed "active" in Odoo. The check
        reports it (DisjointChangeLost); when the limitation is lifted this test fails, and the
        assertion goes. (Not
        ``unittest.expectedFailure``: Odoo's own test runner does not support it.)"""
        state = InterleavingMachine()
        state.qbo_create(company=True, phone=False, two_emails=False)
        state.odoo_twin(which=0)
        state.qbo_deactivate(which=0)
        state.odoo_edit(field='name', which=0)
        # (By message: pytest-odoo may load interleavings.py twice, as two classes of one name.)
        with self.assertRaisesRegex(AssertionError, "lost a conflict although the other side did not change active"):
            state.teardown()

    # -- the three known failures of issue 8 (fixed by "Engine v2", 054555c) ----------------------
    def test_known_a_lost_create_reply_then_download(self):
        """(a) The create's reply is lost (QuickBooks wrote it), a download runs before the upload
        retries: the download made a second partner for the customer, then the retry's replayed
        reply hit the unique key (qbo_id) and every upload crashed."""
        state = InterleavingMachine()
        state.odoo_create(company=True, phone=False)
        state.fault(count=1, kind='slow', match='/customer')
        state.push()
        state.pull()
        state.teardown()

    def test_known_b_edited_in_quickbooks_then_odoo_upload_first(self):
        """(b) Same field edited in QuickBooks, then in Odoo; the upload meets 5010 first and sent
        Odoo's value again on the new SyncToken: QuickBooks' value gone, no conflict logged."""
        state = InterleavingMachine()
        state.odoo_create(company=True, phone=False)
        state.push()
        state.qbo_edit(field='name', two_emails=False, which=0)
        state.odoo_edit(field='name', which=0)
        state.teardown()

    def test_known_c_phone_edit_keeps_second_email(self):
        """(c) QuickBooks holds two e-mail addresses (Odoo keeps the first); a phone edit in Odoo
        sent the e-mail too and QuickBooks lost the second address."""
        state = InterleavingMachine()
        state.odoo_create(company=True, phone=False)
        state.push()
        state.qbo_edit(field='email', two_emails=True, which=0)
        state.pull()
        state.odoo_edit(field='phone', which=0)
        state.teardown()

    # -- other failures the random test found ----------------------------------------------------
    def test_found_twin_downloaded_before_its_upload(self):
        """The same customer entered in QuickBooks and in Odoo, the download first: the partner
        waiting for its first upload was no match candidate, so the download made a second
        partner and the upload a second customer "IL2 Traders (2)" (no fault needed; the
        root of (a)). Fixed by Engine v2."""
        state = InterleavingMachine()
        state.qbo_create(company=True, phone=False, two_emails=False)
        state.odoo_twin(which=0)
        state.pull()
        state.teardown()

    def test_found_twin_linked_by_upload_keeps_what_only_quickbooks_has(self):
        """A twin linked by the upload: the sparse update meant to send only Odoo's non-empty
        values cleared QuickBooks' phone ({"FreeFormNumber": ""} passed the non-empty filter)
        and its second e-mail address. Fixed by Engine v2."""
        state = InterleavingMachine()
        state.qbo_create(company=False, phone=True, two_emails=True)
        state.odoo_twin(which=0)
        state.teardown()

    def test_found_twin_with_two_phones_linked_by_upload(self):
        """Twins whose phones differ (QuickBooks' user changed it before the link): the upload's
        first link sends Odoo's phone over QuickBooks' without any conflict log; the first link
        applies no conflict policy. Still failing on Engine v2."""
        state = InterleavingMachine()
        state.odoo_create(company=True, phone=True)
        state.qbo_twin(which=0)
        state.qbo_edit(field='phone', two_emails=False, which=0)
        state.teardown()

    def test_found_twin_with_two_phones_linked_by_download(self):
        """The same, the download linking first: QuickBooks' phone overwrites Odoo's, no log.
        Still failing on Engine v2."""
        state = InterleavingMachine()
        state.odoo_create(company=True, phone=True)
        state.qbo_twin(which=0)
        state.qbo_edit(field='phone', two_emails=False, which=0)
        state.pull()
        state.teardown()

    def test_found_twin_archived_in_odoo_before_its_link(self):
        """The same first link: the Odoo twin archived before it is linked comes back active
        (QuickBooks' Active=true overwrites it, no log). Still failing on Engine v2."""
        state = InterleavingMachine()
        state.qbo_create(company=True, phone=False, two_emails=False)
        state.odoo_twin(which=0)
        state.odoo_archive(which=0)
        state.teardown()

    def test_found_merge_webhook_while_awaiting_reauthorization(self):
        """QuickBooks refuses the token twice (the connection awaits re-authorisation); a merge's
        webhook arrives meanwhile and is dropped (only connected connections store merges), so
        once connected again the download puts the merged-away partner in error ("Deleted in
        QuickBooks") instead of archiving it. Still failing on Engine v2."""
        state = InterleavingMachine()
        state.qbo_create(company=True, phone=False, two_emails=False)
        state.qbo_create(company=True, phone=False, two_emails=False)
        state.pull()
        state.fault(count=2, kind='401', match='')
        state.pull()
        state.merge(into=0, webhook='now', which=0)
        state.teardown()

    def test_found_edit_while_create_reply_lost(self):
        """A create's reply is lost (QuickBooks wrote it); the partner is edited in Odoo before
        the upload retries: the retry replays QuickBooks' first answer (same requestid), which is
        stored as in sync, so the edit (here the archive; a name or phone edit the same, also in
        a batch) never goes up. Still failing on Engine v2."""
        state = InterleavingMachine()
        state.odoo_create(company=True, phone=False)
        state.fault(count=1, kind='slow', match='/customer')
        state.push()
        state.odoo_archive(which=0)
        state.teardown()

    def test_found_full_import_misses_older_merge(self):
        """Partners uploaded, two customers merged in QuickBooks (webhook received), two minutes
        later the first download: a full import reads customers by query, where a merged-away
        customer is not (only CDC says Deleted, and the next CDC looks back one minute before the
        import), so the partner stays "synced" to a customer that no longer exists and the merge
        is never applied. The same after "Download all" or a 29-day gap. Still failing on
        Engine v2."""
        state = InterleavingMachine()
        state.odoo_create(company=True, phone=False)
        state.odoo_create(company=True, phone=False)
        state.push()
        state.merge(into=0, webhook='now', which=0)
        state.time_passes(minutes=2)
        state.teardown()
