"""Run the demo's first sync both ways, as the crons would, and check that both sides agree.

Run by scripts/demo.sh after scripts/demo_connect.py:
    python3 scripts/demo_sync.py -c ODOO_CONF -d DB

Downloads every QuickBooks customer, item, category, estimate, invoice, credit memo, payment and sales receipt (a
full import of the seeded company),
then "Upload all" (`action_qbo_upload_all`) sends Odoo's demo customers, contacts, products and
categories, until nothing waits. Prints `synced downloaded=<n> uploaded=<n> linked=<n> errors=<n>
bindings=<n> qbo_objects=<n> qbo_customer=<n> qbo_category=<n> qbo_item=<n>` and exits 0 when
every QuickBooks object of each synced entity is linked to exactly one Odoo record, no upload
failed and every synced document's open amount is QuickBooks' Balance to the cent (printed as
`balances documents=<n> payments=<n> sales_receipts=<n> differ=<n>`), then the estimates by status and, with CRM,
their opportunities by stage; otherwise says why and exits 1.
"""

import argparse
import sys
from collections import Counter

# Upload runs take bounded chunks (as the cron does); the demo has a few dozen partners.
MAX_PUSH_RUNS = 20


def record_payments(env):
    """What an accountant does before the first sync: Odoo's demo customers pay two of their
    posted invoices, one in full and one in part (the register-payment wizard)."""
    invoices = env["account.move"].search([("move_type", "=", "out_invoice"), ("state", "=", "posted"),
                                           ("payment_state", "=", "not_paid"), ("company_id", "=", env.company.id),
                                           ("currency_id", "=", env.company.currency_id.id)], limit=2, order="id")
    for invoice, share in zip(invoices, (1, 0.5), strict=False):
        env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": invoice.currency_id.round(invoice.amount_residual * share)})._create_payments()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()

    import odoo  # noqa: PLC0415 -- after the arguments: --help needs no Odoo
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        connection = env["qbo.connection"]._qbo_for_company(env.company)
        Log, Binding = env["qbo.sync.log"], env["qbo.binding"]

        record_payments(env)
        cr.commit()
        connection._qbo_pull()
        cr.commit()
        # "Upload all", as a user would click it: every partner in scope is flagged (the ones just
        # downloaded send nothing), then the upload runs send Odoo's demo customers and contacts.
        connection.action_qbo_upload_all()
        cr.commit()
        for _run in range(MAX_PUSH_RUNS):
            connection._qbo_push()
            cr.commit()
            if not Binding.search_count([("connection_id", "=", connection.id), ("state", "=", "to_push")]):
                break

        # QuickBooks' balances after Odoo's payments went up: one more download, as the webhook does.
        connection._qbo_pull()
        cr.commit()

        kinds = (("created", "pull"), ("created", "push"), ("linked", "push"), ("error", "push"))
        counts = {(outcome, direction): Log.search_count([
            ("connection_id", "=", connection.id), ("outcome", "=", outcome), ("direction", "=", direction)])
            for outcome, direction in kinds}
        bindings = Binding.search([("connection_id", "=", connection.id)])
        client = connection._qbo_api_client()
        problems, totals = [], {}
        for adapter in connection._qbo_adapters():
            # Every QuickBooks object of each synced entity is linked to exactly one Odoo record.
            objects = {row["Id"] for row in client.query_all(adapter.api_entity, adapter.all_where())
                       if adapter.accepts(row)}
            linked = bindings.filtered(lambda b, entity=adapter.entity: b.qbo_entity == entity)
            totals[adapter.entity] = len(objects)
            if objects != set(linked.mapped("qbo_id")):
                problems.append(f"{len(objects - set(linked.mapped('qbo_id')))} QuickBooks {adapter.entity} objects "
                                f"are not linked")
            if len(set(linked.mapped("qbo_id"))) != len(linked):
                problems.append(f"some {adapter.model} records wait for their first upload or share an id")
        print(f"synced downloaded={counts['created', 'pull']} uploaded={counts['created', 'push']} "
              f"linked={counts['linked', 'push']} errors={counts['error', 'push']} bindings={len(bindings)} "
              f"qbo_objects={sum(totals.values())} "
              + " ".join(f"qbo_{entity.lower()}={n}" for entity, n in totals.items()))
        # Money: every synced document's open amount is QuickBooks' Balance, to the cent.
        differ = []
        for entity in ("Invoice", "CreditMemo", "SalesReceipt"):
            balances = {row["Id"]: row.get("Balance") or 0 for row in client.query_all(entity)}
            for binding in bindings.filtered(lambda b, entity=entity: b.qbo_entity == entity and b.res_id):
                move = env["account.move"].browse(binding.res_id)
                if move.state == "posted" and move.currency_id.compare_amounts(
                        move.amount_residual, float(balances.get(binding.qbo_id, 0))):
                    differ.append(f"{move.name}: Odoo {move.amount_residual} QuickBooks {balances.get(binding.qbo_id)}")
        payments_up = Log.search_count([("connection_id", "=", connection.id), ("qbo_entity", "=", "Payment"),
                                        ("outcome", "=", "created"), ("direction", "=", "push")])
        print(f"balances documents={len(bindings.filtered(lambda b: b.qbo_entity in ('Invoice', 'CreditMemo')))} "
              f"payments={len(bindings.filtered(lambda b: b.qbo_entity == 'Payment'))} payments_up={payments_up} "
              f"sales_receipts={len(bindings.filtered(lambda b: b.qbo_entity == 'SalesReceipt'))} differ={len(differ)}")
        # Quotations: QuickBooks' estimates by status, and (with CRM) their opportunities by stage.
        orders = env["sale.order"].browse(bindings.filtered(lambda b: b.qbo_entity == "Estimate").mapped("res_id"))
        print("estimates " + " ".join(f"{status}={count}" for status, count in sorted(
            Counter(orders.mapped("qbo_estimate_status")).items())))
        if "opportunity_id" in orders._fields:
            leads = orders.opportunity_id.with_context(active_test=False)
            print("opportunities " + " ".join(f"{stage.replace(' ', '_')}={count}" for stage, count in sorted(Counter(
                lead.stage_id.name if lead.active else "Lost" for lead in leads).items())))
        if differ:
            problems.append("balances differ: " + "; ".join(differ[:5]))
        pending = bindings.filtered(lambda b: b.state != "synced")
        if pending:
            problems.append("not synced: " + "; ".join(
                f"{b._qbo_record().display_name}: {b.state} {b.last_error or ''}" for b in pending[:5]))
        if problems:
            sys.exit("demo: the first sync did not converge: " + " / ".join(problems))


if __name__ == "__main__":
    main()
