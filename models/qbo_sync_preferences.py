from odoo import api, fields, models

from .. import const


class QboSyncPreferences(models.AbstractModel):
    """What syncs and how: the fields the setup wizard edits and the connection keeps.

    One definition for both, so that the wizard copies them one to one (``_qbo_preference_fields``).
    """

    _name = "qbo.sync.preferences"
    _description = "QuickBooks Online Sync Preferences"

    environment = fields.Selection(const.ENVIRONMENTS, required=True, default="sandbox")
    custom_base_url = fields.Char(
        "Custom Server URL", help="Origin of a QuickBooks-compatible server, e.g. the local test server "
                                  "http://127.0.0.1:8765 (plain http only on 127.0.0.1 / localhost).")
    customer_direction = fields.Selection(const.DIRECTIONS, "Customers", required=True, default="both")
    product_direction = fields.Selection(const.DIRECTIONS, "Products", required=True, default="both")
    product_scope = fields.Selection(
        [("all", "All products"), ("used", "Only products used on synced documents")], "Products to Upload",
        required=True, default="all",
        help="Only products used on synced documents: an Odoo product goes to QuickBooks with the first synced "
             "invoice or credit note using it (QuickBooks' products all come down either way).")
    estimate_direction = fields.Selection(
        const.DIRECTIONS, "Quotations / Estimates", required=True, default="both")
    estimate_drafts = fields.Boolean(
        "Upload Draft Quotations",
        help="Also send quotations that are neither sent by e-mail nor confirmed. Off: a quotation goes to "
             "QuickBooks as a Pending estimate when it is sent, or as an Accepted one when it is confirmed.")
    estimate_opportunities = fields.Boolean(
        "Opportunities for QuickBooks Estimates", default=True,
        help="With CRM installed: an estimate downloaded from QuickBooks gets an opportunity, whose stage follows "
             "the estimate's status (the sales stages table).")
    invoice_direction = fields.Selection(
        const.DIRECTIONS, "Invoices and Credit Notes", required=True, default="both")
    payment_direction = fields.Selection(const.DIRECTIONS, "Payments", required=True, default="both")
    sales_receipts = fields.Boolean(
        "Sales Paid at Once as Sales Receipts",
        help="An Odoo invoice that is fully paid when it is first uploaded, by payments dated on its invoice date "
             "(an online payment, a payment registered with the posting), goes to QuickBooks as one sales receipt "
             "instead of an invoice and a payment. An invoice uploaded before its payment stays an invoice. "
             "QuickBooks' sales receipts always come down as a paid invoice with its payment.")
    sync_start_date = fields.Date(
        default=fields.Date.context_today,
        help="Without 'Import History', what is older than this day is not synced (customers: last changed "
             "before it; documents: dated before it).")
    import_history = fields.Boolean(
        default=True,
        help="Also sync what is older than the sync start date: on a full download, QuickBooks customers last "
             "changed (documents dated) before it; with Upload All, Odoo records last changed before it.")
    customer_scope = fields.Selection(const.CUSTOMER_SCOPES, "Customers to Sync", required=True, default="all")
    skip_customers_without_email = fields.Boolean()
    contacts_as_sub_customers = fields.Boolean(
        "Contacts as Sub-customers",
        help="Also send a company's other contacts and its other addresses to QuickBooks, as sub-customers. "
             "Off: one QuickBooks customer per company or individual, its oldest contact as the customer's "
             "contact person; QuickBooks' own sub-customers still come down.")
    partner_lang = fields.Selection(
        "_qbo_lang_selection", "Sync Language", default=lambda self: self.env.lang or "en_US",
        help="The language of product and category names sent to QuickBooks and written from it, and of the "
             "partners created from QuickBooks.")
    default_income_account_id = fields.Many2one(
        "qbo.account", domain="[('company_id', '=', company_id), ('account_type', 'in', ('Income', 'Other Income'))]",
        help="Where an item posts its sales when its Odoo income account maps to no QuickBooks account (the sync "
             "log says so). QuickBooks' accounts are read with the first sync.")
    default_expense_account_id = fields.Many2one(
        "qbo.account", domain="[('company_id', '=', company_id)]",
        help="Where an item posts its cost when its Odoo expense account maps to no QuickBooks account.")
    use_odoo_invoice_numbers = fields.Boolean(
        default=True,
        help="Send Odoo's invoice number as the QuickBooks DocNumber instead of letting QuickBooks number it.")
    push_interval = fields.Integer("Upload Every (minutes)", default=const.DEFAULT_PUSH_INTERVAL)
    pull_interval = fields.Integer("Download Every (minutes)", default=const.DEFAULT_PULL_INTERVAL)
    conflict_policy = fields.Selection(
        const.CONFLICT_POLICIES, "When Both Sides Changed", required=True, default="last_updated",
        help="What wins when a record changed in Odoo and in QuickBooks since the last sync. The other "
             "version is kept in the sync log and can be applied from there.")

    @api.model
    def _qbo_lang_selection(self):
        return self.env["res.lang"].get_installed()

    @api.model
    def _qbo_preference_fields(self):
        """Return the names of the preference fields (those defined here)."""
        return [name for name, field in self.env["qbo.sync.preferences"]._fields.items()
                if field.store and not field.automatic]
