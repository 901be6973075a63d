"""Small value helpers shared by the entity modules: money, refs, names."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from . import errors

CENT = Decimal("0.01")
ZERO = Decimal("0")


def dec(value, field):
    """A JSON number (or numeric string) as Decimal; anything else → 2080 illegal number format."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise errors.invalid_value(field, f"Illegal number format : {field}", "2080", "Illegal number format")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise errors.invalid_value(field, f"Illegal number format : {field} = {value}", "2080",
                                   "Illegal number format") from None


def money(value, field="Amount"):
    """Round to cents, half up, as QuickBooks does."""
    d = dec(value, field)
    return None if d is None else d.quantize(CENT, rounding=ROUND_HALF_UP)


def cents(d):
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def present(body, field):
    """True when the field carries a value (python-quickbooks sends "" for unset strings)."""
    v = body.get(field)
    if isinstance(v, dict) and set(v) <= {"value", "name", "type"}:
        return bool(v.get("value"))
    return v is not None and v != ""


def ref_value(body, field):
    v = body.get(field)
    if isinstance(v, dict):
        return str(v.get("value") or "") or None
    return None


def check_name(field, value, limit):
    """Names: no ':' (FullyQualifiedName separator), tab or newline; maximum length → 2050."""
    if not isinstance(value, str):
        raise errors.invalid_value(field, f"{field} must be a string")
    if any(c in value for c in ":\t\n"):
        raise errors.business(f"{field} cannot contain a colon (:), tab or newline: {value!r}")
    if len(value) > limit:
        raise errors.length_exceeded(field, limit)


def boolean(body, field, default):
    v = body.get(field)
    if v is None or v == "":
        return default
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("true", "false"):
        return v.lower() == "true"
    raise errors.invalid_value(field, f"Invalid boolean value for {field}: {v}", "2050")
