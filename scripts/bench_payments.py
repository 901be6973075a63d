"""Benchmark of the payment sync against the local QuickBooks server (a script, not a test).

Run by scripts/bench.sh with --payments:  python3 scripts/bench_payments.py -c ODOO_CONF -d DB --fake-url URL -n N

Seeds the local server with 200 customers and the invoices N payments need (one line of 100.00;
a third of the payments are split over three invoices: 5/3 N invoices), downloads those invoices
(not measured), then records N payments in QuickBooks (40.00 on each invoice they name) and
measures (a) their download (posted, reconciled; the invoices' new balances come with them), its
floor (the same payments created, posted and reconciled through the ORM), (b) the upload of N
new Odoo payments of what stays open (60.00 on each invoice, the same split), (c) a sync with no
change. Same figures as scripts/bench_sync.py.
"""

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_sync import BATCH, Step, begin, connect, print_table, upload_then_idle  # noqa: E402

SEED_ZERO = ("vendors", "estimates", "invoices", "credit_memos", "payments", "sales_receipts")
CUSTOMERS, SPLIT = 200, 3


def plan(n):
    """[(customer index, [invoice index...])] of N payments: every third split over three invoices."""
    out, invoice = [], 0
    for i in range(n):
        count = SPLIT if i % 3 == 2 else 1
        out.append((i % CUSTOMERS, list(range(invoice, invoice + count))))
        invoice += count
    return out, invoice


def receivable(moves):
    return moves.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")


def main():
    args, control, registry, api = begin(__doc__.splitlines()[0], "payments", lambda n: dict(
        dict.fromkeys(SEED_ZERO, 0), customers=CUSTOMERS, items=5, categories=1))
    from odoo import SUPERUSER_ID  # noqa: PLC0415

    payments, invoice_count = plan(args.n)
    steps = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = connect(env, args.fake_url)
        connection.write({"customer_direction": "both", "product_direction": "both", "invoice_direction": "both",
                          "payment_direction": "off"})
        cr.commit()
        client = connection._qbo_api_client()
        customers = [c["Id"] for c in client.query_all("Customer")][:CUSTOMERS]
        item = next(i["Id"] for i in client.query_all("Item", "Type IN ('Service', 'NonInventory')"))
        owner = {}
        for customer, invoices in payments:
            for invoice in invoices:
                owner[invoice] = customers[customer % len(customers)]
        today = date.today().isoformat()
        ids = {}
        for start in range(0, invoice_count, 30):
            reply = client.batch([{"bId": str(i), "operation": "create", "Invoice": {
                "CustomerRef": {"value": owner[i]}, "TxnDate": today, "Line": [{
                    "Amount": 100, "DetailType": "SalesItemLineDetail",
                    "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 1, "UnitPrice": 100,
                                            "TaxCodeRef": {"value": "NON"}}}]}}
                for i in range(start, min(start + 30, invoice_count))], "seed-%s" % start)
            ids.update({int(bid): row["Id"] for bid, row in reply.items()})
        connection._qbo_pull()   # the invoices: not what this benchmark measures
        cr.commit()

        for start in range(0, len(payments), 30):
            client.batch([{"bId": str(i), "operation": "create", "Payment": {
                "CustomerRef": {"value": customers[customer % len(customers)]}, "TxnDate": today,
                "TotalAmt": 40 * len(invoices),
                "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": ids[k], "TxnType": "Invoice"}]} for k in invoices]}}
                for i, (customer, invoices) in enumerate(payments[start:start + 30], start)], "pay-%s" % start)
        connection.payment_direction = "both"
        cr.commit()
        with Step("(a) first pull", control, args.profile) as step:
            connection._qbo_pull()
            cr.commit()
        env.invalidate_all()
        step.extra = f"{env['account.payment'].search_count([])} payments"
        steps.append(step)

        moves = {}
        cr.execute("SELECT qbo_id, res_id FROM qbo_binding WHERE connection_id = %s AND qbo_entity = 'Invoice'",
                   [connection.id])
        by_qbo = dict(cr.fetchall())
        for index, qbo_id in ids.items():
            moves[index] = by_qbo[qbo_id]
        Move, Payment = env["account.move"], env["account.payment"]
        journal = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", env.company.id)], limit=1)

        def record(amount, quiet):
            """Create, post and reconcile the N payments of ``amount`` per invoice through the ORM."""
            Pay = Payment.with_context(tracking_disable=True, qbo_no_push=quiet)
            for start in range(0, len(payments), BATCH):
                chunk = payments[start:start + BATCH]
                created = Pay.create([{
                    "payment_type": "inbound", "partner_type": "customer", "journal_id": journal.id,
                    "partner_id": Move.browse(moves[invoices[0]]).commercial_partner_id.id,
                    "amount": amount * len(invoices), "date": today} for _customer, invoices in chunk])
                created.action_post()
                for payment, (_customer, invoices) in zip(created, chunk, strict=True):
                    (receivable(payment.move_id) | receivable(Move.browse([moves[k] for k in invoices]))).reconcile()
                if quiet:
                    env.flush_all()   # the floor is rolled back: flushed, not committed
                else:
                    cr.commit()
                env.invalidate_all()

        with Step("floor: ORM create+post+reconcile", control) as floor:
            record(40, True)
        cr.rollback()
        floor.extra = f"{len(payments)} payments"
        steps.append(floor)

        record(60, False)   # what stays open, paid in Odoo: uploaded next
        steps += upload_then_idle(connection, control, args.profile)

    print_table(args.n, steps)


if __name__ == "__main__":
    main()
