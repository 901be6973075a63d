"""QuickBooks Customer ⇄ Odoo res.partner values, as plain dicts (no ORM).

Partner dicts (both directions) have the keys of :data:`PARTNER_FIELDS`; addresses are flat on
the partner (billing) and in ``ship`` (a dict of :data:`ADDRESS_FIELDS`, or None when it is the
billing address). Countries are ISO-2 codes, states are QuickBooks' ``CountrySubDivisionCode``
as is (a code, sometimes a name): the model layer resolves both. Empty values: input accepts
None, False or ''; output uses None.

* Companies: ``name`` → DisplayName and CompanyName; the primary contact (Odoo: the company's
  oldest contact) gives GivenName/MiddleName/FamilyName and Title. Individuals: the name is split
  (first word given, last word family, the rest middle) and ``company_name`` → CompanyName. On
  pull, ``is_company`` is True when CompanyName is the (cleaned, possibly disambiguated) DisplayName.
* E-mail: Odoo → QuickBooks sends the whole validated list; QuickBooks → Odoo keeps only the
  first address, as CRM users expect.
* A round trip changes nothing: :func:`pull_changes` of a partner and its pulled copy is {}
  even where QuickBooks holds a cleaned, truncated or disambiguated copy of the Odoo value.
* Sparse updates: :func:`changed_fields` sends what changed; a cleared string is sent as "", a
  cleared object as its sub-fields set to "" (QuickBooks ignores an omitted field in a sparse
  update). ``ParentRef`` is never cleared: ``Job: false`` detaches a sub-customer (UNCONFIRMED).
* Sub-customers (``parent_qbo_id``) are created billed with their parent, as Odoo invoices the
  commercial partner; an update never changes ``BillWithParent`` again.
"""

import unicodedata

from . import common
from .common import MappingError, clean_name, text
from .countries import to_iso2, to_iso3

PARTNER_FIELDS = (
    "name", "is_company", "company_name", "title", "email", "phone", "mobile", "fax", "alternate_phone",
    "website", "street", "street2", "city", "zip", "state_code", "country_code", "ship", "comment", "active",
)
ADDRESS_FIELDS = ("street", "street2", "city", "zip", "state_code", "country_code")
_PHONES = (("phone", "PrimaryPhone"), ("mobile", "Mobile"), ("fax", "Fax"), ("alternate_phone", "AlternatePhone"))
_ADDRESS_KEYS = ("Line1", "Line2", "City", "CountrySubDivisionCode", "PostalCode", "Country")
# The Customer fields updates maintain: top-level field -> the sub-fields we write (None: scalar).
# BillWithParent is only set when a sub-customer is created: later it is the accountant's choice.
CUSTOMER_FIELDS = {
    "DisplayName": None, "CompanyName": None, "Title": None, "GivenName": None, "MiddleName": None,
    "FamilyName": None, "PrimaryEmailAddr": ("Address",), "PrimaryPhone": ("FreeFormNumber",),
    "Mobile": ("FreeFormNumber",), "Fax": ("FreeFormNumber",), "AlternatePhone": ("FreeFormNumber",),
    "WebAddr": ("URI",), "BillAddr": _ADDRESS_KEYS, "ShipAddr": _ADDRESS_KEYS, "Notes": None, "Active": None,
    "Job": None, "ParentRef": ("value",),
}
_NOT_CLEARABLE = {"DisplayName", "ParentRef"}
_NAME_LIMITS = {"DisplayName": common.DISPLAY_NAME_MAX, "CompanyName": common.COMPANY_NAME_MAX,
                "Title": common.TITLE_MAX, "GivenName": common.PERSON_NAME_MAX,
                "MiddleName": common.PERSON_NAME_MAX, "FamilyName": common.PERSON_NAME_MAX}


def split_name(name):
    """(given, middle, family) of a person's name; ``join_name`` gives back the cleaned name."""
    words = clean_name(name, None).split(" ")
    if len(words) == 1:
        return words[0], "", ""
    return words[0], " ".join(words[1:-1]), words[-1]


def join_name(*parts):
    return " ".join(part for part in map(text, parts) if part)


def partner_to_customer(p, primary_contact=None, parent_qbo_id=None):
    """The Customer payload (no Id/SyncToken) for partner values ``p``; empty fields are omitted.

    ``primary_contact`` ({"name", "title"}) is used for companies only; ``parent_qbo_id`` makes a
    sub-customer billed with its parent. Raises :class:`MappingError` for an empty name, an
    invalid e-mail or a value QuickBooks would reject as too long.
    """
    name = clean_name(p.get("name"), common.DISPLAY_NAME_MAX)
    if not name:
        raise MappingError("empty_name")
    if p.get("is_company"):
        company, person = p.get("name"), primary_contact or {}
    else:
        company, person = p.get("company_name"), p
    given, middle, family = split_name(person.get("name"))
    customer = {
        "DisplayName": name,
        "CompanyName": clean_name(company, common.COMPANY_NAME_MAX),
        "Title": clean_name(person.get("title"), common.TITLE_MAX),
        "GivenName": clean_name(given, common.PERSON_NAME_MAX),
        "MiddleName": clean_name(middle, common.PERSON_NAME_MAX),
        "FamilyName": clean_name(family, common.PERSON_NAME_MAX),
        "PrimaryEmailAddr": _wrap("Address", common.email_for_qbo(p.get("email"))),
        "WebAddr": _wrap("URI", common.limited(p.get("website"), common.URI_MAX, "Website")),
        "BillAddr": _address_out(p),
        "Notes": common.html_to_text(p.get("comment"))[: common.NOTES_MAX].rstrip(),
        "Active": p.get("active", True) is not False,
        "Job": bool(parent_qbo_id),
        "BillWithParent": True if parent_qbo_id else None,
        "ParentRef": _wrap("value", text(parent_qbo_id)),
    }
    for key, field in _PHONES:
        customer[field] = _wrap("FreeFormNumber", common.limited(p.get(key), common.PHONE_MAX, field))
    # No separate delivery address in Odoo means "ship to the billing address", as QBO's checkbox.
    customer["ShipAddr"] = _address_out(p.get("ship") or {}) or _address_out(p)
    return {key: value for key, value in customer.items() if value is not None and value != ""}


def customer_to_partner(c):
    """Partner values for a Customer as read from QuickBooks, plus the binding values ``qbo_id``,
    ``sync_token``, ``parent_qbo_id``, ``last_updated`` and ``primary_contact`` (a company's
    person, {"name", "title", "email", "phone"}, or None). Raises :class:`MappingError` when
    the customer has no name at all."""
    active = c.get("Active") is not False
    display, company = _read_names(c)
    person = join_name(c.get("GivenName"), c.get("MiddleName"), c.get("FamilyName"))
    name = display or company or person
    if not name:
        raise MappingError("empty_name")
    is_company = _is_company_name(name, company)
    email = common.first_email(_unwrap(c, "PrimaryEmailAddr", "Address"))
    phone = _unwrap(c, "PrimaryPhone", "FreeFormNumber")
    bill = _address_in(c.get("BillAddr"))
    ship = _address_in(c.get("ShipAddr"))
    values = {
        "name": name,
        "is_company": is_company,
        "company_name": None if is_company else company or None,
        "title": None if is_company else text(c.get("Title")) or None,
        "email": email,
        "website": _unwrap(c, "WebAddr", "URI"),
        **bill,
        "ship": ship if any(ship.values()) and ship != bill else None,
        "comment": common.text_to_html(c.get("Notes")) or None,
        "active": active,
        "qbo_id": text(c.get("Id")) or None,
        "sync_token": text(c.get("SyncToken")) or None,
        "parent_qbo_id": _unwrap(c, "ParentRef", "value") if c.get("Job") else None,
        "last_updated": text((c.get("MetaData") or {}).get("LastUpdatedTime")) or None,
        "primary_contact": None,
    }
    for key, field in _PHONES:
        values[key] = _unwrap(c, field, "FreeFormNumber")
    if is_company and person and person != name:
        values["primary_contact"] = {"name": person, "title": text(c.get("Title")) or None,
                                     "email": email, "phone": phone}
    return values


def pull_changes(current, pulled):
    """The values of ``pulled`` (from :func:`customer_to_partner`) that differ from ``current``
    (same shape: the partner, its ``primary_contact`` and ``parent_qbo_id``), ignoring differences
    that are only our own mapping (':' replaced, truncation, e-mail list, HTML, " (2)")."""
    try:
        echo = customer_to_partner(partner_to_customer(current, current.get("primary_contact"),
                                                       current.get("parent_qbo_id")))
    except MappingError:
        echo = current  # Odoo holds what we could not send; compare the raw values
    changes = {}
    for key in (*PARTNER_FIELDS, "parent_qbo_id", "primary_contact"):
        if _same(key, current.get(key), pulled.get(key)) or _same(key, echo.get(key), pulled.get(key)):
            continue
        if key == "name" and common.is_our_display_name(current.get("name"), pulled.get("name")):
            continue
        changes[key] = pulled.get(key)
    return changes


def changed_fields(old_payload, new_payload):
    """The sparse-update delta from ``old_payload`` (what QuickBooks holds: a previous payload or
    the Customer as read) to ``new_payload`` (:func:`partner_to_customer`); {} when nothing
    changed. The caller adds ``Id``, ``SyncToken`` and ``"sparse": true``."""
    old = {field: common.owned(old_payload.get(field), subfields) for field, subfields in CUSTOMER_FIELDS.items()}
    new = {field: common.owned(new_payload.get(field), subfields) for field, subfields in CUSTOMER_FIELDS.items()}
    old["DisplayName"], old["CompanyName"] = _read_names(old_payload)
    # QuickBooks' spacing and line ends are no change: compare its values normalised as ours are.
    for field, limit in _NAME_LIMITS.items():
        old[field] = clean_name(old[field], limit) or None
    old["Notes"] = common.plain_text(old["Notes"]) or None
    delta, kept = {}, _kept_by_quickbooks(old, new)
    for field in CUSTOMER_FIELDS:
        before, after = old[field], new[field]
        if before == after or field in kept:
            continue
        if after is not None:
            delta[field] = {**dict.fromkeys(before or (), ""), **after} if CUSTOMER_FIELDS[field] else after
        elif field not in _NOT_CLEARABLE:
            delta[field] = dict.fromkeys(before, "") if CUSTOMER_FIELDS[field] else ""
    return delta


def _kept_by_quickbooks(old, new):
    """Fields where QuickBooks' value stands although it differs from ours: a DisplayName we
    disambiguated; an individual's name parts while the name is unchanged (they are derived from
    it, and QuickBooks' own split, e.g. of "Doe, Jack", is better); a missing ShipAddr, which
    QuickBooks reads as the billing address just as we do."""
    kept = set()
    if common.is_our_display_name(new["DisplayName"], old["DisplayName"]):
        kept.add("DisplayName")
        if not _is_company_name(new["DisplayName"], new["CompanyName"]):
            kept.update(("GivenName", "MiddleName", "FamilyName"))
    if old["ShipAddr"] is None and new["ShipAddr"] == new["BillAddr"]:
        kept.add("ShipAddr")
    return kept


def match_keys(d):
    """First-link matching keys of partner values (either side): (first e-mail in lower case or
    None, the name normalised: cleaned as sent, NFKC, case-folded)."""
    email = common.first_email(d.get("email"))
    name = unicodedata.normalize("NFKC", clean_name(d.get("name"), common.DISPLAY_NAME_MAX))
    return (email.lower() if email else None), " ".join(name.casefold().split())


def _read_names(c):
    """(DisplayName, CompanyName) of a Customer as read, without QuickBooks' " (deleted)"."""
    display = common.strip_deleted(c.get("DisplayName"), c.get("Active") is not False)
    company = text(c.get("CompanyName"))
    # Documented on DisplayName only: strip it from CompanyName when both carry it.
    return display, display if company == text(c.get("DisplayName")) else company


def _is_company_name(display, company):
    """CompanyName equal to DisplayName as we would send it (QBO truncates CompanyName sooner)."""
    return bool(company) and any(common.is_same_after_mapping(name, company, common.COMPANY_NAME_MAX)
               for name in (display, common.undisambiguated(display)))


def _same(key, a, b):
    if key == "primary_contact":  # the person only: e-mail and phone are the company's
        return all((a or {}).get(k) == (b or {}).get(k) for k in ("name", "title"))
    if key == "active":
        return (a is not False) == (b is not False)
    if key == "is_company":
        return bool(a) == bool(b)
    return (a or None) == (b or None)


def _wrap(key, value):
    return {key: value} if value else None


def _unwrap(c, field, key):
    value = c.get(field)
    return text(value.get(key)) or None if isinstance(value, dict) else None


def _address_out(a):
    address = {
        "Line1": common.limited(a.get("street"), common.ADDRESS_LINE_MAX, "Street"),
        "Line2": common.limited(a.get("street2"), common.ADDRESS_LINE_MAX, "Street 2"),
        "City": common.limited(a.get("city"), common.CITY_MAX, "City"),
        "CountrySubDivisionCode": common.limited(a.get("state_code"), common.CITY_MAX, "State"),
        "PostalCode": common.limited(a.get("zip"), common.POSTAL_CODE_MAX, "ZIP"),
        "Country": to_iso3(a.get("country_code")) or text(a.get("country_code")),
    }
    return {key: value for key, value in address.items() if value} or None


def _address_in(a):
    """Odoo address values of a QuickBooks PhysicalAddress; Line2..Line5 all go to street2."""
    a = a if isinstance(a, dict) else {}
    street2 = ", ".join(line for line in (text(a.get("Line%d" % i)) for i in range(2, 6)) if line)
    return {
        "street": text(a.get("Line1")) or None,
        "street2": street2 or None,
        "city": text(a.get("City")) or None,
        "zip": text(a.get("PostalCode")) or None,
        "state_code": text(a.get("CountrySubDivisionCode")) or None,
        "country_code": to_iso2(a.get("Country")),
    }
