"""The tax map of a connection as the mappers use it (read once per run by the adapters that
need it: documents' lines and TxnTaxDetail, items' SalesTaxCodeRef). Not a model: the models
are in ``qbo_tax.py``."""

from decimal import Decimal

from odoo.tools import SQL

from ..utils.mappers import invoice as invoice_mapper


class TaxMaps:
    """The connection's tax codes and map, read once per run (the adapters keep it)."""

    def __init__(self, connection):
        self.us = (connection.qbo_country or "US") == "US"
        connection.env["qbo.tax.map"].flush_model()
        connection.env.cr.execute(SQL(
            "SELECT m.tax_id, c.qbo_id FROM qbo_tax_map m JOIN qbo_tax_code c ON c.id = m.qbo_tax_code_id "
            "WHERE m.connection_id = %s ORDER BY m.id", connection.id))
        self.to_code, self.to_tax = {}, {}
        for tax_id, qbo_id in connection.env.cr.fetchall():
            self.to_code[tax_id] = qbo_id
            self.to_tax.setdefault(qbo_id, tax_id)
        codes = connection.env["qbo.tax.code"].sudo().search([("connection_id", "=", connection.id)])
        self.codes = {code.qbo_id: {"name": code.name, "active": code.active,
                                    "rates": [(str(r[0]), Decimal(str(r[2]))) for r in code.rates or []]}
                      for code in codes}
        # A line without tax outside the US: the zero-rate code (QuickBooks wants one on every line).
        zero = [qbo_id for qbo_id, code in self.codes.items()
                if code["active"] and qbo_id not in invoice_mapper.US_PSEUDO_CODES and code["rates"]
                and not any(percent for _rate, percent in code["rates"])]
        self.zero_code = zero[0] if zero else None

    def code_of(self, taxes):
        """The QuickBooks code of a line's Odoo ``taxes`` (several: the code with all their rates),
        None when unmapped."""
        codes = [self.to_code.get(tax.id) for tax in taxes]
        if not codes or None in codes:
            return None
        if len(set(codes)) == 1:
            return codes[0]
        wanted = sorted(rate for code in codes for rate, _percent in self.codes.get(code, {}).get("rates", []))
        return next((qbo_id for qbo_id, code in self.codes.items()
                     if code["active"] and sorted(rate for rate, _p in code["rates"]) == wanted), None)

    def rate_of(self, tax, code_id):
        """The TaxRate of ``code_id`` that Odoo's (child) ``tax`` amounts to: the code's only rate,
        else the one of the same percent."""
        rates = self.codes.get(code_id, {}).get("rates", [])
        if len(rates) == 1:
            return rates[0][0]
        percent = Decimal(str(tax.amount))
        return next((rate for rate, p in rates if p == percent), rates[0][0] if rates else None)
