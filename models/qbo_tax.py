"""QuickBooks tax codes and terms (read, never created) and the per-connection map from Odoo's sales
taxes to QuickBooks tax codes: what a sales document's lines and TxnTaxDetail say.

Read by the first sync that needs them (``_qbo_taxes_ready``, with the accounts) and again on
"Refresh QuickBooks Accounts"; the map is pre-filled by equal names, else equal rates, editable.
US companies: an Odoo tax maps to a combined code (its rate, the document's TxnTaxCodeRef), lines
say TAX/NON. Elsewhere: each line names the code of its taxes (several taxes: the code whose rates
are theirs together), and every rate's amount is Odoo's.
"""

from decimal import Decimal

from odoo import api, fields, models

from ..utils.mappers.invoice import US_PSEUDO_CODES


class QboTaxCode(models.Model):
    _name = "qbo.tax.code"
    _inherit = "qbo.connection.owned"
    _description = "QuickBooks Online Tax Code"
    _order = "name, id"

    qbo_id = fields.Char("QuickBooks Id", required=True)
    name = fields.Char(required=True)
    rate = fields.Float("Rate (%)", digits=(16, 4), help="The sum of the code's sales rates.")
    # [[TaxRate Id, name, percent as text], ...]: the rates a document's TaxLines name.
    rates = fields.Json()
    active = fields.Boolean(default=True)

    _sql_constraints = [("qbo_uniq", "unique(connection_id, qbo_id)", "A QuickBooks tax code is read once.")]

    @api.depends("name", "rate")
    def _compute_display_name(self):
        for code in self:
            code.display_name = "%s (%s %%)" % (code.name, ("%.4f" % code.rate).rstrip("0").rstrip("."))


class QboTaxMap(models.Model):
    _name = "qbo.tax.map"
    _inherit = "qbo.connection.owned"
    _description = "QuickBooks Online Tax Mapping"
    _order = "tax_id"

    tax_id = fields.Many2one("account.tax", "Odoo Tax", required=True, ondelete="cascade",
                             domain="[('type_tax_use', '=', 'sale'), ('company_id', '=', company_id)]")
    qbo_tax_code_id = fields.Many2one("qbo.tax.code", "QuickBooks Tax Code", required=True, ondelete="cascade",
                                      domain="[('connection_id', '=', connection_id)]")

    _sql_constraints = [("tax_uniq", "unique(connection_id, tax_id)",
                         "An Odoo tax maps to one QuickBooks tax code per connection.")]


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    qbo_tax_code_ids = fields.One2many("qbo.tax.code", "connection_id", "QuickBooks Tax Codes",
                                       context={"active_test": False})
    tax_map_ids = fields.One2many("qbo.tax.map", "connection_id", "Tax Mapping")
    # {Term Id: [name, due days]}: SalesTermRef ⇄ payment terms by name or days.
    qbo_terms = fields.Json(copy=False, readonly=True)
    # QuickBooks' sales-form preferences the mapping follows (AllowDiscount...), read with the lists.
    qbo_sales_prefs = fields.Json(copy=False, readonly=True)
    sale_journal_id = fields.Many2one(
        "account.journal", "Sales Journal", domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        help="Where invoices and credit notes made in QuickBooks are created (default: the company's first "
             "sales journal).")
    import_invoices_as_draft = fields.Boolean(
        "Downloaded Documents as Drafts", help="Create QuickBooks' invoices and credit notes as drafts in Odoo "
                                               "(to post by hand) instead of posting them.")

    def _qbo_taxes_ready(self, job):
        """Read QuickBooks' tax codes, rates, terms and sales-form preferences (with the accounts,
        once, or again after a refresh), then pre-fill the tax map. One request per list."""
        self.ensure_one()
        rates = {str(r["Id"]): (r.get("Name") or r["Id"], str(r.get("RateValue") or 0))
                 for r in self._qbo_request(job, "query_all", "TaxRate", None)}
        Code = self.env["qbo.tax.code"].sudo().with_context(active_test=False)
        known = {code.qbo_id: code for code in Code.search([("connection_id", "=", self.id)])}
        for data in self._qbo_request(job, "query_all", "TaxCode", None):
            details = (data.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []
            code_rates = [[str(d["TaxRateRef"]["value"]), *rates.get(str(d["TaxRateRef"]["value"]), ("", "0"))]
                          for d in details]
            values = {"name": data.get("Name") or data["Id"], "rates": code_rates,
                      "rate": float(sum(Decimal(r[2]) for r in code_rates)), "active": data.get("Active") is not False}
            code = known.get(str(data["Id"]))
            if code:
                code.write(values)
            else:
                known[str(data["Id"])] = Code.create(dict(values, connection_id=self.id, qbo_id=str(data["Id"])))
        self.sudo().qbo_terms = {str(t["Id"]): [t.get("Name"), t.get("DueDays")]
                                 for t in self._qbo_request(job, "query_all", "Term", None)}
        prefs = next(iter(self._qbo_request(job, "query_all", "Preferences", None)), {})
        self.sudo().qbo_sales_prefs = {key: value for key, value in (prefs.get("SalesFormsPrefs") or {}).items()
                                       if key in ("AllowDiscount", "AllowShipping", "CustomTxnNumbers")}
        self._qbo_prefill_tax_map([code for qbo_id, code in known.items() if qbo_id not in US_PSEUDO_CODES])

    def _qbo_prefill_tax_map(self, codes):
        """Map each unmapped sales tax of the company to the code of its name, else of its rate."""
        active = [code for code in codes if code.active]
        by_name = {code.name.casefold(): code for code in active}
        mapped = set(self.tax_map_ids.tax_id.ids)
        taxes = self.env["account.tax"].sudo().search([
            ("company_id", "=", self.company_id.id), ("type_tax_use", "=", "sale")])
        new = []
        for tax in taxes:
            if tax.id in mapped:
                continue
            percent = sum(tax.children_tax_ids.mapped("amount")) if tax.amount_type == "group" else tax.amount
            code = by_name.get(tax.name.casefold()) or next(
                (c for c in active if round(c.rate, 4) == round(percent, 4)), None)
            if code:
                new.append({"connection_id": self.id, "tax_id": tax.id, "qbo_tax_code_id": code.id})
        self.env["qbo.tax.map"].sudo().create(new)
