"""Issue 11, points 2–3: a Placed order's Sales Shipments become WMS orders, one each, once; what waits, what is
skipped, what needs a person; later edits are recorded, never applied."""

from __future__ import annotations

from integrations.core.sync_log_retry import retry_from_sync_log

from .unleashed_helpers import (  # noqa: F401  (fixtures)
    API_ID,
    TWO_LINES,
    TWO_SHIPMENTS,
    UnleashedWorld,
    connected_fixture,
    unleashed_world_fixture,
)


def unleashed_calls(world: UnleashedWorld) -> list[tuple[str, str, int]]:
    return [entry for entry in world.unleashed.request_log if not entry[1].startswith("/webhooks")]


def test_an_order_with_two_shipments_becomes_two_wms_orders_with_their_references(connected: UnleashedWorld):
    before = len(unleashed_calls(connected))
    order = connected.place(TWO_LINES, shipments=TWO_SHIPMENTS, comments="Call first", requiredDate="2026-12-24")
    connected.pump()
    first, second = connected.shipments(order)
    wms = {o["references"]["customer"]: o for o in connected.wms_orders()}
    number = order["OrderNumber"]
    assert sorted(wms) == [f"{number} | {first['ShipmentNumber']}", f"{number} | {second['ShipmentNumber']}"]
    one = wms[f"{number} | {first['ShipmentNumber']}"]
    assert [(i["details"]["product"]["references"]["code"], i["measures"]["quantity"]) for i in one["items"]] == \
        [("SKU-1", 2)]
    assert one["customer"]["id"] == connected.tenant.customer_id
    assert one["warehouse"]["id"] == connected.tenant.warehouse_id
    assert one["details"]["instructions"] == "Order: Call first\nShipment: First box"
    assert one["details"]["deliver"]["requiredDate"] == "2026-12-24"
    assert one["details"]["deliver"]["address"]["address1"] == "1 Example Street"
    assert connected.link(first["Guid"])["wmsOrderId"] == one["id"]
    assert connected.events(order["Guid"], "order") == ["webhook", "shipments"]
    assert connected.events(first["Guid"]) == ["created"] and connected.events(second["Guid"]) == ["created"]
    # two reads of Unleashed for the whole order, however many shipments (the shipments ride on the work items)
    assert [path.split("/")[1] for _, path, _ in unleashed_calls(connected)[before:]] == ["SalesOrders",
                                                                                         "SalesShipments"]


def test_a_placed_order_without_shipments_waits_and_a_shipment_added_later_gets_its_own_wms_order(
        connected: UnleashedWorld):
    order = connected.place(TWO_LINES, shipments=[])
    connected.pump()
    link, entries = connected.history(order["Guid"], "order")
    assert link["status"] == "WAITING" and entries[-1]["event"] == "waiting"
    assert "no Sales Shipment yet" in entries[-1]["message"] and connected.wms_orders() == []
    # A shipment is created in Unleashed; shipment events are not known to exist, so nothing is delivered: the
    # poll's shipment pass (every 3rd poll, here the one at 00:00) finds it.
    first = connected.unleashed.add_shipment(API_ID, order["Guid"], lines=[{"line": 1, "quantity": 2}])
    connected.service.schedule("UnleashedPollScheduleFunction", {"scheduledTime": "2026-11-30T00:00:00Z"})
    connected.pump()
    assert [o["references"]["customer"] for o in connected.wms_orders()] == \
        [f"{order['OrderNumber']} | {first['ShipmentNumber']}"]
    assert connected.history(order["Guid"], "order")[0]["status"] == "SYNCED"
    # A second shipment, later again (this time the order's webhook says so): its own WMS order; the first untouched.
    wms_first = connected.wms_orders()[0]
    second = connected.unleashed.add_shipment(API_ID, order["Guid"], lines=[{"line": 2, "quantity": 1}],
                                              notify=True)
    connected.pump()
    references = sorted(o["references"]["customer"] for o in connected.wms_orders())
    assert references == sorted(f"{order['OrderNumber']} | {s['ShipmentNumber']}" for s in (first, second))
    assert next(o for o in connected.wms_orders() if o["id"] == wms_first["id"]) == wms_first
    assert connected.events(first["Guid"]) == ["created"]  # seen again, never made twice


def test_a_parked_order_waits_until_it_is_placed(connected: UnleashedWorld):
    order = connected.place(TWO_LINES, shipments=[{}], status="Parked")
    connected.pump()
    assert connected.history(order["Guid"], "order")[0]["status"] == "WAITING"
    assert connected.wms_orders() == []
    connected.unleashed.edit_order(API_ID, order["Guid"], status="Placed")
    connected.pump()
    assert len(connected.wms_orders()) == 1


def test_shipments_go_to_their_mapped_warehouse_and_unmapped_ones_are_skipped_visibly(world: UnleashedWorld):
    brisbane = world.tenant.warehouse_id
    world.connect(warehouse_id=None, mappings=[{"unleashedWarehouseCode": "akl", "warehouseId": brisbane}])
    order = world.place(TWO_LINES, shipments=[{"lines": [{"line": 1, "quantity": 2}], "warehouseCode": "AKL"},
                                            {"lines": [{"line": 2, "quantity": 1}], "warehouseCode": "MAIN"}])
    world.pump()
    from_akl, from_main = world.shipments(order)
    assert [o["warehouse"]["id"] for o in world.wms_orders()] == [brisbane]
    assert world.link(from_akl["Guid"])["wmsOrderId"] == world.wms_orders()[0]["id"]
    skipped, entries = world.history(from_main["Guid"])
    assert skipped["status"] == "SKIPPED" and "MAIN" in skipped["lastError"]
    assert entries[-1]["event"] == "skipped" and "warehouse mapping" in entries[-1]["resolution"]


def test_an_unknown_product_needs_attention_before_any_wms_order_and_is_created_after_the_fix(
        connected: UnleashedWorld):
    order = connected.place([{"code": "SKU-404", "quantity": 1}])
    connected.pump()
    [shipment] = connected.shipments(order)
    link = connected.link(shipment["Guid"])
    assert link["status"] == "NEEDS_ATTENTION" and "SKU-404" in link["lastError"]
    assert "Create the product SKU-404 in CartonCloud" in link["resolution"]
    # the customer by name, as people know it (issue 21), never by its id
    assert "for Steam Chef Store" in link["resolution"] and connected.tenant.customer_id not in link["resolution"]
    assert connected.wms_orders() == []
    connected.wms.add_product(connected.tenant.tenant_id, customer_id=connected.tenant.customer_id, code="SKU-404",
                              name="Found it")
    retry_from_sync_log(link["pk"])
    connected.pump()
    assert connected.link(shipment["Guid"])["status"] == "SYNCED" and len(connected.wms_orders()) == 1


def test_fee_products_are_left_out_of_the_wms_order_and_said_while_missing_goods_still_need_attention(
        connected: UnleashedWorld):
    """Issue 21: a fee product (SHIP, CONV in Unleashed's own captures) is not goods to pick. One the WMS lacks and
    Unleashed marks Never Diminishing (a service) is left out, said in the log; the shipment doesn't need
    attention for it. A missing product Unleashed stocks still does."""
    account = connected.unleashed.account(API_ID)
    connected.unleashed.add_product(account, {"ProductCode": "SHIP", "ProductDescription": "Shipping",
                                              "NeverDiminishing": True})
    order = connected.place([{"code": "SKU-1", "quantity": 2, "unitPrice": 24.95},
                             {"code": "SHIP", "quantity": 1, "unitPrice": 20}])
    connected.pump()
    [shipment] = connected.shipments(order)
    [wms] = connected.wms_orders()
    assert [i["details"]["product"]["references"]["code"] for i in wms["items"]] == ["SKU-1"]
    link, entries = connected.history(shipment["Guid"])
    assert link["status"] == "SYNCED"
    assert "SHIP is a fee or service (Never Diminishing in Unleashed), not goods to pick: left out" in \
        entries[-1]["message"]
    stocked = connected.place([{"code": "SKU-1", "quantity": 1}, {"code": "SHIP", "quantity": 1},
                               {"code": "PALLET-9", "quantity": 1}])
    connected.pump()
    [other] = connected.shipments(stocked)
    assert connected.link(other["Guid"])["status"] == "NEEDS_ATTENTION"
    assert "PALLET-9" in connected.link(other["Guid"])["lastError"]
    assert "SHIP" not in connected.link(other["Guid"])["lastError"]


def test_a_shipment_of_fees_only_says_there_is_nothing_to_pick(connected: UnleashedWorld):
    connected.unleashed.add_product(connected.unleashed.account(API_ID), {"ProductCode": "CONV", "NeverDiminishing":
                                                                          True})
    order = connected.place([{"code": "CONV", "quantity": 1, "unitPrice": 5}])
    connected.pump()
    [shipment] = connected.shipments(order)
    link = connected.link(shipment["Guid"])
    assert link["status"] == "NEEDS_ATTENTION" and "nothing for the warehouse to pick" in link["lastError"]
    assert connected.wms_orders() == []


def test_a_pickup_order_is_skipped_with_its_reason(connected: UnleashedWorld):
    order = connected.place(deliveryMethod="Customer Pickup")
    connected.pump()
    [shipment] = connected.shipments(order)
    assert connected.link(shipment["Guid"])["status"] == "SKIPPED"
    assert "pickup orders are not sent" in connected.link(shipment["Guid"])["lastError"]
    assert connected.wms_orders() == []


def test_edits_after_the_wms_order_are_recorded_once_never_applied(connected: UnleashedWorld):
    order = connected.place(TWO_LINES, shipments=TWO_SHIPMENTS)
    connected.pump()
    first, _ = connected.shipments(order)
    made = connected.wms_order_for(first["Guid"])
    connected.unleashed.edit_shipment(API_ID, first["Guid"], quantities={"1": 5})
    for _ in range(2):  # the same edit seen twice is said once
        connected.unleashed.edit_order(API_ID, order["Guid"], comments="changed my mind")
        connected.pump()
    diverged = [e for e in connected.history(first["Guid"])[1] if e["event"] == "diverged"]
    assert len(diverged) == 1
    assert "lines SKU-1 ×2 → SKU-1 ×5" in diverged[0]["message"] and "is not changed" in diverged[0]["message"]
    assert connected.wms_order_for(first["Guid"]) == made
    # deleting the order in Unleashed never deletes the WMS order (and is said on the order's log)
    connected.unleashed.edit_order(API_ID, order["Guid"], status="Deleted")
    connected.pump()
    assert connected.events(order["Guid"], "order")[-1] == "deleted" and len(connected.wms_orders()) == 2


def test_comments_stay_out_when_the_setting_is_off_and_a_redelivered_webhook_makes_nothing_twice(world: UnleashedWorld):
    world.connect(include_comments=False)
    order = world.place(comments="internal note", shipments=[{"comments": "also internal"}])
    world.pump()
    [made] = world.wms_orders()
    assert "instructions" not in made["details"]
    subscription = next(s for s in world.unleashed.subscriptions(API_ID)
                        if world.integration_id in s["notificationUrl"])
    headers, body = world.unleashed.delivery(subscription, "salesorder.updated", order["Guid"])
    for _ in range(3):
        assert world.service.http("POST", f"/webhooks/unleashed/{world.integration_id}", headers=headers,
                                body=body).status == 202
    world.pump()
    assert len(world.wms_orders()) == 1
    webhooks = [e for e in world.history(order["Guid"], "order")[1] if e["event"] == "webhook"]
    assert len(webhooks) == 4  # created, and three copies of one update: each noted, the copies worked once
