"""Customers ⇄ res.partner (docs/ENGINE.md §9): the adapter. The field rules are in
``utils/mappers/partner.py``; the partner structure (roles, scope, writing QuickBooks' values)
in ``res_partner.py``."""

from ..utils.mappers import partner as partner_mapper
from ..utils.mappers.common import disambiguate_display_name
from .qbo_adapter import QBOAdapter, register

# The partner fields whose change is uploaded (category_id: the "QuickBooks" tag puts a
# partner in scope; parent_id/type: a contact becomes or stops being a sub-customer).
PARTNER_SYNCED_FIELDS = frozenset({
    "name", "is_company", "company_name", "title", "email", "phone", "mobile", "qbo_fax", "qbo_alternate_phone",
    "website", "street", "street2", "city", "zip", "state_id", "country_id", "comment", "active", "parent_id",
    "type", "category_id",
})
# 6240 (name taken by a customer, vendor or employee): "Name (2)" ... up to this attempt.
MAX_DISAMBIGUATION = 9


@register
class CustomerAdapter(QBOAdapter):
    entity = "Customer"
    model = "res.partner"
    depends = ("Customer",)  # a sub-customer refers to its parent (same entity: uploaded first)
    flagged_by = {"res.partner": PARTNER_SYNCED_FIELDS}
    direction_field = "customer_direction"
    url_path = "customerdetail?nameId=%s"
    hierarchy_field = "ParentRef"
    name_field = "DisplayName"

    # -- what -------------------------------------------------------------------------------------
    def targets(self, records):
        return records._qbo_push_targets()

    def in_scope(self, records, matching=False):
        """The partners the connection's scope takes, never the archived stand-in of QuickBooks'
        sales receipts without customer (it is QuickBooks' "no customer", not one of them)."""
        no_customer = self.env.ref("quickbooks_online.res_partner_qbo_no_customer", raise_if_not_found=False)
        return records._qbo_in_scope(self.connection, matching=matching) - (no_customer or records.browse())

    def dependencies(self, record):
        return [("Customer", record.parent_id)] if record.parent_id else []

    def references(self, data):
        parent = self.parent_reference(data)
        return [("Customer", parent)] if parent else []

    def parent_reference(self, data):
        """The Customer this one is a sub-customer of (ParentRef, read only with Job as the
        mapper does), or None."""
        parent = (data.get("ParentRef") or {}).get("value") if data.get("Job") else None
        return str(parent) if parent else None

    # -- mapping ----------------------------------------------------------------------------------
    def local_values(self, record):
        return record._qbo_local_values(self.connection)

    def remote_values(self, data):
        return partner_mapper.customer_to_partner(data)

    def values_payload(self, values, binding):
        payload = partner_mapper.partner_to_customer(values, values.get("primary_contact"),
                                                     values.get("parent_qbo_id"))
        if binding.disambiguation > 1:
            payload["DisplayName"] = disambiguate_display_name(values["name"], binding.disambiguation)
        return payload

    def changed_fields(self, old_payload, new_payload):
        return partner_mapper.changed_fields(old_payload, new_payload)

    def pull_changes(self, current, pulled):
        return partner_mapper.pull_changes(current, pulled)

    # -- first link -------------------------------------------------------------------------------
    def match_keys(self, values):
        """E-mail first, then the name: a contact only matches under the same parent."""
        email, name = partner_mapper.match_keys(values)
        parent = values.get("parent_qbo_id")
        return [key for key in ((parent, "email", email), (parent, "name", name)) if key[2]]

    def match_values(self, records):
        return records._qbo_match_values(self.connection)

    def on_linked(self, record):
        record._qbo_on_linked(self.connection)

    def first_link_fill(self, changes):
        changes.pop("parent_qbo_id", None)  # the structure stays Odoo's at the first link
        return changes

    # -- writing into Odoo ------------------------------------------------------------------------
    def skip_remote(self, values):
        return values.get("email") is None and self.connection.skip_customers_without_email

    def create_from_remote(self, values_list):
        return self.Model._qbo_create_from_remote_multi(self.connection, values_list)

    def apply_remote_values(self, record, values):
        record._qbo_apply_remote_values(self.connection, values)

    # -- QuickBooks' rules ------------------------------------------------------------------------
    def rename_after_duplicate(self, record, binding):
        if binding.disambiguation >= MAX_DISAMBIGUATION:
            return None
        binding.disambiguation = max(binding.disambiguation, 1) + 1
        return {"DisplayName": disambiguate_display_name(record.name, binding.disambiguation)}
