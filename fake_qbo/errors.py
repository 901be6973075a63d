"""QuickBooks error shapes: the JSON Fault, the lower-case 401 body and the XML throttle body.

Every error the fake raises is a `QBOFault`; `app.py` turns it into the reply QuickBooks gives.
Messages and details copy the wording of the recorded fixtures (qbo_fixtures/error_*.json).
"""


class QBOFault(Exception):
    """One QuickBooks error. `status` is the HTTP status used when it is the whole reply."""

    def __init__(self, status, code, message, detail="", element=None, type="ValidationFault"):
        super().__init__(f"{code} {message}: {detail}")
        self.status = status
        self.code = str(code)
        self.message = message
        self.detail = detail
        self.element = element
        self.type = type

    def error(self):
        """The `Error[]` item of a Fault."""
        err = {"Message": self.message, "Detail": self.detail, "code": self.code}
        if self.element is not None:
            err["element"] = self.element
        return err

    def fault(self):
        """The `Fault` object (also used per item inside a batch reply)."""
        return {"Error": [self.error()], "type": self.type}


def fault_body(fault, time):
    return {"Fault": fault.fault(), "time": time}


def auth_401_body(detail, epoch_ms):
    """QuickBooks' lower-case 401 shape (error_401_auth_3200_token_expired.json)."""
    return {
        "warnings": None, "intuitObject": None,
        "fault": {"error": [{
            "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
            "detail": detail, "code": "3200", "element": None}], "type": "AUTHENTICATION"},
        "report": None, "queryResponse": None, "batchItemResponse": [], "attachableResponse": [],
        "syncErrorResponse": None, "requestId": None, "time": epoch_ms, "status": None,
        "cdcresponse": []}


THROTTLE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<IntuitResponse time="{time}" xmlns="http://schema.intuit.com/finance/v3">\n'
    '  <Fault type="SERVICE">\n'
    '    <Error code="3001">\n'
    '      <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>\n'
    '      <Detail>The request limit was reached.  Try again later</Detail>\n'
    '    </Error>\n'
    '  </Fault>\n'
    '</IntuitResponse>\n')


# --- the errors QuickBooks raises, one constructor each -------------------------------------

def not_found(entity=None, id_=None):
    detail = ("Object Not Found : Something you're trying to use has been made inactive. "
              "Check the fields with accounts, customers, items, vendors or employees.")
    return QBOFault(400, "610", "Object Not Found", detail, "")


def stale(who="Fake QBO User"):
    return QBOFault(400, "5010", "Stale Object Error",
                    f"Stale Object Error : You and {who} were working on this at the same time. "
                    f"{who} finished before you did, so your work was not saved.", "")


def duplicate_name(extra="null"):
    return QBOFault(400, "6240", "Duplicate Name Exists Error",
                    f"The name supplied already exists. : {extra}")


def duplicate_docnum(docnum):
    return QBOFault(400, "6140", "Duplicate Document Number Error",
                    f"Duplicate Document Number Error : You must specify a different number. "
                    f"This number has already been used. DocNumber={docnum}", "")


def period_closed(close_date):
    """6210 (DOC:handling-common-errors): a write dated on or before the books' close date."""
    return QBOFault(400, "6210", "Account Period Closed",
                    f"Account Period Closed, cannot update through Services API. The books are closed "
                    f"through {close_date}.", "")


def deposited(entity, id_):
    """6540 (DOC:handling-common-errors): a payment or sales receipt a Deposit took cannot change."""
    return QBOFault(400, "6540", "Deposited Transaction cannot be changed",
                    f"This transaction has been deposited. If you want to change or delete it, you must "
                    f"edit the deposit it appears on and remove it first. {entity} Id={id_}", "")


def required(field):
    return QBOFault(400, "2020", "Required param missing, need to supply the required value for the API",
                    f"Required parameter {field} is missing in the request", field)


def unsupported_property(name, entity, known):
    listed = ", ".join(f'"{k}"' for k in sorted(known))
    return QBOFault(400, "2010", "Request has invalid or unsupported property",
                    f'Property Name:Unrecognized field "{name}" (class com.intuit.schema.finance.v3.'
                    f'{entity}), not marked as ignorable ({len(known)} known properties: {listed}])\n'
                    " specified is unsupported or invalid")


def invalid_id(value):
    return QBOFault(400, "2030", "Invalid ID", f"Id should be a valid number. Supplied value:{value}", "Id")


def unsupported(detail):
    """QuickBooks' code 500 "Unsupported Operation" (sent with HTTP 400)."""
    return QBOFault(400, "500", "Unsupported Operation", detail)


def unsupported_operation(path, full_url):
    return unsupported(f"Operation Could not find resource for relative : {path} of full path: "
                       f"{full_url} is not supported.")


def invalid_reference(field, value):
    return QBOFault(400, "2500", "Invalid Reference Id",
                    f"Invalid Reference Id : {field} assigned is invalid: {value}", field)


def inactive_reference(field):
    fault = not_found()
    fault.element = field
    return fault


def length_exceeded(field, limit):
    return QBOFault(400, "2050", "Length exceeds limit",
                    f"Length exceeds limit : {field} has a maximum length of {limit}", field)


LENGTH_MESSAGE = "String length is either shorter or longer than supported by specification"


def invalid_value(field, detail, code="2050", message=LENGTH_MESSAGE):
    return QBOFault(400, code, message, detail, field)


def invalid_enum(field, value):
    return QBOFault(400, "2170", "Invalid Enumeration",
                    f"Invalid Enumeration : {value} is not valid for {field}", field)


def business(detail, code="6000"):
    return QBOFault(400, code, "A business validation error has occurred while processing your request",
                    f"Business Validation Error: {detail}", "")


def bad_request(detail):
    """Malformed body: QuickBooks answers 400 with a 2010-style request error."""
    return QBOFault(400, "2010", "Request has invalid or unsupported property", detail)


def authorization(detail="AuthorizationFailed"):
    return QBOFault(403, "3100", "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                    detail, "", "AuthorizationFault")


def system_error(detail="An application error has occurred"):
    return QBOFault(500, "10000", "An application error has occurred while processing your request",
                    f"System Failure Error: {detail}", "", "SystemFault")
