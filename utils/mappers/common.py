"""Helpers shared by the QuickBooks mappers: pure functions on plain values, no ORM.

Decisions (see also the partner mapper):

* Name fields cannot hold ``:`` (QuickBooks' hierarchy separator), tabs or newlines. ``:`` becomes
  U+FF1A FULLWIDTH COLON ``：`` (same length, still reads as a colon), control characters become
  spaces and whitespace runs collapse to one space. The mapping is stable but not reversed on
  pull: Odoo keeps the full original value, and :func:`is_same_after_mapping` recognises
  QuickBooks' copy as "our mapping of the Odoo value" so a pull never overwrites it.
* Values longer than QuickBooks' limits are truncated for names (Odoo keeps the full value) and
  rejected with :class:`MappingError` elsewhere (a cut e-mail address or phone number is wrong).
"""

import html
import re
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

# Maximum lengths (characters). Names as enforced by the local server and per Intuit's reference
# as copied by third parties (docs/QBO_API.md §10: UNCONFIRMED from Intuit text); the others are
# Intuit's documented field limits.
DISPLAY_NAME_MAX = 500
COMPANY_NAME_MAX = 100
PERSON_NAME_MAX = 100  # GivenName, MiddleName, FamilyName
TITLE_MAX = 16
NOTES_MAX = 2000
EMAIL_MAX = 100
PHONE_MAX = 30
URI_MAX = 1000
ADDRESS_LINE_MAX = 500
CITY_MAX = 255
POSTAL_CODE_MAX = 30
DELETED_SUFFIX = " (deleted)"

COLON_REPLACEMENT = "\uff1a"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
_EMAIL_SPLIT = re.compile(r"[,;]")
_ANGLE = re.compile(r"<([^<>]*)>")
_DISAMBIGUATED = re.compile(r"(.*) \(([2-9]|[1-9][0-9]+)\)", re.S)

MESSAGES = {
    "empty_name": "The name is empty: QuickBooks needs a display name.",
    "invalid_email": "%(value)r is not a valid e-mail address for QuickBooks (it needs an '@' and a '.').",
    "too_long": "%(field)s is %(length)d characters long; QuickBooks accepts at most %(limit)d.",
    "not_a_number": "%(value)r is not an amount QuickBooks can read.",
    "variant_name": "%(name)r: a variant's QuickBooks name is its product's name followed by %(suffix)r. Rename "
                    "the product in Odoo (or keep that ending in QuickBooks).",
    "too_many_lines": "The document has %(count)d lines; QuickBooks accepts at most %(limit)d.",
    "unmapped_tax": "The Odoo tax %(tax)s maps to no QuickBooks tax code: map it in the QuickBooks connection's "
                    "Taxes tab.",
    "us_one_rate": "QuickBooks (US) applies one sales tax rate per document; this one has %(taxes)s.",
    "no_exempt_code": "A line without tax needs a QuickBooks tax code of 0%% (QuickBooks wants a code on every "
                      "line): none was found, map one in the QuickBooks connection's Taxes tab.",
    "unmapped_qbo_tax": "The QuickBooks tax code %(tax_code)s maps to no Odoo tax: map it in the QuickBooks "
                        "connection's Taxes tab.",
    "no_journal": "No bank journal to record QuickBooks' payments in: create one, or map the deposit account "
                  "in the QuickBooks connection.",
    "over_applied": "The payment applies %(applied)s to invoices but is only %(total)s.",
    "locked_document": "%(name)s changed in QuickBooks, but Odoo cannot change it (paid, reconciled or locked): "
                       "apply the change in Odoo by hand, or undo it in QuickBooks.",
    "unknown_currency": "The currency %(currency)s is not in Odoo: activate it in Accounting's settings.",
    "no_account": "No QuickBooks %(kind)s account: map the product's Odoo account, or choose a default one, "
                  "in the QuickBooks connection's Accounts tab.",
}


class MappingError(ValueError):
    """A record cannot be mapped; the user can fix it. ``str(error)`` is the English message.

    ``code`` is a key of :data:`MESSAGES` and ``params`` its values, so the model layer can show
    a translated message (``_(MESSAGES[code], **params)`` or its own text per code).
    """

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(MESSAGES[code] % params)


def text(value):
    """A stripped string, or '' for None, False (Odoo's empty value) and other non-strings."""
    return value.strip() if isinstance(value, str) else ""


def clean_name(value, limit):
    """``value`` made acceptable for a QuickBooks name field: no ':' / control characters, one
    space between words, at most ``limit`` characters (``limit=None``: no truncation)."""
    name = _CONTROL.sub(" ", text(value)).replace(":", COLON_REPLACEMENT)
    name = " ".join(name.split())
    return name[:limit].rstrip() if limit else name


def is_same_after_mapping(odoo_value, qbo_value, limit):
    """True when ``qbo_value`` is ``odoo_value`` or exactly what we send for it (cleaned, truncated)."""
    return text(qbo_value) in (text(odoo_value), clean_name(odoo_value, limit))


def disambiguate_display_name(name, attempt, limit=DISPLAY_NAME_MAX):
    """``name`` for the ``attempt``-th try after QuickBooks error 6240 (a name taken: a
    customer's by a vendor or employee, an item's by another item): unchanged for 1, then
    "Name (2)", "Name (3)"... within ``limit`` characters."""
    if attempt < 1:
        raise ValueError("attempt starts at 1")
    if attempt == 1:
        return clean_name(name, limit)
    suffix = " (%d)" % attempt
    return clean_name(name, limit - len(suffix)) + suffix


def undisambiguated(display_name):
    """``display_name`` without a trailing " (n)" (n >= 2) as added by disambiguation."""
    match = _DISAMBIGUATED.fullmatch(display_name)
    return match[1] if match else display_name


def is_our_display_name(odoo_name, qbo_display_name):
    """True when ``qbo_display_name`` is our mapping of ``odoo_name``, disambiguated or not."""
    qbo_display_name = text(qbo_display_name)
    if is_same_after_mapping(odoo_name, qbo_display_name, DISPLAY_NAME_MAX):
        return True
    match = _DISAMBIGUATED.fullmatch(qbo_display_name)
    return bool(match) and disambiguate_display_name(odoo_name, int(match[2])) == qbo_display_name


def strip_deleted(name, active):
    """QuickBooks appends " (deleted)" to the names of inactive records; Odoo archives instead."""
    name = text(name)
    return name.removesuffix(DELETED_SUFFIX) if not active else name


def owned(value, subfields):
    """The part of a payload value a mapper writes (``subfields`` of an object, None for a
    scalar), with empty values dropped; None when nothing is left (sparse-update comparisons)."""
    if subfields is None:
        return None if value is None or value == "" else value
    if not isinstance(value, dict):
        return None
    return {key: value[key] for key in subfields if value.get(key) not in (None, "")} or None


def limited(value, limit, field):
    """``text(value)``, or :class:`MappingError` when longer than ``limit``."""
    value = text(value)
    if len(value) > limit:
        raise MappingError("too_long", field=field, length=len(value), limit=limit)
    return value


def email_addresses(value):
    """The bare addresses of a comma/semicolon separated list ("Name <a@b.c>" gives "a@b.c")."""
    addresses = []
    for chunk in _EMAIL_SPLIT.split(text(value)):
        angle = _ANGLE.search(chunk)
        address = (angle[1] if angle else chunk).strip()
        if address:
            addresses.append(address)
    return addresses


def first_email(value):
    """The first address of a QuickBooks (or Odoo) e-mail list, unvalidated, or None."""
    addresses = email_addresses(value)
    return addresses[0] if addresses else None


def email_for_qbo(value):
    """All addresses of ``value``, validated, joined by ", " (QuickBooks keeps lists); '' if none.

    Raises :class:`MappingError` for an address without '@' and '.' or a list over 100 characters.
    """
    addresses = email_addresses(value)
    for address in addresses:
        if not _EMAIL.fullmatch(address):
            raise MappingError("invalid_email", value=address)
    return limited(", ".join(addresses), EMAIL_MAX, "Email")


class _TextExtractor(HTMLParser):
    _BREAKS = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._BREAKS - {"br"}:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(value):
    """Plain text of Odoo HTML: block tags give line breaks, paragraphs are separated by one
    blank line, spaces collapse within a line. '' for empty or non-string input."""
    parser = _TextExtractor()
    parser.feed(text(value))
    parser.close()
    return plain_text("".join(parser.parts))


def plain_text(value):
    """Text as :func:`html_to_text` gives it: one space between words, no blank line runs."""
    lines = [" ".join(line.split()) for line in text(value).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_to_html(value):
    """Odoo HTML for plain text: blank-line separated paragraphs in <p>, line breaks as <br>.

    ``html_to_text(text_to_html(t)) == plain_text(t)`` for any text.
    """
    paragraphs = [p for p in plain_text(value).split("\n\n") if p]
    return "".join("<p>%s</p>" % "<br>".join(html.escape(line) for line in p.split("\n")) for p in paragraphs)


def money(value):
    """A Decimal of a number or numeric string; None for empty; MappingError when not a number."""
    if value is None or value is False or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise MappingError("not_a_number", value=value) from None
    if not amount.is_finite():
        raise MappingError("not_a_number", value=value)
    return amount


def number(amount):
    """A Decimal as the JSON number QuickBooks reads (int when whole)."""
    return None if amount is None else int(amount) if amount == amount.to_integral_value() else float(amount)
