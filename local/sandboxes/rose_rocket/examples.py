"""Rose Rocket's own example records, loaded into the sandbox as they are (``POST /_control/orgs/{org}/examples``).

Two shapes are taken, unchanged, and the body given is kept whole for the read-back (``GET …/examples/{id}``):

- a **platform-model create body** ``{"objectKey", "json"}`` (the v2 API, as its examples show it): the record is
  created as ``POST /objects`` would (a ``"<customerId>"``-style placeholder in ``json.customer.id`` is replaced by
  the ``?customerId=`` given with the call; the body kept is the one sent);
- a **v1 order** as ``GET /api/v1/customers/{cid}/orders/{oid}`` answers it (snake_case; the captured real order in
  the specs): converted to the platform model's order by :func:`order_of_v1` — the table in docs/rose-rocket.md
  ("The v1 order in the sandbox") — keeping its ``id`` as the order's id, its ``public_id`` as ``fullId`` and its
  times; its customer is the organisation's customer of that id, made (named after the bill-to party) if it has
  none. What the platform model has no field for (appointment times, bill-to, ``sku``, ``feet``…) stays in the kept
  original only.

Loading is not a status change: it sends no webhook (an order that appears in a status has not moved).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from ..base import ControlError
from .model import ORDER_STATUSES
from .records import LINKS, Records

#: v1 address field → platform-model address field (v1's ``contact_name``, ``phone``, ``email``, ``fax``,
#: ``suite``, business hours and address-book ids have no field on the platform model's address).
V1_ADDRESS = {"org_name": "companyName", "address_1": "address1", "address_2": "address2", "city": "city",
              "state": "state", "country": "countryCode", "postal": "postalCode", "latitude": "latitude",
              "longitude": "longitude", "timezone": "timezone"}
#: v1 commodity field → platform-model commodity field (``feet``, ``sku``, ``commodity_type_other`` have none).
V1_COMMODITY = {"commodity_type": "commodityType", "description": "description", "quantity": "quantity",
                "pieces": "pieces", "weight": "weight", "length": "length", "width": "width", "height": "height",
                "volume": "volume", "freight_class": "freightClass", "nmfc": "nmfc", "is_stackable": "isStackable"}
V1_UNITS = {"lb": "lbs", "lbs": "lbs", "kg": "kgs", "kgs": "kgs", "inch": "in", "in": "in", "cm": "cm", "ft": "ft"}
#: v1 order field → platform-model order field.
V1_ORDER = {"ref_num": "refNum", "po_num": "poNum", "tender_num": "loadTenderNum", "notes": "notes"}
#: v1's order statuses (platform-apis.md §5.1) → the platform model's (its order page). v1 had more steps; each is
#: the platform-model status it sits within.
V1_STATUS = {"new": "new", "saved": "new", "draft-quick-quote": "new", "quick-quoting": "new",
             "quick-quoted": "new", "no-quick-quote": "new", "spot-qq-requested": "new", "quoting": "new",
             "quoted": "new", "no-quote": "new", "spot-quote-requested": "new", "pickup-request": "new",
             "pending-dispatch": "booked", "dispatched": "booked", "in-transit": "in transit",
             "delivered": "delivered", "invoice-created": "invoiced", "invoice-sent": "invoiced",
             "invoice-paid": "invoiced", "claim": "delivered", "rejected": "rejected", "cancelled": "archived",
             "archived": "archived"}


def is_v1_order(body: Any) -> bool:
    return isinstance(body, dict) and "objectKey" not in body and "commodities" in body and (
        "public_id" in body or "origin" in body)


def _blank(value: Any) -> Any:
    return None if value == "" else value


def _address(v1: Any) -> dict[str, Any]:
    given = v1 if isinstance(v1, dict) else {}
    return {ours: _blank(given[theirs]) for theirs, ours in V1_ADDRESS.items() if theirs in given}


def _commodity(v1: dict[str, Any]) -> dict[str, Any]:
    values = {ours: _blank(v1[theirs]) for theirs, ours in V1_COMMODITY.items() if theirs in v1}
    if v1.get("weight_unit"):
        values["weightUnit"] = V1_UNITS.get(str(v1["weight_unit"]), v1["weight_unit"])
    if v1.get("measurement_unit"):
        values["dimensionUnit"] = V1_UNITS.get(str(v1["measurement_unit"]), v1["measurement_unit"])
    return values


def rr_time(value: Any) -> str | None:
    """A v1 time (microseconds) as the platform model writes times (milliseconds, ``Z``)."""
    if not isinstance(value, str) or not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def order_of_v1(v1: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """The platform model's order ``json`` for a v1 order: a pickup task at its origin carrying its commodities and
    a delivery task at its destination (v1's pickup and delivery notes as each stop's instructions)."""
    status = V1_STATUS.get(str(v1.get("status") or "new"))
    if status is None or status not in ORDER_STATUSES:
        raise ControlError(f"status {v1.get('status')!r} is not a v1 order status")
    values: dict[str, Any] = {ours: _blank(v1[theirs]) for theirs, ours in V1_ORDER.items() if theirs in v1}
    values["status"] = status
    values["customer"] = {"id": customer_id}
    if _blank(v1.get("external_id")):
        values["externalId"] = v1["external_id"]
    commodities = [_commodity(c) for c in v1.get("commodities") or [] if isinstance(c, dict)]
    values["tasks"] = [
        {"taskType": "pickup", "stops": [{"address": _address(v1.get("origin")),
                                          "specialInstructions": _blank(v1.get("pickup_notes"))}],
         "commodities": commodities},
        {"taskType": "delivery", "stops": [{"address": _address(v1.get("destination")),
                                            "specialInstructions": _blank(v1.get("delivery_notes"))}],
         "commodities": []}]
    return values


def rekey(records: Records, record: dict[str, Any], record_id: str | None) -> dict[str, Any]:
    """Give a just-created record the id its example names (nothing links to it yet)."""
    if not record_id or record_id == record["id"]:
        return record
    if record_id in records.org.records:
        raise ControlError(f"a record with id {record_id} is already in the organisation", 409)
    records.org.records.pop(record["id"])
    record["id"] = record_id
    records.org.records[record_id] = record
    return record


def load_v1_order(records: Records, v1: dict[str, Any]) -> dict[str, Any]:
    customer = v1.get("customer") if isinstance(v1.get("customer"), dict) else {}
    customer_id = str(customer.get("id") or "")
    found = records.org.records.get(customer_id)
    if found is None or found["objectKey"] != "customer":
        billing = v1.get("billing") if isinstance(v1.get("billing"), dict) else {}
        made = records.create("customer", {"name": billing.get("org_name") or customer.get("short_code")
                                           or "Customer of a v1 order",
                                           "externalId": _blank(customer.get("external_id"))})
        found = rekey(records, made, customer_id or None)
    order = rekey(records, records.create("order", order_of_v1(v1, found["id"])), _blank(v1.get("id")))
    if v1.get("public_id"):
        order["fullId"] = v1["public_id"]
    order["createdAt"] = rr_time(v1.get("created_at")) or order["createdAt"]
    order["updatedAt"] = rr_time(v1.get("updated_at")) or order["updatedAt"]
    return order


def load_record(records: Records, body: dict[str, Any], customer_id: str | None) -> dict[str, Any]:
    """A platform-model create body's record (the customer placeholder replaced by ``customer_id``)."""
    object_key, values = body.get("objectKey"), copy.deepcopy(body.get("json") or {})
    if not isinstance(values, dict):
        raise ControlError("json must be an object")
    named = values.get("customer") if isinstance(values.get("customer"), dict) else None
    if named is not None and customer_id and str(named.get("id")) not in records.org.records:
        values["customer"] = {**named, "id": customer_id}  # the example's "<customerId>" placeholder
    return records.create(str(object_key), values)


def connected_paths(records: Records, record: dict[str, Any]) -> list[str]:
    """A record's connected objects one level deep (what a read-back shows besides its own fields)."""
    return [name for name, linked in record.get(LINKS, {}).items() if linked]
