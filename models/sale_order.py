"""Quotations and orders as QuickBooks Estimates see them (docs/ENGINE.md §9e): QuickBooks' number,
status, acceptance and total, the revenue category of each line, and the sales stages an
estimate's status moves its opportunity to when CRM (``sale_crm``) is installed: the stage map,
per connection (so per company), editable."""

from odoo import api, fields, models

from ..utils.mappers.estimate import ACCEPTED, CLOSED, PENDING, REJECTED, STATUSES

WON = "won"
STAGE_STATUSES = [(PENDING, "Estimate pending"), (ACCEPTED, "Estimate accepted"), (CLOSED, "Estimate closed"),
                  (REJECTED, "Estimate rejected"), (WON, "Invoice or credit note synced")]
# The seeds' table (Pending → Qualified 40 %, Accepted → Advanced 80 %, Closed → Advanced 90 %,
# Rejected → Lost 0 %, an invoice → Won 100 %) on Odoo's own stages: {status: (stage xmlid, %)}.
# Lost is no stage in Odoo: a lead with 0 % is marked lost (archived, as Odoo's "Lost" button).
DEFAULT_STAGES = {PENDING: ("crm.stage_lead2", 40), ACCEPTED: ("crm.stage_lead3", 80),
                  CLOSED: ("crm.stage_lead3", 90), REJECTED: (None, 0), WON: ("crm.stage_lead4", 100)}


def crm_installed(env):
    """Whether quotations belong to opportunities here (``sale_crm``)."""
    return "opportunity_id" in env["sale.order"]._fields


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "qbo.sync.mixin"]

    qbo_doc_number = fields.Char("QuickBooks Number", copy=False, readonly=True,
                                 help="The estimate's number in QuickBooks (DocNumber).")
    qbo_estimate_status = fields.Selection(
        [(status, status) for status in STATUSES], "QuickBooks Status", copy=False, readonly=True, index=True,
        help="The estimate's status in QuickBooks after the last sync: Pending (a quotation), Accepted (a "
             "confirmed order), Closed (invoiced), Rejected (cancelled).")
    qbo_accepted_by = fields.Char("Accepted By", copy=False, readonly=True,
                                  help="Who accepted the estimate, as QuickBooks says.")
    qbo_accepted_date = fields.Date("Accepted On", copy=False, readonly=True)
    qbo_total = fields.Monetary("QuickBooks Total", copy=False, readonly=True)
    qbo_totals_differ = fields.Boolean(
        "QuickBooks Totals Differ", copy=False, readonly=True,
        help="QuickBooks' total or tax is not Odoo's after the last sync: see the QuickBooks tab and the sync log.")

    def _qbo_set_stage(self, connection, status):
        """Move the opportunities of these orders to the stage of ``status`` (the connection's
        stage map): 0 % marks them lost, a won stage wins them. Nothing without CRM, and nothing
        for an opportunity already won (an invoice won it) or closed by hand."""
        if not crm_installed(self.env):
            return
        stage_id, probability = connection._qbo_stage_map().get(status, (None, None))
        if probability is None:
            return
        leads = self.opportunity_id.filtered(lambda lead: lead.active and not lead.stage_id.is_won)
        if not leads:
            return
        stage = self.env["crm.stage"].browse(stage_id).exists()
        if stage.is_won:
            leads.action_set_won()
        elif probability <= 0:
            leads.action_set_lost()
        else:
            leads.write({**({"stage_id": stage.id} if stage else {}), "probability": probability})


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    qbo_category_id = fields.Many2one(
        related="product_id.categ_id", string="Revenue Category", store=True,
        help="The product's category: QuickBooks' category of the item (revenue categories).")
    qbo_estimate_status = fields.Selection(related="order_id.qbo_estimate_status", store=True)


class QboStageMap(models.Model):
    """An estimate status (or a synced invoice) and the sales stage it moves the opportunity to."""

    _name = "qbo.stage.map"
    _inherit = "qbo.connection.owned"
    _description = "QuickBooks Online Sales Stage Mapping"
    _order = "id"

    status = fields.Selection(STAGE_STATUSES, required=True, readonly=True)
    stage = fields.Selection("_stage_selection", "Sales Stage",
                             help="Empty: the opportunity keeps its stage (only its probability changes).")
    probability = fields.Float(help="0 marks the opportunity lost.")

    _sql_constraints = [("status_uniq", "unique(connection_id, status)", "One stage per status.")]

    @api.model
    def _stage_selection(self):
        if "crm.stage" not in self.env:
            return []
        return [(str(stage.id), stage.name) for stage in self.env["crm.stage"].sudo().search([])]


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    stage_map_ids = fields.One2many("qbo.stage.map", "connection_id", "Sales Stages")
    crm_installed = fields.Boolean(compute="_compute_crm_installed")

    def _compute_crm_installed(self):
        self.crm_installed = crm_installed(self.env)

    @api.model_create_multi
    def create(self, vals_list):
        connections = super().create(vals_list)
        if crm_installed(self.env):
            for connection in connections:
                connection._qbo_stage_map()
        return connections

    def _qbo_stage_map(self):
        """{status: (crm.stage id or None, probability)}; the default rows made on first use."""
        self.ensure_one()
        if not self.sudo().stage_map_ids:
            rows = []
            for status, (xmlid, probability) in DEFAULT_STAGES.items():
                stage = xmlid and self.env.ref(xmlid, raise_if_not_found=False)
                rows.append({"connection_id": self.id, "status": status, "probability": probability,
                             "stage": str(stage.id) if stage else False})
            self.env["qbo.stage.map"].sudo().create(rows)
        return {row.status: (int(row.stage) if row.stage else None, row.probability)
                for row in self.sudo().stage_map_ids}
