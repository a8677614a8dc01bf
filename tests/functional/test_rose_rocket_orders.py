"""Rose Rocket both ways (issue 13, points 4–6): WMS consignments → Rose Rocket orders, Delivered orders → WMS
consignments, edits while Delivered, orders leaving Delivered, deletions, unmatched customers, and the manual push."""

from __future__ import annotations

import json

from integrations.core.records import LinkStatus

from local.sandboxes.base import SandboxRequest

from . import rose_rocket_helpers
from .management_support import mint
from .rose_rocket_helpers import CONSIGNEE, ORG, RoseRocketWorld

world = rose_rocket_helpers.world  # the fixture


def has(actual: dict, expected: dict) -> bool:
    return all(actual.get(key) == value for key, value in expected.items())


def test_a_wms_consignment_of_a_matched_customer_creates_one_order_with_a_new_service_type(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    consignment = world.consignment("chef", service_type="EXPRESS")
    world.pump()
    [order] = world.rr_orders()
    assert order["externalId"] == consignment and order["status"] == "new"
    assert order["customer"]["id"] == world.customers["chef"]["id"]
    assert order["refNum"] == world.wms_consignment(consignment)["references"]["customer"]
    pickup, delivery = (next(t for t in order["tasks"] if t["taskType"] == kind) for kind in ("pickup", "delivery"))
    assert pickup["stops"][0]["address"]["companyName"] == "Steam Chef"
    assert has(delivery["stops"][0]["address"], {"companyName": "Harbour Cafe", "address1": "1 Wharf St",
                                                 "city": "Brisbane", "stateCode": "QLD", "postalCode": "4000",
                                                 "countryCode": "AU"})
    assert delivery["stops"][0]["specialInstructions"] == "Leave at dock 2"
    [commodity] = pickup["commodities"]
    assert has(commodity, {"commodityType": "carton", "description": "Steam pots", "quantity": 4, "weight": 40,
                           "weightUnit": "kgs"})
    [service_type] = world.rr_objects("serviceType")
    assert service_type["externalId"] == "EXPRESS" and order["serviceType"]["id"] == service_type["id"]
    link, entries = world.consignment_log(consignment)
    assert link["status"] == "SYNCED" and link["platformRecordKey"].endswith(order["id"])
    assert any("service type 'EXPRESS' created" in e["message"] for e in entries)
    # The same consignment notified again, and a second one with the same service type: no new order, no new type.
    world.wms.redeliver_notification()
    world.pump()
    second = world.consignment("chef", service_type="EXPRESS")
    world.pump()
    assert len(world.rr_orders()) == 2 and len(world.rr_objects("serviceType")) == 1
    assert {o["externalId"] for o in world.rr_orders()} == {consignment, second}


def test_an_unmatched_customer_needs_attention_and_goes_across_when_the_match_arrives(world: RoseRocketWorld):
    world.connect()
    consignment = world.consignment("harbour")
    world.pump()
    assert world.rr_orders() == []
    link, entries = world.consignment_log(consignment)
    assert link["status"] == "NEEDS_ATTENTION" and "no Rose Rocket customer matched" in link["lastError"]
    assert "import the matches" in link["resolution"]
    world.match("harbour")
    [order] = world.rr_orders()
    assert order["externalId"] == consignment and order["customer"]["id"] == world.customers["harbour"]["id"]
    assert world.consignment_log(consignment)[0]["status"] == "SYNCED"


def test_consignments_of_types_not_covered_are_skipped_and_our_own_are_not_sent_back(world: RoseRocketWorld):
    world.connect(consignmentTypes=["DELIVERY"])
    world.match("chef")
    pickup = world.consignment("chef", details={"type": "PICKUP", "deliver": {"address": dict(CONSIGNEE)}})
    world.pump()
    assert world.rr_orders() == []
    link, _ = world.consignment_log(pickup)
    assert link["status"] == "SKIPPED" and "PICKUP" in link["lastError"]


def test_an_order_moved_to_delivered_creates_one_wms_consignment(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    world.rose_rocket.org(ORG).duplicate_percent = 100  # every webhook twice
    order = world.order("chef")
    world.move(order, "booked")
    world.pump()
    assert world.wms_consignments() == []
    assert any(e["event"] == "waiting" for e in world.order_log(order)[1])
    world.move(order, "delivered")
    world.pump()
    world.poll()
    [consignment] = world.wms_consignments()
    assert consignment["status"] == "DELIVERED" and consignment["customer"]["id"] == world.wms_customers["chef"]
    assert consignment["references"]["customer"] == "CUST-REF-1"
    assert consignment["properties"]["roseRocketOrderId"] == order
    assert consignment["warehouse"]["id"] == world.tenant.warehouse_id
    [item] = consignment["items"]
    assert item["measures"] == {"quantity": 2, "weight": 300, "cubic": 3.6, "pallets": 2}
    assert item["properties"] == {"description": "Steam pots", "commodityType": "pallet", "length": 120,
                                  "width": 100, "height": 150}
    assert consignment["details"]["deliver"]["address"]["companyName"] == "Harbour Cafe"
    assert world.rr_order(order)["externalId"] == consignment["id"]
    link = world.link_of_order(order)
    assert link.status is LinkStatus.SYNCED and link.wms.entity_id == consignment["id"]
    # The consignment we made is notified back to us as CREATED: it doesn't become a second order.
    assert len(world.rr_orders()) == 1


def test_edits_sync_only_while_delivered_and_deletions_never(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    order = world.order("chef")
    world.move(order, "delivered")
    world.pump()
    [consignment] = world.wms_consignments()
    before = world.wms_consignment(consignment["id"])["version"]
    # An edit while Delivered sends no webhook (only status changes do): the poll finds it.
    _edit(world, order, {"delivery": {"address1": "2 Wharf St"}, "refNum": "CUST-REF-2"})
    world.poll("2026-11-30T00:05:00Z")
    edited = world.wms_consignment(consignment["id"])
    assert edited["details"]["deliver"]["address"]["address1"] == "2 Wharf St"
    assert edited["references"]["customer"] == "CUST-REF-2" and edited["version"] == before + 1
    assert any(e["event"] == "updated" for e in world.order_log(order)[1])
    world.poll("2026-11-30T00:10:00Z")
    assert world.wms_consignment(consignment["id"])["version"] == before + 1  # nothing new: nothing written
    # Out of Delivered, edits stay in Rose Rocket.
    world.move(order, "in transit")
    _edit(world, order, {"delivery": {"address1": "3 Wharf St"}})
    world.pump()
    world.poll("2026-11-30T00:15:00Z")
    assert world.wms_consignment(consignment["id"])["details"]["deliver"]["address"]["address1"] == "2 Wharf St"
    assert any(e["event"] == "not-synced" for e in world.order_log(order)[1])
    # Deleted in Rose Rocket: the consignment stays as it is.
    _delete(world, order)
    world.poll("2026-11-30T00:20:00Z")
    assert world.wms_consignment(consignment["id"])["details"]["deliver"]["address"]["address1"] == "2 Wharf St"


def test_an_order_back_in_delivered_syncs_its_edits_again(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    order = world.order("chef")
    world.move(order, "delivered")
    world.pump()
    [consignment] = world.wms_consignments()
    world.move(order, "in transit")
    world.pump()
    world.move(order, "delivered")
    _edit(world, order, {"delivery": {"address1": "4 Wharf St"}})
    world.pump()
    world.poll("2026-11-30T00:05:00Z")
    assert world.wms_consignment(consignment["id"])["details"]["deliver"]["address"]["address1"] == "4 Wharf St"
    assert world.link_of_order(order).status is LinkStatus.SYNCED


def test_the_manual_push_sends_the_current_state_and_answers_what_changed(world: RoseRocketWorld):
    world.connect(createOrdersFromConsignments=False)
    world.match("chef")
    consignment = world.consignment("chef", service_type="OVERNIGHT")
    world.pump()
    assert world.rr_orders() == []
    pushed = world.api("POST", f"{world.base}/consignments/{consignment}/push")
    assert pushed.status == 200, pushed.body
    answer = pushed.json()
    assert answer["created"] is True and answer["serviceTypeCreated"] == "OVERNIGHT"
    [order] = world.rr_orders()
    assert answer["roseRocketOrderId"] == order["id"] and answer["roseRocketOrderNumber"] == order["fullId"]
    world.wms.edit_consignment(world.tenant.tenant_id, consignment, {"details": {"deliver": {
        "address": {**CONSIGNEE, "address1": "7 Quay St"}}}})
    world.pump()
    again = world.api("POST", f"{world.base}/consignments/{consignment}/push").json()
    assert again["created"] is False and again["changed"] == ["delivery"]
    assert world.rr_order(order["id"])["tasks"][1]["stops"][0]["address"]["address1"] == "7 Quay St"
    assert world.api("POST", f"{world.base}/consignments/{consignment}/push").json()["changed"] == []
    assert len(world.rr_orders()) == 1
    _, entries = world.consignment_log(consignment)
    assert [e["event"] for e in entries].count("pushed") == 3


def test_a_push_of_a_consignment_made_from_an_order_updates_that_order(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    order = world.order("chef")
    world.move(order, "delivered")
    world.pump()
    [consignment] = world.wms_consignments()
    world.wms.edit_consignment(world.tenant.tenant_id, consignment["id"],
                               {"details": {"deliver": {"instructions": "Ring"}}})
    pushed = world.api("POST", f"{world.base}/consignments/{consignment['id']}/push").json()
    assert pushed["roseRocketOrderId"] == order and pushed["changed"] == ["deliveryInstructions"]
    assert len(world.rr_orders()) == 1


def test_a_push_refuses_what_it_cannot_send(world: RoseRocketWorld):
    world.connect()
    unmatched = world.consignment("harbour")
    assert world.api("POST", f"{world.base}/consignments/{unmatched}/push").status == 409
    assert world.api("POST", f"{world.base}/consignments/not-a-uuid/push").status == 400
    missing = world.api("POST", f"{world.base}/consignments/00000000-0000-4000-8000-000000000000/push")
    assert missing.status == 404 and missing.json()["errors"][0]["field"] == "consignmentId"
    customer_user = world.api("POST", f"{world.base}/consignments/{unmatched}/push",
                           token=mint(world.tenant.tenant_id, "customer", world.tenant.customer_id))
    assert customer_user.status == 403


def _edit(world: RoseRocketWorld, order_id: str, changes: dict) -> None:
    """A dispatcher edits the order (the sandbox's control API, as its UI would)."""
    answer = world.rose_rocket.handle(SandboxRequest("PATCH", f"/_control/orgs/{ORG}/orders/{order_id}",
                                         body=json.dumps(changes).encode()))
    assert answer.status == 200, answer.body


def _delete(world: RoseRocketWorld, order_id: str) -> None:
    answer = world.rose_rocket.handle(SandboxRequest("DELETE", f"/_control/orgs/{ORG}/orders/{order_id}"))
    assert answer.status == 200, answer.body
