"""Quotations and orders (``sale.order``) ⇄ QuickBooks Estimate (docs/ENGINE.md §9e). The lines,
discounts and taxes are the sales documents' (``SalesDocumentAdapter``); the header and the
status rules are in ``utils/mappers/estimate.py``; the stages of opportunities in ``sale_order.py``.

Up: a quotation when it is sent (or every draft, with the connection's option), a confirmed
order, and later changes of either; a cancelled order is a Rejected estimate (estimates are never
voided). Down lines of an order confirmed in Odoo replace its lines only while it is not invoiced.
Down-payment lines are Odoo's invoicing, not the quotation: they are never sent."""

from datetime import datetime, time

from odoo import Command, fields

from ..utils.mappers import estimate as estimate_mapper
from ..utils.mappers.common import MappingError, first_email, html_to_text
from ..utils.mappers.estimate import ACCEPTED, CLOSED, PENDING, REJECTED
from .qbo_adapter import register
from .qbo_sales_document import SalesDocumentAdapter, dec, stand_in
from .qbo_sync_mixin import NO_PUSH, QBODependencyPending
from .sale_order import crm_installed

# The sale.order fields whose change is uploaded (line edits write ``order_line`` on the order).
ORDER_FIELDS = frozenset({"state", "partner_id", "partner_invoice_id", "date_order", "validity_date", "note",
                          "order_line", "pricelist_id", "currency_id", "name", "signed_by", "signed_on"})


@register
class EstimateAdapter(SalesDocumentAdapter):
    entity = "Estimate"
    model = "sale.order"
    direction_field = "estimate_direction"
    url_path = "estimate?txnId=%s"
    # An invoice posted or cancelled changes whether its order is fully invoiced (Closed).
    flagged_by = {"sale.order": ORDER_FIELDS, "account.move": frozenset({"state"})}

    def targets(self, records):
        if records._name == "account.move":
            return records.filtered(lambda m: m.move_type in ("out_invoice", "out_refund")) \
                .invoice_line_ids.sale_line_ids.order_id
        return records

    def domain(self):
        return [("company_id", "=", self.connection.company_id.id)]

    def _states(self):
        return ("draft", "sent", "sale") if self.connection.estimate_drafts else ("sent", "sale")

    def in_scope(self, records, matching=False):
        """Orders of the company, sent or confirmed (every draft too with the option), dated
        from the start date; and whatever QuickBooks has already (a cancel rejects it)."""
        if not records:
            return records
        company, states = self.connection.company_id, self._states()
        linked = set(self.linked_qbo_ids(self.model, records.ids, self.entity))
        return records.filtered(lambda o: o.company_id == company and (
            o.id in linked or (o.state in states and self._dated_in(o.date_order.date()))))

    def upload_all_domain(self):
        start = self.history_start()
        return self.domain() + [("state", "in", self._states())] + (
            [("date_order", ">=", datetime.combine(start, time.min))] if start else [])

    def dependencies(self, record):
        return [("Customer", record.partner_id.commercial_partner_id)] + self.product_dependencies(
            record.order_line.filtered(lambda line: not line.is_downpayment).product_id)

    # -- Odoo → values -----------------------------------------------------------------------------
    def line_rows(self, order):
        rows = []
        for line in order.order_line.filtered(lambda line: not line.is_downpayment).sorted(
                lambda line: (line.sequence, line.id)):
            if line.display_type:
                rows.append({"text": line.name})
            else:
                rows.append({"product": line.product_id, "name": line.name, "qty": line.product_uom_qty,
                             "price_unit": line.price_unit, "discount": line.discount, "taxes": line.tax_id,
                             "subtotal": line.price_subtotal, "total": line.price_total})
        return rows

    def _tax_lines(self, order):
        """{TaxRate Id: Odoo's amount} of the order's taxes (outside the US), as Odoo computes
        its total."""
        AccountTax = self.env["account.tax"]
        lines = order.order_line.filtered(lambda line: not line.display_type and not line.is_downpayment)
        base_lines = [line._prepare_base_line_for_taxes_computation() for line in lines]
        AccountTax._add_tax_details_in_base_lines(base_lines, order.company_id)
        AccountTax._round_base_lines_tax_details(base_lines, order.company_id)
        return self.rate_amounts([(data["tax"], data.get("group"), data["tax_amount_currency"])
                                  for base_line in base_lines for data in base_line["tax_details"]["taxes_data"]])

    def local_values(self, record):
        order = record.with_context(lang=self.connection.partner_lang)
        currency, partner = order.currency_id, order.partner_id.commercial_partner_id
        status = estimate_mapper.order_status(order.state, order.invoice_status == "invoiced")
        if status == ACCEPTED and order.qbo_estimate_status == CLOSED:
            status = CLOSED  # converted in QuickBooks, its invoice not in Odoo yet
        lines = order.order_line.filtered(lambda line: not line.is_downpayment)
        return {
            "customer": self.linked_qbo_ids("res.partner", partner.ids).get(partner.id),
            "doc_number": order.qbo_doc_number or (order.name if self.connection.use_odoo_invoice_numbers
                                                   and order.name and order.name != "/" else None),
            "txn_date": order.date_order.date().isoformat(),
            "expiration_date": order.validity_date and order.validity_date.isoformat() or None,
            "currency": currency.name,
            "exchange_rate": (1 / dec(order.currency_rate)).quantize(dec("0.000001")).normalize()
            if currency != order.company_id.currency_id and order.currency_rate else None,
            "bill_email": first_email(order.partner_invoice_id.email or order.partner_id.email) or None,
            "memo": html_to_text(order.note) or None,
            "status": status,
            "accepted_by": order.signed_by or None,
            "accepted_date": order.signed_on and order.signed_on.date().isoformat() or None,
            **self.sales_values(self.line_rows(order), currency, any(lines.tax_id.mapped("price_include")),
                                order.amount_tax, lambda: self._tax_lines(order)),
        }

    def values_payload(self, values, binding):
        return estimate_mapper.estimate_payload(values, self.maps.us)

    def changed_fields(self, old_payload, new_payload):
        return estimate_mapper.changed_fields(old_payload, new_payload)

    def pull_changes(self, current, pulled):
        return estimate_mapper.pull_changes(current, pulled, self.maps.us)

    def check_synced(self, record, data):
        """QuickBooks' status, acceptance, number and total kept on the order; the opportunity
        moved to the stage of a new status; the totals compared with Odoo's."""
        remote = estimate_mapper.estimate_values(data)
        order = record.with_context(**{NO_PUSH: True})
        message = self.totals_message(order.currency_id, order.amount_total, order.amount_tax, remote)
        moved = order.qbo_estimate_status != remote["status"]
        order.write({"qbo_estimate_status": remote["status"], "qbo_accepted_by": remote["accepted_by"] or False,
                     "qbo_accepted_date": remote["accepted_date"] or False, "qbo_total": float(remote["total"]),
                     "qbo_totals_differ": bool(message),
                     **({"qbo_doc_number": remote["doc_number"]} if remote["doc_number"] else {})})
        if moved:
            order._qbo_set_stage(self.connection, remote["status"])
        return message

    # -- QuickBooks → Odoo ---------------------------------------------------------------------
    def remote_values(self, data):
        return estimate_mapper.estimate_values(data)

    def _pricelist(self, currency_name):
        """A pricelist in ``currency_name`` (Odoo's orders take their currency from it): the
        company's first, else one made for QuickBooks."""
        company = self.connection.company_id
        if not currency_name or currency_name == company.currency_id.name:
            return None
        currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", currency_name)])
        if not currency:
            raise MappingError("unknown_currency", currency=currency_name)
        Pricelist = self.env["product.pricelist"].sudo()
        return Pricelist.search([("currency_id", "=", currency.id), ("company_id", "in", (False, company.id))],
                                limit=1) or Pricelist.create({"name": "QuickBooks (%s)" % currency.name,
                                                              "currency_id": currency.id, "company_id": company.id})

    def _line_commands(self, order, values):
        """order_line commands of mapper values: every line but the down payments replaced."""
        no_item = stand_in(self.env)
        commands = [Command.unlink(line.id) for line in (order.order_line if order else []) if not line.is_downpayment]
        for kind, vals in self.line_vals(values):
            if kind == "note":
                commands.append(Command.create({"display_type": "line_note", "name": vals}))
                continue
            commands.append(Command.create({
                "product_id": vals["product_id"] or no_item.id, "product_uom_qty": vals["quantity"],
                "price_unit": vals["price_unit"], "discount": 0, "tax_id": [Command.set(vals["taxes"].ids)],
                **({"name": vals["name"]} if vals["name"] or not vals["product_id"] else {}),
            }))
        return commands

    def _order_vals(self, values, order=None):
        """sale.order values of mapper values (all, or the changes); None when the customer is
        not in Odoo yet."""
        vals = {}
        if "customer" in values:
            partner_id = self.linked_records("res.partner", [values["customer"]]).get(values["customer"])
            if not partner_id:
                return None
            vals["partner_id"] = partner_id
        if "currency" in values:
            pricelist = self._pricelist(values["currency"])
            if pricelist or order:
                vals["pricelist_id"] = pricelist.id if pricelist else False
        if values.get("txn_date"):
            vals["date_order"] = datetime.combine(fields.Date.to_date(values["txn_date"]), time(12))
        if "expiration_date" in values:
            vals["validity_date"] = values["expiration_date"] or False
        if "memo" in values:
            vals["note"] = values["memo"] or False
        if "doc_number" in values:
            vals["qbo_doc_number"] = values["doc_number"] or False
        if "lines" in values:
            vals["order_line"] = self._line_commands(order, values)
        return vals

    def create_from_remote(self, values_list):
        Order = self.env["sale.order"].with_company(self.connection.company_id).with_context(
            lang=self.connection.partner_lang, **{NO_PUSH: True})
        vals_list = [self._order_vals(values) for values in values_list]
        created = iter(Order.create([dict(vals, company_id=self.connection.company_id.id)
                                     for vals in vals_list if vals is not None]))
        results = [next(created) if vals is not None else None for vals in vals_list]
        for order, values in zip(results, values_list, strict=True):
            if order:
                self._apply_status(order, values["status"])
        self._opportunities(Order.browse([order.id for order in results if order]))
        return results

    def _opportunities(self, orders):
        """With CRM and the connection's option, an opportunity for each downloaded estimate
        (its stage follows the estimate's status)."""
        if not orders or not crm_installed(self.env) or not self.connection.estimate_opportunities:
            return
        leads = self.env["crm.lead"].with_context(mail_create_nolog=True).create([{
            "type": "opportunity", "partner_id": order.partner_id.id, "company_id": order.company_id.id,
            "user_id": order.user_id.id, "expected_revenue": order.amount_untaxed,
            "name": self.env._("%(customer)s: estimate %(number)s", customer=order.partner_id.display_name,
                               number=order.qbo_doc_number or order.name)} for order in orders])
        for order, lead in zip(orders, leads, strict=True):
            order.opportunity_id = lead

    def _check_uninvoiced(self, order):
        if order.invoice_ids.filtered(lambda move: move.state == "posted"):
            raise MappingError("locked_document", name=order.display_name)

    def _apply_status(self, order, status):
        """Bring the order to the state of QuickBooks' ``status`` (its order date kept)."""
        state, date_order = order.state, order.date_order
        if status in (ACCEPTED, CLOSED):
            if state == "cancel":
                order.action_draft()
            if order.state in ("draft", "sent"):
                order.action_confirm()
                order.date_order = date_order
        elif status == PENDING:
            if state == "sale":
                self._check_uninvoiced(order)
                order._action_cancel()
            if order.state == "cancel":
                order.action_draft()
        elif status == REJECTED and state != "cancel":
            self._check_uninvoiced(order)
            order._action_cancel()

    def apply_remote_values(self, record, values):
        order = record.with_context(**{NO_PUSH: True})
        status = values.get("status")
        vals = self._order_vals(values, order)
        if vals is None:
            raise QBODependencyPending(self.env._("Its customer is not in Odoo yet."))
        if "order_line" in vals and order.state == "sale":
            # Odoo changes the lines of a quotation only: back to one, then confirmed again.
            self._check_uninvoiced(order)
            status = status or ACCEPTED
            self._apply_status(order, PENDING)
        if vals:
            order.write(vals)
        if status:
            self._apply_status(order, status)

    def remote_deleted(self, record):
        if record.state != "cancel":
            self._check_uninvoiced(record)
            record._action_cancel()
        return self.env._("Deleted in QuickBooks: cancelled in Odoo.")

    def object_name(self, data):
        data = data or {}
        return "%s %s" % (self.env._("Estimate"), data.get("DocNumber") or data.get("Id") or "")
