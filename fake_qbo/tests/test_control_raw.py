"""The API refuses a ParentRef loop; the control call `raw/<Entity>` stores one anyway, as a
company's corrupt data would hold it, seen by reads, queries and CDC as any new version."""
from qbo_helpers import create, invoice_body, update

from fake_qbo.control import Control


def _family(qb):
    parent = create(qb, "Customer", {"DisplayName": "Loop Parent"})
    child = create(qb, "Customer", {"DisplayName": "Loop Child", "Job": True, "ParentRef": {"value": parent["Id"]}})
    grandchild = create(qb, "Customer", {"DisplayName": "Loop Grandchild", "Job": True,
                                         "ParentRef": {"value": child["Id"]}})
    return parent, child, grandchild


def test_api_refuses_a_parent_loop(qb, raw):
    parent, child, grandchild = _family(qb)
    for descendant in (child, grandchild):
        reply = raw.post("customer", {"Id": parent["Id"], "SyncToken": parent["SyncToken"], "sparse": True,
                                      "Job": True, "ParentRef": {"value": descendant["Id"]}})
        assert reply.status_code == 400
        assert reply.json()["Fault"]["Error"][0]["code"] == "6000"
    assert "ParentRef" not in raw.get(f"customer/{parent['Id']}").json()["Customer"]
    # Moving a child under a sibling branch is no loop.
    other = create(qb, "Customer", {"DisplayName": "Other Top"})
    moved = update(qb, "Customer", {"Id": grandchild["Id"], "SyncToken": grandchild["SyncToken"], "sparse": True,
                                    "ParentRef": {"value": other["Id"]}})
    assert moved["ParentRef"] == {"value": other["Id"]}


def test_raw_write_stores_a_loop_as_a_new_version(fresh, qb, raw):
    parent, child, _grandchild = _family(qb)
    control = Control(fresh.url)
    control.advance_clock(2)
    since = fresh.state.clock.now().isoformat(timespec="seconds")
    stored = control.raw_write("Customer", {"Id": parent["Id"], "Job": True, "ParentRef": {"value": child["Id"]},
                                            "Level": 2})
    assert stored["SyncToken"] == "1" and stored["ParentRef"] == {"value": child["Id"]} and stored["Job"] is True
    assert stored["DisplayName"] == "Loop Parent"
    assert stored["MetaData"]["CreateTime"] == parent["MetaData"]["CreateTime"]
    assert raw.get(f"customer/{parent['Id']}").json()["Customer"] == stored
    cdc = raw.get("cdc", entities="Customer", changedSince=since).json()
    assert [r["Id"] for r in cdc["CDCResponse"][0]["QueryResponse"][0]["Customer"]] == [parent["Id"]]
    # null removes a field; a renamed object keeps the name index right (the old name is free).
    back = control.raw_write("Customer", {"Id": parent["Id"], "ParentRef": None, "Job": False, "Level": 0,
                                          "DisplayName": "Loop Parent Renamed"})
    assert "ParentRef" not in back and back["SyncToken"] == "2"
    assert create(qb, "Customer", {"DisplayName": "Loop Parent"})["Id"] != parent["Id"]


def test_raw_write_needs_an_existing_object(fresh):
    control = Control(fresh.url)
    for path, body in (("raw/Customer", {"Id": "999", "Notes": "x"}), ("raw/Nothing", {"Id": "1"})):
        reply = control.session.post(f"{fresh.url}/_fake/{path}", json=body, timeout=10)
        assert reply.status_code in (400, 404)


def test_raw_write_can_remove_every_name(fresh, qb, raw):
    """A customer without any name (what a corrupt company may hold): stored, read and queried."""
    made = create(qb, "Customer", {"DisplayName": "Soon Nameless"})
    stored = Control(fresh.url).raw_write("Customer", {"Id": made["Id"], "DisplayName": None, "GivenName": None})
    assert "DisplayName" not in stored
    assert "DisplayName" not in raw.get(f"customer/{made['Id']}").json()["Customer"]
    # Its name is free again.
    assert create(qb, "Customer", {"DisplayName": "Soon Nameless"})["Id"] != made["Id"]


def test_user_voids_and_deletes_without_faults(fresh, qb):
    """A QuickBooks user's void or delete (the control API) is no API request: faults waiting for
    the next /invoice request do not touch it, and it changes the object as the API would."""
    control = Control(fresh.url)
    customer = control.user_write("Customer", {"DisplayName": "Voided by hand"})
    first = control.user_write("Invoice", invoice_body(customer["Id"], 10))
    second = control.user_write("Invoice", invoice_body(customer["Id"], 20))
    control.fault("500", match="/invoice")
    voided = control.user_end("Invoice", first["Id"], "void")
    assert (voided["PrivateNote"], voided["TotalAmt"], voided["SyncToken"]) == ("Voided", 0, "1")
    assert control.user_end("Invoice", second["Id"], "delete")["status"] == "Deleted"
    assert [r["Id"] for r in qb.query("SELECT * FROM Invoice")["QueryResponse"]["Invoice"]] == [first["Id"]]
    assert fresh.faults, "the fault still waits for the next API request to /invoice"
