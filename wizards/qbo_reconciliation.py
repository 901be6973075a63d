"""The QuickBooks reconciliation report (issue 13.3): per customer, what Odoo and QuickBooks say was
invoiced, paid and is still open over a period, the difference highlighted, and the documents on
each side that explain it (missing on one side, another total, another open amount).

QuickBooks' side is read from QuickBooks when the report is made (its documents' TotalAmt and
Balance, in the home currency), never from what Odoo stored. Amounts are in the company's
currency; money is compared with the currency's rounding."""

import base64
import io
from decimal import Decimal

import xlsxwriter

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..models.qbo_sync_mixin import QBO_USER, check_qbo_group
from ..utils.mappers.common import money
from ..utils.mappers.invoice import is_voided
from ..utils.qbo_client import QBOError

# QuickBooks entity: (Odoo move type, sign of its amounts in the report).
DOCUMENTS = {"Invoice": ("out_invoice", 1), "SalesReceipt": ("out_invoice", 1), "CreditMemo": ("out_refund", -1)}
ISSUES = [("ok", "Same"), ("missing_qbo", "Not in QuickBooks"), ("missing_odoo", "Not in Odoo"),
          ("total", "Another total"), ("open", "Another open amount")]
FIGURES = ("invoiced", "paid", "open")


class QboReconciliation(models.TransientModel):
    _name = "qbo.reconciliation"
    _description = "QuickBooks Online Reconciliation"

    connection_id = fields.Many2one("qbo.connection", required=True, readonly=True,
                                    default=lambda self: self.env["qbo.connection"]._qbo_for_company(self.env.company))
    company_id = fields.Many2one(related="connection_id.company_id")
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date("From", help="Documents dated on or after this day (empty: from the first).")
    date_to = fields.Date("To", help="Documents dated on or before this day (empty: up to today).")
    only_differences = fields.Boolean("Only Customers with a Difference")
    line_ids = fields.One2many("qbo.reconciliation.line", "report_id", "Customers")
    document_ids = fields.One2many("qbo.reconciliation.document", "report_id", "Documents")
    difference_count = fields.Integer("Customers with a Difference", readonly=True)
    computed_at = fields.Datetime("Read from QuickBooks at", readonly=True)

    def _compute_display_name(self):
        for report in self:
            report.display_name = self.env._("QuickBooks Reconciliation")

    # -- making the report ---------------------------------------------------------------------
    def action_compute(self):
        """Read both sides and fill the lines and documents.

        :raises AccessError: the caller is no QuickBooks user
        :raises UserError: QuickBooks could not be read (with its reason)
        """
        self.ensure_one()
        check_qbo_group(self.env, QBO_USER)
        connection = self.connection_id.sudo()
        if connection.state != "connected":
            raise UserError(self.env._("The company is not connected to QuickBooks Online."))
        documents = self._qbo_documents(connection)
        self.line_ids.unlink()
        self.document_ids.unlink()
        self.env["qbo.reconciliation.document"].create([dict(doc, report_id=self.id) for doc in documents])
        self.env["qbo.reconciliation.line"].create(self._qbo_lines(documents))
        self.write({"difference_count": len(self.line_ids.filtered("has_difference")),
                    "computed_at": fields.Datetime.now()})
        return self._qbo_reopen()

    def _qbo_reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "name": self.display_name, "target": "current", "context": {"form_view_initial_mode": "edit"}}

    def _qbo_where(self):
        dates = ["TxnDate >= '%s'" % self.date_from.isoformat()] if self.date_from else []
        dates += ["TxnDate <= '%s'" % self.date_to.isoformat()] if self.date_to else []
        return " AND ".join(dates) or None

    def _qbo_documents(self, connection):
        """Document rows (values of ``qbo.reconciliation.document``) of both sides, paired by
        their link."""
        currency = self.currency_id
        Binding = self.env["qbo.binding"].sudo()
        remote = {}
        try:
            for entity in DOCUMENTS:
                remote[entity] = {str(row["Id"]): row for row in connection._qbo_call("query_all", entity,
                                                                                      self._qbo_where())
                                  if not is_voided(row)}
        except QBOError as e:
            raise UserError(self.env._("QuickBooks could not be read: %s", e)) from e
        customers = {b.qbo_id: b.res_id for b in Binding.search([
            ("connection_id", "=", connection.id), ("qbo_entity", "=", "Customer"), ("res_id", "!=", False)])}
        domain = [("company_id", "=", self.company_id.id), ("state", "=", "posted"),
                  ("move_type", "in", ("out_invoice", "out_refund"))]
        domain += [("invoice_date", ">=", self.date_from)] if self.date_from else []
        domain += [("invoice_date", "<=", self.date_to)] if self.date_to else []
        moves = self.env["account.move"].search(domain)
        links = {(b.res_id): (b.qbo_entity, b.qbo_id) for b in Binding.search([
            ("connection_id", "=", connection.id), ("res_model", "=", "account.move"), ("res_id", "in", moves.ids),
            ("qbo_entity", "in", list(DOCUMENTS)), ("qbo_id", "!=", False)])}
        rows = []
        for move in moves:
            entity, qbo_id = links.get(move.id, (None, None))
            data = remote.get(entity, {}).pop(qbo_id, None) if entity else None
            sign = 1 if move.move_type == "out_invoice" else -1
            row = {"partner_id": move.commercial_partner_id.id, "move_id": move.id, "name": move.name,
                   "date": move.invoice_date, "odoo_total": move.amount_total_signed,
                   "odoo_open": move.amount_residual_signed, "qbo_entity": entity or False, "qbo_id": qbo_id or False}
            if data:
                row.update(self._qbo_figures(data, sign))
                total_differs = currency.compare_amounts(row["odoo_total"], row["qbo_total"])
                open_differs = currency.compare_amounts(row["odoo_open"], row["qbo_open"])
                row["issue"] = "total" if total_differs else "open" if open_differs else "ok"
            else:
                row["issue"] = "missing_qbo"
            rows.append(row)
        for entity, objects in remote.items():  # QuickBooks' documents Odoo has no counterpart of
            sign = DOCUMENTS[entity][1]
            for qbo_id, data in objects.items():
                customer = ((data.get("CustomerRef") or {}).get("value")) or ""
                rows.append({"partner_id": customers.get(str(customer), False), "qbo_entity": entity, "qbo_id": qbo_id,
                             "name": data.get("DocNumber") or qbo_id, "date": data.get("TxnDate") or False,
                             "qbo_customer": (data.get("CustomerRef") or {}).get("name") or customer,
                             "odoo_total": 0, "odoo_open": 0, "issue": "missing_odoo",
                             **self._qbo_figures(data, sign)})
        return rows

    @staticmethod
    def _qbo_figures(data, sign):
        """QuickBooks' total and open amount of a document in the home currency, signed."""
        total = money(data.get("HomeTotalAmt") if data.get("HomeTotalAmt") is not None else data.get("TotalAmt"))
        balance = money(data.get("HomeBalance") if data.get("HomeBalance") is not None else data.get("Balance"))
        return {"qbo_total": float(sign * (total or Decimal(0))), "qbo_open": float(sign * (balance or Decimal(0)))}

    def _qbo_lines(self, documents):
        """One line per customer: the sums of its documents on each side."""
        currency = self.currency_id
        sums = {}
        for doc in documents:
            key = doc["partner_id"] or "qbo:%s" % doc.get("qbo_customer", "")
            line = sums.setdefault(key, {"report_id": self.id, "partner_id": doc["partner_id"] or False,
                                         "qbo_customer": doc.get("qbo_customer") or False, "document_count": 0,
                                         **{"%s_%s" % (side, f): 0.0 for side in ("odoo", "qbo") for f in FIGURES}})
            line["document_count"] += 1
            line["odoo_invoiced"] += doc["odoo_total"]
            line["odoo_open"] += doc["odoo_open"]
            line["qbo_invoiced"] += doc.get("qbo_total", 0.0)
            line["qbo_open"] += doc.get("qbo_open", 0.0)
        lines = []
        for line in sums.values():
            for side in ("odoo", "qbo"):
                line["%s_paid" % side] = currency.round(line["%s_invoiced" % side] - line["%s_open" % side])
            line["difference"] = currency.round(line["qbo_open"] - line["odoo_open"])
            line["has_difference"] = any(currency.compare_amounts(line["odoo_%s" % f], line["qbo_%s" % f])
                                         for f in FIGURES)
            if line["has_difference"] or not self.only_differences:
                lines.append(line)
        return lines

    # -- XLSX -----------------------------------------------------------------------------------
    def action_export_xlsx(self):
        """The report as an XLSX file: the customers, then the documents that differ.

        :raises AccessError: the caller is no QuickBooks user
        """
        self.ensure_one()
        check_qbo_group(self.env, QBO_USER)
        if not self.computed_at:
            self.action_compute()
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        bold = book.add_format({"bold": True})
        amount = book.add_format({"num_format": "#,##0.00"})
        red = book.add_format({"num_format": "#,##0.00", "font_color": "#c00000", "bold": True})
        Line, Doc = self.env["qbo.reconciliation.line"], self.env["qbo.reconciliation.document"]
        sheets = (
            (self.env._("Customers"), Line, self.line_ids, ["display_name", "document_count", "odoo_invoiced",
                                                            "qbo_invoiced", "odoo_paid", "qbo_paid", "odoo_open",
                                                            "qbo_open", "difference"]),
            (self.env._("Documents"), Doc, self.document_ids.filtered(lambda d: d.issue != "ok"),
             ["partner_display", "name", "date", "qbo_entity", "qbo_id", "odoo_total", "qbo_total", "odoo_open",
              "qbo_open", "issue"]),
        )
        for title, Model, records, columns in sheets:
            sheet = book.add_worksheet(title)
            for col, name in enumerate(columns):
                header = self.env._("Customer") if name in ("display_name", "partner_display") \
                    else Model._fields[name].string
                sheet.write(0, col, header, bold)
                sheet.set_column(col, col, 30 if col == 0 else 16)
            for row, record in enumerate(records, start=1):
                differs = record.has_difference if Model is Line else record.issue != "ok"
                for col, name in enumerate(columns):
                    field = Model._fields[name]
                    value = record[name]
                    if field.type in ("float", "monetary", "integer"):
                        sheet.write_number(row, col, value, red if differs and name == "difference" else amount)
                    elif field.type == "selection":
                        sheet.write(row, col, dict(field._description_selection(self.env)).get(value, ""))
                    elif field.type == "date":
                        sheet.write(row, col, format_date(self.env, value) if value else "")
                    else:
                        sheet.write(row, col, value if value not in (False, None) else "")
        book.close()
        attachment = self.env["ir.attachment"].create({
            "name": "quickbooks_reconciliation_%s.xlsx" % fields.Date.context_today(self).isoformat(),
            "datas": base64.b64encode(buffer.getvalue()), "res_model": self._name, "res_id": self.id,
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
        return {"type": "ir.actions.act_url", "url": "/web/content/%s?download=true" % attachment.id,
                "target": "self"}


class QboReconciliationRow(models.AbstractModel):
    """What a customer line and a document line share: their report and their customer (an
    Odoo partner, or QuickBooks' name of a customer Odoo has not)."""

    _name = "qbo.reconciliation.row"
    _description = "QuickBooks Online Reconciliation Row"

    report_id = fields.Many2one("qbo.reconciliation", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    qbo_customer = fields.Char("QuickBooks Customer", readonly=True,
                               help="A QuickBooks customer Odoo has no partner of.")
    partner_display = fields.Char("Customer Name", compute="_compute_partner_display")

    def _compute_partner_display(self):
        for row in self:
            row.partner_display = row.partner_id.display_name or row.qbo_customer or ""


class QboReconciliationLine(models.TransientModel):
    _name = "qbo.reconciliation.line"
    _inherit = "qbo.reconciliation.row"
    _description = "QuickBooks Online Reconciliation: Customer"
    _order = "has_difference desc, difference, id"

    document_count = fields.Integer("Documents", readonly=True)
    odoo_invoiced = fields.Monetary("Invoiced (Odoo)", readonly=True)
    qbo_invoiced = fields.Monetary("Invoiced (QuickBooks)", readonly=True)
    odoo_paid = fields.Monetary("Paid (Odoo)", readonly=True)
    qbo_paid = fields.Monetary("Paid (QuickBooks)", readonly=True)
    odoo_open = fields.Monetary("Open (Odoo)", readonly=True)
    qbo_open = fields.Monetary("Open (QuickBooks)", readonly=True)
    difference = fields.Monetary(readonly=True, help="QuickBooks' open amount less Odoo's.")
    has_difference = fields.Boolean(readonly=True)

    def _compute_display_name(self):
        self._compute_partner_display()
        for line in self:
            line.display_name = line.partner_display

    def action_open_documents(self):
        """The documents of this customer on both sides, those that differ first."""
        self.ensure_one()
        check_qbo_group(self.env, QBO_USER)
        return {
            "type": "ir.actions.act_window", "name": self.display_name, "res_model": "qbo.reconciliation.document",
            "view_mode": "list", "target": "new",
            "domain": [("report_id", "=", self.report_id.id), ("partner_id", "=", self.partner_id.id),
                       *([("qbo_customer", "=", self.qbo_customer)] if not self.partner_id else [])],
        }


class QboReconciliationDocument(models.TransientModel):
    _name = "qbo.reconciliation.document"
    _inherit = "qbo.reconciliation.row"
    _description = "QuickBooks Online Reconciliation: Document"
    _order = "issue desc, date, id"

    move_id = fields.Many2one("account.move", "Odoo Document", readonly=True)
    name = fields.Char("Number", readonly=True)
    date = fields.Date(readonly=True)
    qbo_entity = fields.Char("QuickBooks Type", readonly=True)
    qbo_id = fields.Char("QuickBooks Id", readonly=True)
    odoo_total = fields.Monetary("Total (Odoo)", readonly=True)
    qbo_total = fields.Monetary("Total (QuickBooks)", readonly=True)
    odoo_open = fields.Monetary("Open (Odoo)", readonly=True)
    qbo_open = fields.Monetary("Open (QuickBooks)", readonly=True)
    issue = fields.Selection(ISSUES, readonly=True)
