"""The Unleashed sandbox holds to what the sources say Unleashed does (tests/fixtures/vendor/unleashed/SOURCES.md)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from integrations.unleashed.door import verify_signature

from local.sandboxes.base import RecordingSender, SandboxRequest
from local.sandboxes.unleashed import UnleashedSandbox, body_json, parse_wire, sign, signature
from local.sandboxes.unleashed.model import MAX_SUBSCRIPTIONS

VENDOR = Path(__file__).parents[2] / "fixtures" / "vendor" / "unleashed"
API_ID, KEY = "2e3d4c5b-6a7f-4b8c-9d0e-1f2a3b4c5d6e", "sandbox-unit-key"


@pytest.fixture
def box() -> UnleashedSandbox:
    sandbox = UnleashedSandbox(sender=RecordingSender())
    sandbox.add_account(api_id=API_ID, api_key=KEY, products=["SKU-1", "SKU-2"], warehouses=["MAIN", "AKL"])
    return sandbox


def call(box: UnleashedSandbox, method: str, path: str, params: dict | None = None, body=None, *, key: str = KEY,
         accept: str = "application/json"):
    query = urlencode(params or {})
    headers = {"api-auth-id": API_ID, "api-auth-signature": signature(query, key), "Accept": accept,
               "Content-Type": "application/json"}
    from urllib.parse import parse_qs

    return box.handle(SandboxRequest(method, path, query=parse_qs(query), headers=headers, raw_query=query,
                                     body=body_json(body) if body is not None else b""))


def placed(box: UnleashedSandbox, shipments=None, **fields):
    return box.place_order(API_ID, [{"code": "SKU-1", "quantity": 2}, {"code": "SKU-2", "quantity": 1}],
                           shipments=[{}] if shipments is None else shipments, notify=False, **fields)


def test_every_call_is_signed_over_the_raw_query_string(box):
    assert call(box, "GET", "/SalesOrders/1", {"pageSize": 1}).status == 200
    wrong = call(box, "GET", "/SalesOrders/1", {"pageSize": 1}, key="not-the-key")
    assert wrong.status == 403 and wrong.parsed() == {"Description": "Forbidden", "DebugInformation": None}
    # a signature over another encoding of the same parameters is refused too: the raw string is what counts
    query = "pageSize=1&modifiedSince=2024-04-17T23:11:05"
    tampered = box.handle(SandboxRequest("GET", "/SalesOrders/1", raw_query=query, headers={
        "api-auth-id": API_ID, "Accept": "application/json",
        "api-auth-signature": signature("pageSize=1&modifiedSince=2024-04-17T23%3A11%3A05", KEY)}))
    assert tampered.status == 403
    assert call(box, "GET", "/SalesOrders/1", accept="text/html").status == 406


def test_orders_come_in_the_pagination_envelope_with_wire_dates(box):
    placed(box)
    answer = call(box, "GET", "/SalesOrders", {"orderStatus": "Placed"})
    assert b'"\\/Date(' in answer.body  # the .NET wire form escapes the slashes
    body = answer.parsed()
    assert body["Pagination"] == {"NumberOfItems": 1, "PageSize": 200, "PageNumber": 1, "NumberOfPages": 1}
    order = body["Items"][0]
    capture = json.loads((VENDOR / "salesorder.response.json").read_text())
    essentials = {"Guid", "OrderNumber", "OrderDate", "RequiredDate", "OrderStatus", "Customer", "CustomerRef",
                  "Comments", "Warehouse", "DeliveryName", "DeliveryStreetAddress", "DeliveryCity", "DeliveryCountry",
                  "DeliveryPostCode", "Currency", "DeliveryMethod", "SalesOrderLines", "CreatedOn",
                  "LastModifiedOn"}
    assert essentials <= set(capture) and essentials <= set(order)
    line_fields = {"LineNumber", "Product", "OrderQuantity", "UnitPrice", "Comments", "BatchNumbers", "Guid"}
    assert line_fields <= set(capture["SalesOrderLines"][0]) and line_fields <= set(order["SalesOrderLines"][0])
    assert parse_wire(order["OrderDate"]).time().isoformat() == "00:00:00"  # a calendar date: 00:00 UTC
    assert call(box, "GET", "/SalesOrders", {"pageSize": 1001}).status == 400


def test_shipments_have_the_documented_fields(box):
    order = placed(box)
    [shipment] = call(box, "GET", "/SalesShipments/1", {"orderNumber": order["OrderNumber"]}).parsed()["Items"]
    composed = json.loads((VENDOR / "salesshipment.COMPOSED.json").read_text())
    assert set(composed) <= set(shipment)
    assert set(composed["SalesShipmentLines"][0]) <= set(shipment["SalesShipmentLines"][0])
    assert shipment["ShipmentStatus"] == "Placed" and shipment["OrderGuid"] == order["Guid"]


def test_order_number_matches_like_a_prefix_and_overrides_other_filters(box):
    placed(box, orderNumber="SO-1")
    placed(box, orderNumber="SO-10", status="Parked")
    numbers = [o["OrderNumber"] for o in call(box, "GET", "/SalesOrders", {"orderNumber": "SO-1",
                                                                           "orderStatus": "Completed"}
                                                   ).parsed()["Items"]]
    assert numbers == ["SO-1", "SO-10"]


def test_modified_since_and_the_order_date_window_filter_in_utc(box):
    order = placed(box)
    modified = parse_wire(order["LastModifiedOn"])
    before = modified.replace(microsecond=0).isoformat().replace("+00:00", "")
    after = (modified.replace(microsecond=0)).isoformat().replace("+00:00", "").replace(
        str(modified.year), str(modified.year + 1))
    assert len(call(box, "GET", "/SalesOrders", {"modifiedSince": before}).parsed()["Items"]) == 1
    assert call(box, "GET", "/SalesOrders", {"modifiedSince": after}).parsed()["Items"] == []
    day = parse_wire(order["OrderDate"]).date().isoformat()
    assert len(call(box, "GET", "/SalesOrders", {"startDate": day, "endDate": day}).parsed()["Items"]) == 1
    assert call(box, "GET", "/SalesOrders", {"modifiedSince": "yesterday"}).status == 400


def put(box, guid, shipment):
    return call(box, "PUT", f"/SalesShipments/{guid}", body=shipment)


def test_a_shipment_put_is_a_whole_object_replace_with_unleasheds_rules(box):
    [shipment] = box.shipments_of(API_ID, placed(box)["Guid"])
    guid = shipment["Guid"]
    blanked = {k: v for k, v in shipment.items() if k != "Comments"} | {"Comments": None}
    box.edit_shipment(API_ID, guid, comments="keep me")
    assert put(box, guid, blanked).parsed()["Comments"] is None  # a blank field overwrites
    no_lines = {**shipment, "SalesShipmentLines": []}
    assert put(box, guid, no_lines).status == 400
    unknown = {**shipment, "ShippingCompany": {"Name": "Nobody Freight"}}
    refused = put(box, guid, unknown)
    assert refused.status == 400 and "ShippingCompany" in refused.parsed()["Description"]
    dispatched = put(box, guid, {**shipment, "ShipmentStatus": "Dispatched", "TrackingNumber": "T-1",
                                 "ShippingCompany": {"Name": "aramex"}, "NumberOfPackages": 2}).parsed()
    assert dispatched["ShippingCompany"]["Name"] == "Aramex" and dispatched["ShippingCompany"]["Guid"]
    # after dispatch: tracking and comments only
    assert put(box, guid, {**dispatched, "TrackingNumber": "T-2", "Comments": "late"}).status == 200
    locked = put(box, guid, {**dispatched, "NumberOfPackages": 3})
    assert locked.status == 400 and "NumberOfPackages" in locked.parsed()["Description"]
    assert put(box, guid, {**dispatched, "ShipmentStatus": "Packed"}).status == 400


def test_with_order_management_off_shipments_have_no_status_and_none_can_be_set(box):
    box.configure(API_ID, order_management=False)
    [shipment] = box.shipments_of(API_ID, placed(box)["Guid"])
    assert shipment["ShipmentStatus"] is None
    refused = put(box, shipment["Guid"], {**shipment, "ShipmentStatus": "Dispatched"})
    assert refused.status == 400 and "Order Management" in refused.parsed()["Description"]
    dated = put(box, shipment["Guid"], {**shipment, "DispatchDate": "/Date(1796083200000)/", "NumberOfPackages": 1,
                                        "TrackingNumber": "T-1"})
    assert dated.status == 200 and dated.parsed()["NumberOfPackages"] == 1


def test_at_most_five_subscriptions_and_the_key_is_shown_once(box):
    made = call(box, "POST", "/webhooks/subscriptions", body={"notificationUrl": "https://us.example/hook",
                                                              "eventTypes": ["salesorder.created"]}).parsed()
    assert made["signatureKey"]
    listed = call(box, "GET", "/webhooks/subscriptions").parsed()
    assert listed[0]["subscriptionId"] == made["subscriptionId"] and "signatureKey" not in listed[0]
    for n in range(MAX_SUBSCRIPTIONS - 1):
        box.subscribe(box.account(API_ID), f"https://other.example/{n}", ["product.updated"])
    sixth = call(box, "POST", "/webhooks/subscriptions", body={"notificationUrl": "https://us.example/hook2",
                                                               "eventTypes": ["salesorder.updated"]})
    assert sixth.status == 400 and "Maximum" in sixth.parsed()["Description"]
    assert call(box, "DELETE", f"/webhooks/subscriptions/{made['subscriptionId']}").status == 204
    assert call(box, "DELETE", f"/webhooks/subscriptions/{made['subscriptionId']}").status == 404


def test_deliveries_are_signed_over_timestamp_and_body_with_the_subscriptions_key(box):
    sent = box.sender
    assert isinstance(sent, RecordingSender)
    subscription = box.subscribe(box.account(API_ID), "https://us.example/hook",
                                 ["salesorder.created", "salesorder.updated"])
    order = box.place_order(API_ID, [{"code": "SKU-1"}])
    box.subscribe(box.account(API_ID), "https://other.example/", ["product.updated"])  # not told of orders
    [delivery] = sent.sent
    body = delivery.json()
    assert body["eventType"] == "salesorder.created" and json.loads(body["data"]) == {"salesOrderGuid": order["Guid"]}
    verify_signature(key=subscription["signatureKey"], timestamp=delivery.headers["x-unleashed-timestamp"],
                     signature=delivery.headers["x-unleashed-signature"], body=delivery.body)
    assert delivery.headers["x-unleashed-signature"] == sign(subscription["signatureKey"],
                                                             delivery.headers["x-unleashed-timestamp"], delivery.body)


def test_the_monthly_quota_blocks_every_call_and_counts_only_successes(box):
    box.configure(API_ID, call_limit=2)
    assert call(box, "GET", "/SalesShipments/00000000-0000-4000-8000-000000000000").status == 404  # not counted
    assert call(box, "GET", "/Companies").status == 200
    assert call(box, "GET", "/Companies").status == 200
    blocked = call(box, "GET", "/Companies")
    assert blocked.status == 429 and "blocked until the 1st" in blocked.parsed()["Description"]
    assert box.account(API_ID).usage == {box.month(): 2}


def test_the_organisation_has_its_time_zone(box):
    [company] = call(box, "GET", "/Companies").parsed()["Items"]
    assert company["TimeZone"] == "New Zealand Standard Time"


# --- issue 21: the vendor's own records kept whole, dialects, what was sent ------------------------------------------


def control(box: UnleashedSandbox, method: str, path: str, raw: bytes = b"", **params: str):
    from urllib.parse import parse_qs, urlencode

    query = urlencode(params)
    return box.handle(SandboxRequest(method, f"/_control/accounts/{API_ID}{path}", query=parse_qs(query),
                                     raw_query=query, body=raw, headers={"Content-Type": "application/json"}))


@pytest.mark.parametrize("example", ["salesorder.response.json", "salesorders-list.response.json"])
def test_the_vendors_own_sales_orders_load_as_they_are_and_come_back_unchanged(box, example):
    raw = (VENDOR / example).read_bytes()
    given = json.loads(raw)
    orders = given.get("Items", [given])
    loaded = control(box, "POST", "/sales-orders", raw)  # the vendor's JSON exactly as captured
    assert loaded.status == 201, loaded.parsed()
    assert loaded.parsed() == {"loaded": [{"Guid": o["Guid"], "OrderNumber": o["OrderNumber"]} for o in orders]}
    for order in orders:
        served = call(box, "GET", f"/SalesOrders/{order['Guid']}")
        assert served.parsed() == order  # GBP stays GBP, discounts, totals, descriptions and the Charge line kept
        assert b'"\\/Date(' in served.body  # in the wire form
        assert control(box, "GET", f"/sales-orders/{order['Guid']}/record").parsed() == order
        listed = call(box, "GET", "/SalesOrders/1", {"orderNumber": order["OrderNumber"]}).parsed()["Items"]
        assert listed == [order]
    # the products they name are the account's, as named
    codes = {line["Product"]["ProductCode"]: line["Product"] for o in orders for line in o["SalesOrderLines"]
             if line["Product"]["ProductCode"]}
    products = {p["ProductCode"]: p for p in call(box, "GET", "/Products", {"pageSize": 1000}).parsed()["Items"]}
    for code, product in codes.items():
        assert {k: products[code][k] for k in product} == product and products[code]["NeverDiminishing"] is False


def test_the_wire_form_of_a_page_loads_too(box):
    """Unleashed's wire escapes the slashes of its dates (``"\\/Date(…)\\/"``): the same JSON strings."""
    raw = (VENDOR / "salesorders-list.response.json").read_bytes()
    wire = raw.replace(b'"/Date(', b'"\\/Date(').replace(b')/"', b')\\/"')
    assert b'"\\/Date(' in wire and control(box, "POST", "/sales-orders", wire).status == 201
    [order] = json.loads(raw)["Items"]
    assert call(box, "GET", f"/SalesOrders/{order['Guid']}").parsed() == order


def test_a_record_unleashed_could_not_hold_is_refused_naming_what_is_wrong(box):
    order = json.loads((VENDOR / "salesorder.response.json").read_bytes())
    for broken, said in (({**order, "Guid": "SO-140"}, "Guid"), ({**order, "OrderStatus": "Shipped"}, "OrderStatus"),
                         ({**order, "OrderDate": "2019-07-16"}, "not a valid date"),
                         ({**order, "SalesOrderLines": None}, "SalesOrderLines")):
        refused = control(box, "POST", "/sales-orders", json.dumps(broken).encode())
        assert refused.status == 400 and said in refused.parsed()["error"], (said, refused.parsed())
    assert box.account(API_ID).orders == {}


def test_a_charge_line_is_never_shipped(box):
    page = json.loads((VENDOR / "salesorders-list.response.json").read_bytes())
    box.load_sales_orders(API_ID, page)
    order = page["Items"][0]
    shipment = box.add_shipment(API_ID, order["Guid"])
    assert [line["SalesOrderLineNumber"] for line in shipment["SalesShipmentLines"]] == [1, 2, 3, 4, 5, 6]


def shipped_with_batch(box: UnleashedSandbox) -> dict:
    order = placed(box, shipments=[{"lines": [{"line": 1, "quantity": 2,
                                               "batchNumbers": [{"Number": "LOT-7", "Quantity": 2}]},
                                              {"line": 2, "quantity": 1, "serialNumbers": [{"Number": "SN-1"}]}]}])
    [shipment] = box.shipments_of(API_ID, order["Guid"])
    return shipment


def test_batch_and_serial_numbers_come_only_with_serial_batch_as_documented(box):
    guid = shipped_with_batch(box)["Guid"]
    plain = call(box, "GET", f"/SalesShipments/{guid}").parsed()
    assert [(line["BatchNumbers"], line["SerialNumbers"]) for line in plain["SalesShipmentLines"]] == \
        [(None, None), (None, None)]
    flagged = call(box, "GET", f"/SalesShipments/{guid}", {"serialBatch": "true"}).parsed()
    assert flagged["SalesShipmentLines"][0]["BatchNumbers"] == [{"Number": "LOT-7", "Quantity": 2}]
    assert flagged["SalesShipmentLines"][1]["SerialNumbers"] == [{"Number": "SN-1"}]
    listed = call(box, "GET", "/SalesShipments/1", {"serialBatch": "true"}).parsed()["Items"]
    assert listed[0]["SalesShipmentLines"][0]["BatchNumbers"] == [{"Number": "LOT-7", "Quantity": 2}]
    box.set_dialect({"serial-batch": "always"})
    assert call(box, "GET", f"/SalesShipments/{guid}").parsed() == flagged


def test_a_whole_object_put_of_a_shipment_read_without_serial_batch_wipes_its_batch_numbers(box):
    guid = shipped_with_batch(box)["Guid"]
    read = call(box, "GET", f"/SalesShipments/{guid}").parsed()  # as the old write-back read it
    assert put(box, guid, {**read, "TrackingNumber": "T-1"}).status == 200
    lines = box.shipment(API_ID, guid)["SalesShipmentLines"]
    assert [(line["BatchNumbers"], line["SerialNumbers"]) for line in lines] == [(None, None), (None, None)]


def test_without_a_subscription_api_its_paths_answer_as_unknown_ones(box):
    box.set_dialect({"subscription-api": "absent"})
    for method, path in (("GET", "/webhooks/subscriptions"), ("POST", "/webhooks/subscriptions"),
                         ("DELETE", "/webhooks/subscriptions/x")):
        answer = call(box, method, path, body={"notificationUrl": "https://us.example/hook"})
        assert answer.status == 404 and answer.parsed() == call(box, "GET", "/NoSuchThing").parsed()
    assert call(box, "GET", "/SalesOrders/1").status == 200  # the rest of the API is there


def test_every_request_is_kept_with_its_query_and_body(box):
    guid = shipped_with_batch(box)["Guid"]
    shipment = call(box, "GET", f"/SalesShipments/{guid}", {"serialBatch": "true"}).parsed()
    put(box, guid, {**shipment, "TrackingNumber": "T-9"})
    sent = box.requests_sent(r"^/SalesShipments/", "PUT")
    assert sent[-1]["body"]["TrackingNumber"] == "T-9" and sent[-1]["status"] == 200
    assert sent[-1]["body"]["SalesShipmentLines"][0]["BatchNumbers"] == [{"Number": "LOT-7", "Quantity": 2}]
    shown = box.handle(SandboxRequest("GET", "/_control/requests", query={"bodies": ["1"]})).parsed()
    assert shown[-2]["query"] == "serialBatch=true" and shown[-1]["body"]["TrackingNumber"] == "T-9"
    assert box.handle(SandboxRequest("GET", "/_control/requests")).parsed()[-1] == {
        "method": "PUT", "path": f"/SalesShipments/{guid}", "status": 200}  # the base view keeps its shape


def test_products_say_whether_they_are_services_and_shipping_companies_are_listed(box):
    made = control(box, "POST", "/products", json.dumps({"ProductCode": "SHIP", "ProductDescription": "Shipping",
                                                         "NeverDiminishing": True}).encode()).parsed()
    assert call(box, "GET", f"/Products/{made['Guid']}").parsed()["NeverDiminishing"] is True
    codes = [p["ProductCode"] for p in call(box, "GET", "/Products", {"productCode": "S"}).parsed()["Items"]]
    assert codes == ["SHIP", "SKU-1", "SKU-2"]
    names = [c["Name"] for c in call(box, "GET", "/ShippingCompanies").parsed()["Items"]]
    assert names == ["Aramex", "Courier Post"]
