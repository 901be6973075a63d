"""QuickBooks Online query language: ``parse(text, entities)`` then ``execute(query, records)``.

Grammar (keywords case-insensitive)::

    SELECT * | COUNT(*) | *, Field[, ...] FROM Entity
        [WHERE cond [AND cond]...] [ORDERBY|ORDER BY path [ASC|DESC][, ...]]
        [STARTPOSITION n] [MAXRESULTS n] [;]
    cond := path (= | != | < | > | <= | >=) value | path IN (value, ...) | path LIKE 'pattern'

Syntax errors raise ``QueryError("4000", ...)`` with a JavaCC-style ``QueryParserError`` detail
like QBO's; unknown entities, non-queryable fields and bad paging values raise
``QueryError("4001", ...)`` with a ``QueryValidationError`` detail.
"""
import functools
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import NamedTuple

MAX_RESULTS = 1000
DEFAULT_MAX_RESULTS = 100

_KEYWORDS = {"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDERBY", "ORDER", "BY",
             "GROUP", "JOIN", "ASC", "DESC", "STARTPOSITION", "MAXRESULTS", "COUNT", "TRUE", "FALSE",
             "NULL"}
_TOKEN_RE = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^'\\]|\\.)*')
  | (?P<num>-?[0-9]+(?:\.[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<sym><=|>=|!=|[=<>(),*;])
""", re.VERBOSE | re.DOTALL)
_IMAGES = {"IDENT": "<IDENTIFIER>", "STRING": "<STRING_LITERAL>", "INT": "<INTEGER_LITERAL>",
           "DEC": "<DECIMAL_LITERAL>", "EOF": "<EOF>"}
_COMPARE = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
            "<=": operator.le, ">=": operator.ge}

_COMMON = ["Id", "MetaData.CreateTime", "MetaData.LastUpdatedTime"]
_PEOPLE = ["DisplayName", "GivenName", "FamilyName", "MiddleName", "CompanyName", "PrimaryEmailAddr",
           "PrintOnCheckName", "Active", "Balance", "Job", "ParentRef", "FullyQualifiedName"]
_SIMPLE_LIST = ["Name", "Active"]
_TXN = ["DocNumber", "TxnDate", "CustomerRef", "TotalAmt"]
_VENDOR_TXN = ["DocNumber", "TxnDate", "VendorRef", "TotalAmt"]
_QUERYABLE = {
    "Customer": _PEOPLE, "Vendor": _PEOPLE, "Employee": _PEOPLE,
    "Item": ["Name", "Sku", "Type", "Active", "ParentRef", "FullyQualifiedName"],
    "Account": ["Name", "AccountType", "AccountSubType", "Classification", "Active",
                "FullyQualifiedName"],
    "TaxCode": _SIMPLE_LIST, "TaxRate": _SIMPLE_LIST, "Term": _SIMPLE_LIST,
    "PaymentMethod": _SIMPLE_LIST,
    "Class": _SIMPLE_LIST + ["ParentRef", "FullyQualifiedName"],
    "Department": _SIMPLE_LIST + ["ParentRef", "FullyQualifiedName"],
    "Invoice": _TXN + ["Balance", "DueDate"],
    "Estimate": _TXN + ["TxnStatus"],
    "SalesReceipt": _TXN, "CreditMemo": _TXN + ["Balance"], "RefundReceipt": _TXN,
    "Payment": ["TxnDate", "CustomerRef", "TotalAmt"],
    "Bill": _VENDOR_TXN + ["Balance", "DueDate"], "VendorCredit": _VENDOR_TXN,
    "PurchaseOrder": _VENDOR_TXN, "BillPayment": ["TxnDate", "VendorRef", "TotalAmt"],
    "Purchase": ["DocNumber", "TxnDate", "TotalAmt"], "JournalEntry": ["DocNumber", "TxnDate"],
    "Deposit": ["TxnDate", "TotalAmt"], "Transfer": ["TxnDate", "Amount"],
}
# Name lists: without a condition on Active only active rows are returned.
NAME_LISTS = {"Customer", "Vendor", "Employee", "Item", "Account", "TaxCode", "TaxRate", "Term",
              "PaymentMethod", "Class", "Department"}
_KINDS = {"Id": "id", "Balance": "num", "TotalAmt": "num", "Amount": "num", "Active": "bool",
          "Job": "bool", "MetaData.CreateTime": "instant", "MetaData.LastUpdatedTime": "instant",
          "TxnDate": "date", "DueDate": "date"}
_DEFAULTS = {"Active": True, "Job": False}


class QueryError(Exception):
    """A QBO query fault: code "4000" (parse) or "4001" (validation)."""

    def __init__(self, code: str, message: str, detail: str):
        super().__init__(f"{code} {message}: {detail}")
        self.code, self.message, self.detail = code, message, detail


def _parse_error(detail):
    return QueryError("4000", "Error parsing query", "QueryParserError: " + detail)


def _invalid(detail):
    return QueryError("4001", "Invalid query", "QueryValidationError: " + detail)


@dataclass
class Condition:
    """One WHERE term; ``test(record) -> bool`` is compiled from path, op and value."""
    path: str
    op: str                      # "=", "!=", "<", ">", "<=", ">=", "IN", "LIKE"
    value: object                # str | bool | number text; a tuple of those for IN
    test: Callable[[dict], bool] = field(repr=False, compare=False, default=None)


@dataclass
class Query:
    entity: str
    count: bool
    conditions: list
    order_by: list[tuple[str, bool]]         # (field path, descending)
    start_position: int = 1
    max_results: int = DEFAULT_MAX_RESULTS
    extra_fields: list[str] = field(default_factory=list)


# --- tokenizer and parser -------------------------------------------------------------------

class _Tok(NamedTuple):
    kind: str      # keyword (upper case), symbol text, IDENT, STRING, INT, DEC or EOF
    text: str
    pos: int


def _where(text, pos):
    line, column = text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)
    return f"line {line}, column {column}"


def _tokenize(text):
    toks, pos = [], 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            char = text[pos]      # JavaCC TokenMgrError wording
            seen = (f'<EOF> after : "{text[pos:]}"' if char == "'"
                    else f'"{char}" ({ord(char)}), after : ""')
            raise _parse_error(f"Lexical error at {_where(text, pos)}.  Encountered: {seen}")
        group, word = m.lastgroup, m.group()
        if group == "name":
            toks.append(_Tok(word.upper() if word.upper() in _KEYWORDS else "IDENT", word, pos))
        elif group != "ws":
            kind = {"str": "STRING", "num": "DEC" if "." in word else "INT"}.get(group, word)
            toks.append(_Tok(kind, word, pos))
        pos = m.end()
    return toks + [_Tok("EOF", "", len(text))]


def _image(kind):
    return _IMAGES.get(kind) or f'"{kind.lower()}"'


class _Parser:
    """Recursive descent over the token list; collects what was expected for error messages."""

    def __init__(self, text):
        self.text, self.toks, self.i, self.expected = text, _tokenize(text), 0, []

    def accept(self, *kinds):
        tok = self.toks[self.i]
        if tok.kind in kinds:
            self.i, self.expected = self.i + 1, []
            return tok
        self.expected += [k for k in kinds if k not in self.expected]
        return None

    def expect(self, *kinds):
        return self.accept(*kinds) or self.fail()

    def fail(self):
        tok = self.toks[self.i]
        seen = "<EOF>" if tok.kind == "EOF" else f' {_image(tok.kind)} "{tok.text} "'
        lines = "".join(f"    {_image(k)} ...\n" for k in self.expected)
        plural = " one of" if len(self.expected) > 1 else ""
        raise _parse_error(f'Encountered "{seen}" at {_where(self.text, tok.pos)}.\n'
                           f"Was expecting{plural}:\n{lines}    ")

    def query(self):
        self.expect("SELECT")
        count, extras = bool(self.accept("COUNT")), []
        if count:
            for symbol in "(*)":
                self.expect(symbol)
        elif self.expect("*") and self.accept(","):
            extras = self.many(lambda: self.expect("IDENT"))
        self.expect("FROM")
        entity = self.expect("IDENT")
        conds = self.many(self.condition, "AND") if self.accept("WHERE") else []
        order = self.order_by()
        paging = self.paging()
        self.accept(";")
        self.expect("EOF")
        return count, extras, entity, conds, order, paging

    def many(self, item, separator=","):
        items = [item()]
        while self.accept(separator):
            items.append(item())
        return items

    def condition(self):
        path = self.expect("IDENT")
        op = self.expect(*_COMPARE, "IN", "LIKE")
        if op.kind == "LIKE":
            return path, "LIKE", _unquote(self.expect("STRING").text)
        if op.kind != "IN":
            return path, op.kind, self.value()
        self.expect("(")
        values = tuple(self.many(self.value))
        self.expect(")")
        return path, "IN", values

    def value(self):
        tok = self.expect("STRING", "INT", "DEC", "TRUE", "FALSE")
        if tok.kind == "STRING":
            return _unquote(tok.text)
        return tok.kind == "TRUE" if tok.kind in ("TRUE", "FALSE") else tok.text

    def order_by(self):
        if not self.accept("ORDERBY") and not (self.accept("ORDER") and self.expect("BY")):
            return []
        return self.many(self.order_key)

    def order_key(self):
        path = self.expect("IDENT")
        direction = self.accept("ASC", "DESC")
        return path, bool(direction and direction.kind == "DESC")

    def paging(self):
        paging, left = {}, ["STARTPOSITION", "MAXRESULTS"]
        while left and (tok := self.accept(*left)):
            left.remove(tok.kind)
            paging[tok.kind] = int(self.expect("INT").text[:20])   # keeps sign and magnitude
        return paging


def _unquote(literal):
    return re.sub(r"\\(.)", r"\1", literal[1:-1], flags=re.DOTALL)


# --- typed values ---------------------------------------------------------------------------

def _instant(value):
    moment = datetime.fromisoformat(value)      # naive times are taken as UTC
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def _id(value):
    text = str(value)
    return (0, int(text)) if text.isascii() and text.isdigit() else (1, text.casefold())


def _bool(value):
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(str(value).lower())


def _converter(convert, cached=False):
    """Wrap ``convert`` so that a value it cannot read gives None (memoised when costly)."""
    def safe(value):
        try:
            return convert(value)
        except (ValueError, TypeError, OverflowError):
            return None
    return functools.lru_cache(maxsize=1 << 16, typed=True)(safe) if cached else safe


_CONVERT = {
    "str": _converter(lambda v: str(v).casefold()), "bool": _converter(_bool),
    "num": _converter(lambda v: None if isinstance(v, bool) else float(v)),
    "id": _converter(_id, cached=True), "instant": _converter(_instant, cached=True),
    "date": _converter(lambda v: date.fromisoformat(v[:10]).toordinal(), cached=True),
}


def _kind(path):
    return _KINDS.get(path) or ("id" if path.endswith("Ref") else "str")


def _getter(path, kind):
    """record -> comparable key or None; a ``...Ref`` reads ``value``, an email ``Address``."""
    head, *rest = path.split(".")
    convert, default = _CONVERT[kind], _DEFAULTS.get(path)

    def get(record):
        value = record.get(head)
        for part in rest:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, dict):
            value = value.get("value", value.get("Address"))
        if value is None:
            value = default
        try:
            return None if value is None else convert(value)
        except TypeError:                       # unhashable value in a memoised converter
            return None
    return get


def _query_key(path, kind, value):
    key = _CONVERT[kind](value)
    if key is None or key != key:         # None or NaN
        raise _invalid(f"invalid value '{value}' for property '{path}'")
    return key


def _condition(path, op, value):
    if op == "LIKE":
        get = _getter(path, "str")
        pattern = re.compile(".*".join(map(re.escape, value.casefold().split("%"))), re.DOTALL)
        test = lambda r: (v := get(r)) is not None and pattern.fullmatch(v) is not None  # noqa: E731
    elif op == "IN":
        get, kind = _getter(path, _kind(path)), _kind(path)
        keys = frozenset(_query_key(path, kind, v) for v in value)
        test = lambda r: get(r) in keys  # noqa: E731
    else:
        get, compare = _getter(path, _kind(path)), _COMPARE[op]
        key = _query_key(path, _kind(path), value)
        test = lambda r: (v := get(r)) is not None and compare(v, key)  # noqa: E731
    return Condition(path, op, value, test)


# --- public API -----------------------------------------------------------------------------

def _canonical_field(entity, tok):
    fields = {f.casefold(): f for f in _COMMON + _QUERYABLE.get(entity, [])}
    name = fields.get(tok.text.casefold())
    if name is None:
        raise _invalid(f"property '{tok.text}' is not queryable")
    return name


def _paging_value(paging, keyword, default):
    value = paging.get(keyword, default)
    if value > MAX_RESULTS and keyword == "MAXRESULTS":
        raise _invalid(f"value {value} is too large. Max allowed value is {MAX_RESULTS}.")
    if value < 1:
        raise _invalid(f"value {value} is too small. Min allowed value is 1.")
    return value


def parse(text: str, entities: Iterable[str]) -> Query:
    """Parse and validate ``text``; ``entities`` are the canonical names the server knows."""
    count, extras, entity_tok, conds, order, paging = _Parser(text).query()
    entity = {e.casefold(): e for e in entities}.get(entity_tok.text.casefold())
    if entity is None:
        raise _invalid(f"invalid context declaration: {entity_tok.text}")
    return Query(
        entity=entity, count=count,
        conditions=[_condition(_canonical_field(entity, p), op, v) for p, op, v in conds],
        order_by=[(_canonical_field(entity, p), desc) for p, desc in order],
        start_position=_paging_value(paging, "STARTPOSITION", 1),
        max_results=_paging_value(paging, "MAXRESULTS", DEFAULT_MAX_RESULTS),
        extra_fields=[_canonical_field(entity, tok) for tok in extras])


def _sort_key(path):
    get = _getter(path, _kind(path))
    return lambda record: (0,) if (v := get(record)) is None else (1, v)


def execute(query: Query, records: list[dict]) -> dict:
    """Filter, sort and page ``records`` (all stored objects of ``query.entity``).

    Returns the ``QueryResponse`` body: ``{"<Entity>": [...], "startPosition", "maxResults"}``,
    ``{}`` when the page is empty, ``{"totalCount": n}`` for COUNT(*). Rows are the given dicts.
    """
    rows = records
    if query.entity in NAME_LISTS and all(c.path != "Active" for c in query.conditions):
        rows = [r for r in rows if r.get("Active") is not False]   # a missing Active is active
    for condition in query.conditions:
        rows = list(filter(condition.test, rows))
    if query.count:
        return {"totalCount": len(rows)}
    rows = sorted(rows, key=lambda record: _CONVERT["id"](record.get("Id")))
    for path, descending in reversed(query.order_by):
        rows.sort(key=_sort_key(path), reverse=descending)
    start = query.start_position - 1
    page = rows[start:start + query.max_results]
    if not page:
        return {}
    return {query.entity: page, "startPosition": query.start_position, "maxResults": len(page)}
