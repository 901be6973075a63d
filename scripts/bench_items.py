"""Benchmark of the product sync against the local QuickBooks server (a script, not a test).

Run by scripts/bench.sh with --items:  python3 scripts/bench_items.py -c ODOO_CONF -d DB --fake-url URL -n N

Seeds the local server with N items under 200 categories (customers off), connects through the
real OAuth flow, then measures (a) the first download of the items and categories, its floor
(a plain ORM create of the same products), (b) the upload of N new Odoo products spread over
200 new categories, (c) a sync with no change. Same figures as scripts/bench_sync.py.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_sync import BATCH, Step, begin, connect, first_pull, print_table, upload_then_idle  # noqa: E402

SEED_ZERO = ("customers", "vendors", "estimates", "invoices", "credit_memos", "payments", "sales_receipts")
CATEGORIES = 200
PRODUCT_COPY_FIELDS = ("name", "default_code", "description_sale", "list_price", "type", "categ_id", "active")


def main():
    args, control, registry, api = begin(__doc__.splitlines()[0], "items", lambda n: dict(
        dict.fromkeys(SEED_ZERO, 0), items=n, categories=CATEGORIES))
    from odoo import SUPERUSER_ID  # noqa: PLC0415

    steps = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = connect(env, args.fake_url)
        connection.write({"customer_direction": "off", "product_direction": "both"})
        cr.commit()
        Template = env["product.template"]

        step, product_ids = first_pull(connection, control, args.profile, "product.product")
        cr.execute("SELECT count(*) FROM qbo_binding WHERE connection_id = %s AND res_model = 'product.category' "
                   "AND res_id IS NOT NULL", [connection.id])
        step.extra = f"{len(product_ids)} products, {cr.fetchone()[0]} categories"
        steps.append(step)

        template_ids = env["product.product"].with_context(active_test=False).browse(product_ids).product_tmpl_id.ids
        with Step("floor: ORM create", control) as floor:
            Floor = Template.with_context(qbo_no_push=True, tracking_disable=True)
            for start in range(0, len(template_ids), BATCH):
                Floor.create([{k: v for k, v in vals.items() if k != "id"} for vals in Template.with_context(
                    active_test=False).browse(template_ids[start:start + BATCH]).read(PRODUCT_COPY_FIELDS, load=None)])
                env.flush_all()
                env.invalidate_all()
        cr.rollback()
        floor.extra = f"{len(template_ids)} products"
        steps.append(floor)

        categories = env["product.category"].create([{"name": f"Bench Category {i:03d}"} for i in range(CATEGORIES)])
        for start in range(0, args.n, BATCH):
            Template.create([{"name": f"Bench Product {i:05d}", "default_code": f"BP-{i:05d}", "list_price": 9.99,
                              "categ_id": categories[i % CATEGORIES].id}
                             for i in range(start, min(start + BATCH, args.n))])
            cr.commit()
            env.invalidate_all()
        steps += upload_then_idle(connection, control, args.profile)

    print_table(args.n, steps)


if __name__ == "__main__":
    main()
