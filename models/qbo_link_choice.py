"""First-link choices (issue 13.1): what a person decided, in the preview, about a weak match —
two records the engine would link on one key while another key differs (same name, another
e-mail; same e-mail, another name). "Keep apart": the pair is never linked (each side gets its
own); "skip": neither is synced (the QuickBooks object is not downloaded, the Odoo record not
uploaded). Linking is the engine's default and needs no row. The download's ``LocalMatcher``
and the upload's ``_qbo_push_match`` read them (``_qbo_link_choices``)."""

from odoo import fields, models

CHOICES = [("link", "Link these"), ("apart", "Keep apart"), ("skip", "Skip both")]


class QboLinkChoice(models.Model):
    _name = "qbo.link.choice"
    _inherit = "qbo.connection.owned"
    _description = "QuickBooks Online First-Link Choice"

    qbo_entity = fields.Char("QuickBooks Entity", required=True)
    res_id = fields.Integer("Odoo Record", required=True)
    qbo_id = fields.Char("QuickBooks Id", required=True)
    choice = fields.Selection([c for c in CHOICES if c[0] != "link"], required=True)

    _sql_constraints = [("pair_uniq", "unique(connection_id, qbo_entity, res_id, qbo_id)", "One choice per pair.")]


class QboConnection(models.Model):
    _inherit = "qbo.connection"  # pylint: disable=consider-merging-classes-inherited

    def _qbo_link_choices(self, job, entity):
        """{"apart": {QuickBooks id: {record ids}}, "apart_res": {record id: {QuickBooks ids}},
        "skip_qbo": {QuickBooks ids}, "skip_res": {record ids}} of ``entity``, read once per run."""
        cache = job.__dict__.setdefault("link_choices", {})
        if entity not in cache:
            out = {"apart": {}, "apart_res": {}, "skip_qbo": set(), "skip_res": set()}
            for row in self.env["qbo.link.choice"].sudo().search_read(
                    [("connection_id", "=", self.id), ("qbo_entity", "=", entity)], ["res_id", "qbo_id", "choice"]):
                if row["choice"] == "apart":
                    out["apart"].setdefault(row["qbo_id"], set()).add(row["res_id"])
                    out["apart_res"].setdefault(row["res_id"], set()).add(row["qbo_id"])
                else:
                    out["skip_qbo"].add(row["qbo_id"])
                    out["skip_res"].add(row["res_id"])
            cache[entity] = out
        return cache[entity]
