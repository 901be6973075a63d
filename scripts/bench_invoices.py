"""Benchmark of the invoice sync against the local QuickBooks server (a script, not a test).

Run by scripts/bench.sh with --invoices:  python3 scripts/bench_invoices.py -c ODOO_CONF -d DB --fake-url URL -n N

Seeds the local server with 200 customers, 50 items and N invoices of 5 lines with sales tax
(created through its API, not measured), connects through the real OAuth flow, then measures
(a) the first download (customers, items and the N invoices, posted in Odoo), its floor (the
same moves created and posted through the ORM), (b) the upload of N new posted Odoo invoices of
5 lines with tax, (c) a sync with no change. Same figures as scripts/bench_sync.py.
"""

import random
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_sync import BATCH, Step, begin, connect, first_pull, print_table, upload_then_idle  # noqa: E402

SEED_ZERO = ("vendors", "estimates", "invoices", "credit_memos", "payments", "sales_receipts")
CUSTOMERS, ITEMS, LINES = 200, 50, 5


def main():
    args, control, registry, api = begin(__doc__.splitlines()[0], "invoices", lambda n: dict(
        dict.fromkeys(SEED_ZERO, 0), customers=CUSTOMERS, items=ITEMS, categories=3))
    from odoo import SUPERUSER_ID, Command  # noqa: PLC0415

    steps = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = connect(env, args.fake_url)
        connection.write({"customer_direction": "both", "product_direction": "both", "invoice_direction": "both"})
        env["account.tax"].create({"name": "Sales Tax 8%", "amount": 8, "type_tax_use": "sale"})
        cr.commit()
        client = connection._qbo_api_client()
        customers = [c["Id"] for c in client.query_all("Customer")]
        items = [i["Id"] for i in client.query_all("Item", "Type IN ('Service', 'NonInventory')")]
        code = next(c["Id"] for c in client.query_all("TaxCode") if c["Id"] not in ("TAX", "NON"))
        rng, today = random.Random(7), date.today()
        for start in range(0, args.n, 30):
            batch = []
            for i in range(start, min(start + 30, args.n)):
                lines = [{"Amount": round(qty * price, 2), "DetailType": "SalesItemLineDetail",
                          "SalesItemLineDetail": {"ItemRef": {"value": rng.choice(items)}, "Qty": qty,
                                                  "UnitPrice": price,
                                                  "TaxCodeRef": {"value": "TAX" if k % 2 == 0 else "NON"}}}
                         for k, (qty, price) in enumerate((rng.randint(1, 9), round(rng.uniform(1, 300), 2))
                                                          for _ in range(LINES))]
                batch.append({"bId": str(i), "operation": "create", "Invoice": {
                    "CustomerRef": {"value": rng.choice(customers)}, "Line": lines,
                    "TxnDate": (today - timedelta(days=rng.randint(0, 60))).isoformat(),
                    "TxnTaxDetail": {"TxnTaxCodeRef": {"value": code}}}})
            client.batch(batch, "seed-%s" % start)

        step, move_ids = first_pull(connection, control, args.profile, "account.move")
        step.extra = f"{len(move_ids)} invoices"
        steps.append(step)

        Move = env["account.move"]
        with Step("floor: ORM create+post", control) as floor:
            Floor = Move.with_context(qbo_no_push=True, tracking_disable=True)
            for start in range(0, len(move_ids), BATCH):
                moves = Move.browse(move_ids[start:start + BATCH])
                copies = Floor.create([{
                    "move_type": m.move_type, "partner_id": m.partner_id.id, "invoice_date": m.invoice_date,
                    "invoice_line_ids": [Command.create({
                        "product_id": line.product_id.id, "name": line.name, "quantity": line.quantity,
                        "price_unit": line.price_unit, "tax_ids": [Command.set(line.tax_ids.ids)]})
                        for line in m.invoice_line_ids if line.display_type == "product"]} for m in moves])
                copies.action_post()
                env.flush_all()
                env.invalidate_all()
        cr.rollback()
        floor.extra = f"{len(move_ids)} invoices"
        steps.append(floor)

        partners = env["res.partner"].search([("qbo_id", "!=", False)], limit=CUSTOMERS)
        products = env["product.product"].search([("qbo_id", "!=", False)], limit=ITEMS)
        tax = env["account.tax"].search([("name", "=", "Sales Tax 8%")])
        for start in range(0, args.n, BATCH):
            moves = Move.with_context(tracking_disable=True).create([{
                "move_type": "out_invoice", "partner_id": partners[i % len(partners)].id, "invoice_date": today,
                "invoice_line_ids": [Command.create({
                    "product_id": products[(i + k) % len(products)].id, "quantity": 1 + (i + k) % 7,
                    "price_unit": round(1 + ((i * 31 + k * 17) % 29999) / 100, 2),
                    "tax_ids": [Command.set(tax.ids if k % 2 == 0 else [])]}) for k in range(LINES)]}
                for i in range(start, min(start + BATCH, args.n))])
            moves.action_post()
            cr.commit()
            env.invalidate_all()
        steps += upload_then_idle(connection, control, args.profile)

    print_table(args.n, steps)


if __name__ == "__main__":
    main()
