from odoo import api, fields, models
from odoo.tools import SQL

from .qbo_sync_mixin import NO_PUSH
from .res_partner_lookups import PartnerLookups

# Mapper keys written as they are on the partner.
_PLAIN_KEYS = {"name", "is_company", "company_name", "email", "phone", "mobile", "website", "street", "street2",
               "city", "zip", "comment", "active"}
_RENAMED_KEYS = {"fax": "qbo_fax", "alternate_phone": "qbo_alternate_phone"}
_ADDRESS_KEYS = ("street", "street2", "city", "zip")
_ADDRESS_FIELDS = (*_ADDRESS_KEYS, "state_id", "country_id")


class ResPartner(models.Model):
    """Customers ⇄ partners (docs/ENGINE.md §6): top-level partners are Customers, a company's
    primary contact (its oldest child contact not linked on its own) gives the Customer's person
    name and title, the other child contacts and the "other" addresses (a job site with its own
    address) are sub-customers, a partner's first delivery address is its ShipAddr."""

    _name = "res.partner"
    _inherit = ["res.partner", "qbo.sync.mixin"]

    qbo_fax = fields.Char("Fax")
    qbo_alternate_phone = fields.Char("Other Phone")

    # -----------------------------------------------------------------------------------------
    # Structure: primary contact, sub-customers, delivery address
    # -----------------------------------------------------------------------------------------
    def _qbo_primary_contact(self):
        """Return the company's primary contact: its oldest active child contact that is not
        linked to QuickBooks on its own (a linked child is a sub-customer). Reads the company's
        children (kept in the ORM cache for the company's next values): for the roles of many
        partners, or of one among thousands of siblings, ``_qbo_first_child_ids`` says the same
        in one query."""
        self.ensure_one()
        if not self.is_company:
            return self.browse()
        children = self.child_ids.filtered(lambda c: c.type == "contact" and c.active).sorted(
            lambda c: (c.create_date or fields.Datetime.now(), c.id))
        linked = set(self.env["qbo.binding"].sudo().search([
            ("res_model", "=", self._name), ("res_id", "in", children.ids)]).mapped("res_id"))
        return next((c for c in children if c.id not in linked), self.browse())

    def _qbo_delivery_address(self):
        """The partner's own first delivery address (its ShipAddr), a sub-customer's too."""
        self.ensure_one()
        return self.child_ids.filtered(lambda c: c.type == "delivery" and c.active)[:1]

    def _qbo_first_child_ids(self, child_type):
        """{partner id: id of its first active child of ``child_type``} for the partners of
        ``self``, in one query whatever their number of children (a company may have thousands
        of sub-customers): for 'contact', the oldest one that is not linked to QuickBooks on its
        own (``_qbo_primary_contact``); for 'delivery', the first in the partners' order (what
        ``child_ids`` lists first, ``_qbo_delivery_address``). Read as superuser."""
        ids = tuple(id_ for id_ in self.ids if isinstance(id_, int))  # new records have no children yet
        if not ids:
            return {}
        Partner = self.env["res.partner"]
        Partner.flush_model(["parent_id", "type", "active", "create_date", "complete_name"])
        unlinked, order = SQL(), SQL("p.complete_name, p.id DESC")
        if child_type == "contact":
            self.env["qbo.binding"].flush_model(["res_model", "res_id"])
            # "res_model || ''": with the statistics of a table just filled (a first download),
            # PostgreSQL would AND the res_model index, which holds every binding, into each
            # probe; the res_id index alone finds a child's one or two bindings.
            unlinked = SQL("AND NOT EXISTS (SELECT 1 FROM qbo_binding b "
                           "WHERE b.res_id = p.id AND b.res_model || '' = %s)", Partner._name)
            order = SQL("p.create_date, p.id")
        self.env.cr.execute(SQL(
            "SELECT DISTINCT ON (p.parent_id) p.parent_id, p.id FROM res_partner p "
            "WHERE p.parent_id IN %s AND p.type = %s AND p.active %s ORDER BY p.parent_id, %s",
            ids, child_type, unlinked, order))
        return dict(self.env.cr.fetchall())

    def _qbo_role(self):
        """'customer', 'sub_customer', 'primary_contact', 'delivery' or 'none' (not synced alone).

        A child of type 'other' is a sub-customer like a contact: Odoo makes a child contact's
        address its parent's, so a sub-customer with an address of its own (a job site) is an
        "Other Address" in Odoo (``_qbo_sub_customer_type``)."""
        self.ensure_one()
        return self._qbo_roles()[self.id]

    def _qbo_roles(self):
        """{partner id: ``_qbo_role()``} of the partners of ``self``, with at most two queries
        (first contacts, first delivery addresses), however many partners and siblings."""
        contacts = self.filtered(lambda p: p.parent_id and p.type == "contact")
        deliveries = self.filtered(lambda p: p.parent_id and p.type == "delivery")
        primary = contacts.parent_id.filtered("is_company")._qbo_first_child_ids("contact")
        first_delivery = deliveries.parent_id._qbo_first_child_ids("delivery")
        roles = {}
        for partner in self:
            if not partner.parent_id:
                roles[partner.id] = "customer"
            elif partner.type == "delivery":
                roles[partner.id] = "delivery" if first_delivery.get(partner.parent_id.id) == partner.id else "none"
            elif partner.type == "other":
                roles[partner.id] = "sub_customer"
            elif partner.type != "contact":
                roles[partner.id] = "none"
            else:
                roles[partner.id] = "primary_contact" if primary.get(partner.parent_id.id) == partner.id \
                    else "sub_customer"
        return roles

    def _qbo_sub_customer_type(self, vals):
        """The type of the sub-customer ``self`` once partner values ``vals`` (the changes, maybe
        a new ``parent_id``) are written: 'other' when a 'contact' gets an address that is set
        and is not its parent's (as a contact it would get its parent's address from Odoo, and
        its next upload would overwrite QuickBooks' own), else its type."""
        self.ensure_one()
        parent = self.browse(vals["parent_id"]) if vals.get("parent_id") else self.parent_id
        if self.type != "contact" or not parent or not vals.keys() & {*_ADDRESS_FIELDS, "parent_id"}:
            return self.type

        def address(values):
            return {name: (value.id if isinstance(value, models.BaseModel) else value) or False
                    for name, value in values}

        own = address((name, vals[name] if name in vals else self[name]) for name in _ADDRESS_FIELDS)
        return "other" if any(own.values()) and own != address((name, parent[name]) for name in _ADDRESS_FIELDS) \
            else "contact"

    # -----------------------------------------------------------------------------------------
    # What the Customer adapter (qbo_adapter_customer.py) asks of partners
    # -----------------------------------------------------------------------------------------
    def _qbo_push_targets(self):
        targets = self.browse()
        roles = self._qbo_roles()
        for partner in self:
            role = roles[partner.id]
            if role in ("primary_contact", "delivery"):
                targets |= partner.parent_id
            elif role == "customer":
                targets |= partner
            elif role == "sub_customer":
                targets |= partner  # its company is a dependency: the upload sends it first
        return targets

    def _qbo_in_scope(self, connection, matching=False):
        """A contact is in scope only when its parent is: a sub-customer is uploaded after its
        parent, so the contact of a partner never uploaded (a company's or a user's partner,
        out of the scope options) would wait for it forever. The partners and their ancestors
        are read in a few queries for all of them, never per sibling."""
        family, parents = self, self.parent_id
        while parents - family:
            family |= parents
            parents = family.parent_id
        roles = family._qbo_roles()
        excluded = set(self.env["res.company"].sudo().search([("partner_id", "in", family.ids)]).partner_id.ids)
        excluded.update(self.env["res.users"].sudo().with_context(active_test=False).search([
            ("share", "=", False), ("partner_id", "in", family.ids)]).partner_id.ids)
        tag = self.env.ref("quickbooks_online.res_partner_category_quickbooks", raise_if_not_found=False)
        linked = set() if connection.contacts_as_sub_customers else set(self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", connection.id), ("qbo_entity", "=", "Customer"), ("res_model", "=", self._name),
            ("res_id", "in", self.ids), ("qbo_id", "!=", False)]).mapped("res_id"))
        known = {}

        def own_scope(partner):
            if partner.id in excluded or partner.company_id not in (connection.company_id, self.env["res.company"]):
                return False
            if roles[partner.id] not in ("customer", "sub_customer"):
                return False
            if matching:
                return True
            if roles[partner.id] == "sub_customer" and not connection.contacts_as_sub_customers \
                    and partner.id not in linked:
                return False  # the seeds' default: contacts stay in Odoo (QuickBooks' own come down)
            if connection.customer_scope == "tagged" and tag not in partner.commercial_partner_id.category_id \
                    and tag not in partner.category_id:
                return False
            return bool(partner.email) or not connection.skip_customers_without_email

        def in_scope(partner):
            if partner.id not in known:
                known[partner.id] = own_scope(partner) and (not partner.parent_id or in_scope(partner.parent_id))
            return known[partner.id]

        return self.filtered(in_scope)

    def _qbo_local_values(self, connection):
        """The partner as mapper values (utils/mappers/partner.py), with ``primary_contact`` and
        ``parent_qbo_id`` (None when the parent has no QuickBooks id yet)."""
        self.ensure_one()
        delivery = self._qbo_delivery_address()
        primary = self._qbo_primary_contact()
        values = {
            "name": self.name, "is_company": self.is_company, "company_name": self.company_name,
            "title": self.title.shortcut or self.title.name or None, "email": self.email, "phone": self.phone,
            "mobile": self.mobile, "fax": self.qbo_fax, "alternate_phone": self.qbo_alternate_phone,
            "website": self.website, **self._qbo_address_values(self), "comment": self.comment,
            "active": self.active,
            "ship": self._qbo_address_values(delivery) if delivery else None,
            "primary_contact": primary and {"name": primary.name,
                                            "title": primary.title.shortcut or primary.title.name or None},
            "parent_qbo_id": None,
        }
        if self.parent_id:
            values["parent_qbo_id"] = self.parent_id._qbo_binding(connection, "Customer").qbo_id or None
        return values

    def _qbo_match_values(self, connection):
        """Name, e-mail and parent id only: cheap for the thousands of partners of a first download."""
        parents = self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", connection.id), ("res_model", "=", self._name),
            ("res_id", "in", self.parent_id.ids)])
        parent_ids = {b.res_id: b.qbo_id for b in parents}
        return [(p, {"name": p.name, "email": p.email, "parent_qbo_id": parent_ids.get(p.parent_id.id)})
                for p in self]

    @staticmethod
    def _qbo_address_values(partner):
        return {**{key: partner[key] or None for key in _ADDRESS_KEYS},
                "state_code": partner.state_id.code or None, "country_code": partner.country_id.code or None}

    # -----------------------------------------------------------------------------------------
    # Writing QuickBooks' values
    # -----------------------------------------------------------------------------------------
    @api.model
    def _qbo_create_from_remote_multi(self, connection, values_list):
        """Create the partners of Customers read from QuickBooks, not uploaded back and without
        chatter tracking (a download is no edit): the top-level ones with all their values in one
        create, then their delivery addresses and primary contacts in one create each.

        :return: a list aligned on ``values_list``: the partner, or None when its parent
            customer is not in Odoo
        """
        Partner = self.with_context(**{NO_PUSH: True}, tracking_disable=True, mail_create_nolog=True,
                                    mail_notrack=True)
        lookups = PartnerLookups.of(self.env)
        parent_ids = {b.qbo_id: b.res_id for b in self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", connection.id), ("res_model", "=", self._name), ("qbo_entity", "=", "Customer"),
            ("qbo_id", "in", [v["parent_qbo_id"] for v in values_list if v.get("parent_qbo_id")])])}
        existing = set(self.browse(list(parent_ids.values())).exists().ids)
        base = {"lang": connection.partner_lang or self.env.lang, "company_id": connection.company_id.id,
                "type": "contact"}
        top = dict(base, parent_id=False)
        if connection.customer_scope == "tagged":
            tag = self.env.ref("quickbooks_online.res_partner_category_quickbooks")
            top["category_id"] = [fields.Command.link(tag.id)]
        tops, children = [], []
        for index, values in enumerate(values_list):
            if not values.get("parent_qbo_id"):
                tops.append((index, dict(top, **Partner._qbo_partner_vals(values, lookups))))
            elif parent_ids.get(values["parent_qbo_id"]) in existing:
                children.append((index, parent_ids[values["parent_qbo_id"]]))
        results = [None] * len(values_list)
        partners = Partner.create([vals for _index, vals in tops])
        for (index, _vals), partner in zip(tops, partners, strict=True):
            results[index] = partner
        partners._qbo_create_children([values_list[index] for index, _vals in tops], lookups)
        # The sub-customers, in one create too, with what a bare child of their parent written with
        # their values would hold (a create and a write each cost a first download of 100,000
        # customers ten queries per sub-customer, each rewriting its row): the commercial fields
        # of the parent's commercial entity, their own address (never their parent's: Odoo's
        # sync of a contact's address is skipped, as is the parent taking a child's address), and
        # "other" as type when that address is set and not the parent's (_qbo_sub_customer_type).
        commercial = self._commercial_fields()
        sub_vals = []
        for index, parent_id in children:
            vals = dict(Partner._qbo_partner_vals(values_list[index], lookups), parent_id=parent_id)
            parent = self.browse(parent_id)
            sub_vals.append(dict(base, **parent.commercial_partner_id._update_fields_values(commercial), **vals,
                                 type=self.new({"type": "contact"})._qbo_sub_customer_type(vals)))
        # Odoo's create empties a child's company name (in the values given): written after, as the
        # write did (one write per name).
        company_names = [vals.get("company_name") for vals in sub_vals]
        subs = Partner.with_context(_partners_skip_fields_sync=True).create(sub_vals)
        named = {}
        for sub, company_name in zip(subs, company_names, strict=True):
            if company_name:
                named[company_name] = named.get(company_name, subs.browse()) | sub
        for company_name, records in named.items():
            records.write({"company_name": company_name})
        subs._qbo_create_children([values_list[index] for index, _parent_id in children], lookups)
        for (index, _parent_id), sub in zip(children, subs, strict=True):
            results[index] = sub
        return results

    def _qbo_create_children(self, values_list, lookups):
        """Create the delivery addresses, then the primary contacts, of the new top-level partners
        ``self`` (``values_list`` aligned on them), as ``_qbo_apply_remote_values`` would one by
        one, in one create each. What Odoo's create then writes on each child from its parent
        (commercial fields, language; a contact's address) is in the created values instead, as
        in Odoo's own import (``_load_records_create``): no write per child."""
        Children = self.with_context(_partners_skip_fields_sync=True)
        deliveries = Children.create([
            dict(partner._qbo_inherited_vals(), type="delivery", **self._qbo_ship_vals(values["ship"], lookups))
            for partner, values in zip(self, values_list, strict=True) if values.get("ship")])
        for delivery in deliveries:
            delivery._handle_first_contact_creation()  # a parent without address takes this one
        # After the deliveries: a contact copies its parent's address, maybe just given.
        Children.create([
            dict(partner._qbo_inherited_vals(), type="contact", **partner._qbo_contact_address(),
                 **self._qbo_person_vals(values["primary_contact"], lookups))
            for partner, values in zip(self, values_list, strict=True)
            if values.get("primary_contact") and partner.is_company])

    def _qbo_inherited_vals(self):
        """What Odoo's create gives a new child of ``self`` (``_fields_sync``): the commercial
        fields and the language; with the parent and its company."""
        return dict(self._update_fields_values(self._commercial_fields()), parent_id=self.id,
                    company_id=self.company_id.id,
                    lang=self.lang or self.env.context.get("default_lang") or self.env.lang)

    def _qbo_contact_address(self):
        """The address Odoo's create copies from ``self`` onto a new child contact (none when
        ``self`` has none at all)."""
        fields_ = self._address_fields()
        return self._update_fields_values(fields_) if any(self[name] for name in fields_) else {}

    def _qbo_on_linked(self, connection):
        """With "only tagged customers", a linked partner gets the tag (it is synced from now on)."""
        if connection.customer_scope == "tagged" and not self.parent_id:
            tag = self.env.ref("quickbooks_online.res_partner_category_quickbooks")
            self.with_context(**{NO_PUSH: True}).category_id = [fields.Command.link(tag.id)]

    def _qbo_find_bound(self, connection, qbo_id):
        binding = self.env["qbo.binding"].sudo().search([
            ("connection_id", "=", connection.id), ("res_model", "=", self._name), ("qbo_entity", "=", "Customer"),
            ("qbo_id", "=", qbo_id)], limit=1)
        return self.browse(binding.res_id).exists()

    def _qbo_apply_remote_values(self, connection, values):
        """Write mapper values on the partner (a subset: the changes); the context decides whether
        the write is uploaded (pull: ``qbo_no_push``; applying a losing version: uploaded)."""
        self.ensure_one()
        lookups = PartnerLookups.of(self.env)
        vals = self._qbo_partner_vals(values, lookups)
        if values.get("parent_qbo_id"):
            vals["parent_id"] = self._qbo_find_bound(connection, values["parent_qbo_id"]).id or self.parent_id.id
        if self._qbo_sub_customer_type(vals) != self.type:
            vals["type"] = "other"  # a job site: its own address, which Odoo leaves alone
        if vals:
            self.write(vals)
        if values.get("ship"):
            self._qbo_write_delivery(self._qbo_ship_vals(values["ship"], lookups))
        if values.get("primary_contact") and self.is_company:
            self._qbo_write_primary_contact(self._qbo_person_vals(values["primary_contact"], lookups))

    def _qbo_partner_vals(self, values, lookups):
        """The partner's own field values of mapper values (a subset: the changes); ``self`` is the
        partner (empty for a new one), whose country and state stand for the missing codes."""
        vals = {key: values[key] or False for key in _PLAIN_KEYS & values.keys() if key != "active"}
        if "active" in values:
            vals["active"] = values["active"] is not False
        vals.update({field: values[key] or False for key, field in _RENAMED_KEYS.items() if key in values})
        if "title" in values:
            vals["title"] = lookups.title(values["title"]).id
        if values.keys() & {"state_code", "country_code"}:
            vals.update(lookups.country_state(values.get("country_code", self.country_id.code),
                                              values.get("state_code", self.state_id.code)))
        return vals

    @api.model
    def _qbo_ship_vals(self, ship, lookups):
        address = {key: ship.get(key) or False for key in _ADDRESS_KEYS}
        address.update(lookups.country_state(ship.get("country_code"), ship.get("state_code")))
        return address

    @api.model
    def _qbo_person_vals(self, person, lookups):
        return {"name": person["name"], "title": lookups.title(person.get("title")).id}

    def _qbo_write_delivery(self, address):
        delivery = self._qbo_delivery_address()
        if delivery:
            delivery.write(address)
        else:
            self.create(dict(address, parent_id=self.id, type="delivery", company_id=self.company_id.id))

    def _qbo_write_primary_contact(self, vals):
        primary = self._qbo_primary_contact()
        if primary:
            primary.write(vals)
        else:
            self.create(dict(vals, parent_id=self.id, type="contact", company_id=self.company_id.id,
                             lang=self.lang))
