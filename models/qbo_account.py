"""QuickBooks accounts (read, never created) and the per-connection map from Odoo's income and
expense accounts to them: what an Item's IncomeAccountRef / ExpenseAccountRef says.

The accounts are read by the first sync that needs them (``_qbo_accounts_ready``) and again when
a manager asks ("Refresh QuickBooks Accounts"); the map is pre-filled by equal names, and the
connection's default income and expense accounts by QuickBooks' usual ones, all editable.
"""

from odoo import api, fields, models
from odoo.tools import SQL

# QuickBooks AccountType of the accounts an item posts to, per Odoo side.
INCOME_TYPES = ("Income", "Other Income")
EXPENSE_TYPES = ("Cost of Goods Sold", "Expense", "Other Expense")
# QuickBooks' own accounts for items, preferred as defaults (a new company has them).
DEFAULT_INCOME_NAMES = ("Sales of Product Income", "Sales", "Services")
DEFAULT_EXPENSE_NAMES = ("Cost of Goods Sold",)
# Where a payment is deposited (DepositToAccountRef), and QuickBooks' default for it.
DEPOSIT_TYPES = ("Bank", "Other Current Asset")
UNDEPOSITED_FUNDS = "Undeposited Funds"
# Odoo account types mapped (account.account account_type).
ODOO_ACCOUNT_TYPES = ("income", "income_other", "expense", "expense_direct_cost")


class QboConnectionOwned(models.AbstractModel):
    """What QuickBooks' lists read per connection and their maps share: the connection (they go
    with it) and its company (the record rules)."""

    _name = "qbo.connection.owned"
    _description = "QuickBooks Online Connection Data"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True)


class QboAccount(models.Model):
    _name = "qbo.account"
    _inherit = "qbo.connection.owned"
    _description = "QuickBooks Online Account"
    _order = "fully_qualified_name, id"
    _rec_names_search = ["fully_qualified_name", "name"]

    qbo_id = fields.Char("QuickBooks Id", required=True)
    name = fields.Char(required=True)
    fully_qualified_name = fields.Char("Full Name")
    account_type = fields.Char("Type")
    active = fields.Boolean(default=True)

    _sql_constraints = [("qbo_uniq", "unique(connection_id, qbo_id)", "A QuickBooks account is read once.")]

    @api.depends("fully_qualified_name", "name", "account_type")
    def _compute_display_name(self):
        for account in self:
            name = account.fully_qualified_name or account.name
            account.display_name = "%s (%s)" % (name, account.account_type) if account.account_type else name


class QboAccountMap(models.Model):
    _name = "qbo.account.map"
    _inherit = "qbo.connection.owned"
    _description = "QuickBooks Online Account Mapping"
    _order = "account_id"

    account_id = fields.Many2one(
        "account.account", "Odoo Account", required=True, ondelete="cascade",
        domain="[('account_type', 'in', %s)]" % (ODOO_ACCOUNT_TYPES,))
    qbo_account_id = fields.Many2one(
        "qbo.account", "QuickBooks Account", required=True, ondelete="cascade",
        domain="[('connection_id', '=', connection_id)]")

    _sql_constraints = [("account_uniq", "unique(connection_id, account_id)",
                         "An Odoo account maps to one QuickBooks account per connection.")]


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    qbo_account_ids = fields.One2many("qbo.account", "connection_id", "QuickBooks Accounts",
                                      context={"active_test": False})
    account_map_ids = fields.One2many("qbo.account.map", "connection_id", "Account Mapping")
    journal_map_ids = fields.One2many("qbo.journal.map", "connection_id", "Deposit Accounts")
    qbo_accounts_read = fields.Boolean(copy=False, readonly=True)

    def action_qbo_refresh_accounts(self):
        """Read QuickBooks' accounts again with the next download (the cron is woken now).

        :raises AccessError: the caller is no QuickBooks manager
        """
        self.check_access("write")
        self.sudo().write({"qbo_accounts_read": False})
        self._qbo_cron("pull")._trigger()
        return self._qbo_notification(self.env._(
            "QuickBooks' accounts are read again with the next download, in a moment."), "info")

    def _qbo_accounts_ready(self, job):
        """Read QuickBooks' accounts (and tax codes, rates and terms: ``_qbo_taxes_ready``) when
        they were not yet (or a refresh was asked), then pre-fill what is unset: the map by equal
        names, the defaults by QuickBooks' usual accounts. Nothing when read already."""
        self.ensure_one()
        if self.qbo_accounts_read:
            return
        Account = self.env["qbo.account"].sudo().with_context(active_test=False)
        known = {account.qbo_id: account for account in Account.search([("connection_id", "=", self.id)])}
        for data in self._qbo_request(job, "query_all", "Account", "Active IN (true, false)"):
            values = {"name": data.get("Name") or data.get("Id"), "account_type": data.get("AccountType"),
                      "fully_qualified_name": data.get("FullyQualifiedName") or data.get("Name"),
                      "active": data.get("Active") is not False}
            account = known.get(str(data.get("Id")))
            if account:
                account.write(values)
            else:
                known[str(data.get("Id"))] = Account.create(dict(values, connection_id=self.id, qbo_id=str(data["Id"])))
        self._qbo_prefill_account_map(list(known.values()))
        self._qbo_read_payment_methods(job)
        self._qbo_prefill_journal_map(list(known.values()))
        self._qbo_taxes_ready(job)
        self.sudo().qbo_accounts_read = True

    def _qbo_prefill_account_map(self, qbo_accounts):
        by_name = {}
        for account in qbo_accounts:
            if account.active:
                by_name.setdefault((account.fully_qualified_name or account.name).casefold(), account)
                by_name.setdefault(account.name.casefold(), account)
        mapped = set(self.account_map_ids.account_id.ids)
        odoo_accounts = self.env["account.account"].sudo().with_company(self.company_id).search([
            *self.env["account.account"]._check_company_domain(self.company_id),
            ("account_type", "in", ODOO_ACCOUNT_TYPES)])
        self.env["qbo.account.map"].sudo().create([
            {"connection_id": self.id, "account_id": account.id, "qbo_account_id": by_name[account.name.casefold()].id}
            for account in odoo_accounts if account.id not in mapped and account.name.casefold() in by_name])

        def pick(names, types):
            active = [a for a in qbo_accounts if a.active and a.account_type in types]
            return next((a for name in names for a in active if a.name == name), active[:1] and active[0])

        if not self.default_income_account_id:
            self.sudo().default_income_account_id = pick(DEFAULT_INCOME_NAMES, INCOME_TYPES) or False
        if not self.default_expense_account_id:
            self.sudo().default_expense_account_id = pick(DEFAULT_EXPENSE_NAMES, EXPENSE_TYPES) or False

    def _qbo_read_payment_methods(self, job):
        """QuickBooks' payment methods (Cash, Check, cards...), for the journal map."""
        Method = self.env["qbo.payment.method"].sudo().with_context(active_test=False)
        known = {m.qbo_id: m for m in Method.search([("connection_id", "=", self.id)])}
        for data in self._qbo_request(job, "query_all", "PaymentMethod", "Active IN (true, false)"):
            values = {"name": data.get("Name") or data.get("Id"), "active": data.get("Active") is not False}
            if str(data.get("Id")) in known:
                known[str(data["Id"])].write(values)
            else:
                Method.create(dict(values, connection_id=self.id, qbo_id=str(data["Id"])))

    def _qbo_prefill_journal_map(self, qbo_accounts):
        """Each bank and cash journal not mapped yet: the QuickBooks bank account of its name, else
        Undeposited Funds (where QuickBooks keeps payments until they are deposited); a cash
        journal's payments are QuickBooks' "Cash" method."""
        deposit = [a for a in qbo_accounts if a.active and a.account_type in DEPOSIT_TYPES]
        by_name = {a.name.casefold(): a for a in deposit}
        fallback = next((a for a in deposit if a.name == UNDEPOSITED_FUNDS), None)
        journals = self.env["account.journal"].sudo().search([
            ("company_id", "=", self.company_id.id), ("type", "in", ("bank", "cash")),
            ("id", "not in", self.journal_map_ids.journal_id.ids)])
        cash = self.env["qbo.payment.method"].sudo().search([("connection_id", "=", self.id),
                                                              ("name", "=ilike", "cash")], limit=1)
        self.env["qbo.journal.map"].sudo().create([
            {"connection_id": self.id, "journal_id": journal.id,
             "qbo_account_id": (by_name.get(journal.name.casefold()) or fallback).id,
             "qbo_payment_method_id": cash.id if journal.type == "cash" else False}
            for journal in journals if by_name.get(journal.name.casefold()) or fallback])

    def _qbo_journal_maps(self):
        """({journal id: (QuickBooks account id, payment method id or None)},
        {QuickBooks account id: journal id})."""
        to_qbo, to_odoo = {}, {}
        for line in self.journal_map_ids.sorted("id"):
            to_qbo[line.journal_id.id] = (line.qbo_account_id.qbo_id, line.qbo_payment_method_id.qbo_id or None)
            to_odoo.setdefault(line.qbo_account_id.qbo_id, line.journal_id.id)
        return to_qbo, to_odoo

    def _qbo_account_maps(self):
        """({Odoo account id: QuickBooks account id}, {QuickBooks account id: Odoo account id}),
        in one query (the adapter keeps them for its run)."""
        self.env["qbo.account.map"].flush_model()
        self.env.cr.execute(SQL(
            "SELECT m.account_id, a.qbo_id FROM qbo_account_map m JOIN qbo_account a ON a.id = m.qbo_account_id "
            "WHERE m.connection_id = %s ORDER BY m.id", self.id))
        to_qbo, to_odoo = {}, {}
        for account_id, qbo_id in self.env.cr.fetchall():
            to_qbo[account_id] = qbo_id
            to_odoo.setdefault(qbo_id, account_id)
        return to_qbo, to_odoo
