"""Rose Rocket where its docs leave the answer open (issue 21): the connector keeps working whichever way the
organisation answers — statuses spelled another way, connected paths refused, no service type object, webhooks
retried — each run against the sandbox switched to that answer (its dialects), through our doors and queues."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from . import rose_rocket_helpers
from .rose_rocket_helpers import ORG, USER, RoseRocketWorld
from .test_rose_rocket_invoices import linked_orders

world = rose_rocket_helpers.world  # the fixture
VENDOR = Path(__file__).resolve().parents[1] / "fixtures" / "vendor" / "rose_rocket"


def as_the_api_shows(world: RoseRocketWorld, order_id: str) -> dict:
    """The order as Rose Rocket's API (in the sandbox's dialect) shows it."""
    shown = world.rr_order(order_id)
    assert shown is not None
    return world.rose_rocket.shown(shown)


# --- status-spelling: capitalised -----------------------------------------------------------------------------------


def test_an_organisation_that_capitalises_statuses_gets_its_delivered_orders_into_the_wms(world: RoseRocketWorld):
    world.rose_rocket.set_dialect({"status-spelling": "capitalised"})
    world.connect()
    world.match("chef")
    by_webhook = world.order("chef", refNum="BY-WEBHOOK")
    world.move(by_webhook, "delivered")
    world.pump()
    assert world.rose_rocket.deliveries[-1].json()["json"]["status"] == "Delivered"  # as the organisation spells it
    assert [c["references"]["customer"] for c in world.wms_consignments()] == ["BY-WEBHOOK"]
    # a webhook lost: the poll still finds the order, though an exact "delivered" matches nothing here
    world.rose_rocket.drop_webhooks(1)
    by_poll = world.order("chef", refNum="BY-POLL")
    world.move(by_poll, "delivered")
    world.poll()
    assert sorted(c["references"]["customer"] for c in world.wms_consignments()) == ["BY-POLL", "BY-WEBHOOK"]
    searched = [b["body"]["filters"][0]["value"] for b in world.rose_rocket.request_bodies(r"/objects/search$")
                if b["body"]["filters"] and b["body"]["filters"][0]["path"] == "status"]
    assert set(searched) == {"delivered", "Delivered"}


def test_invoicing_writes_the_order_status_as_the_organisation_spells_it(world: RoseRocketWorld):
    world.rose_rocket.set_dialect({"status-spelling": "capitalised"})
    (c_a, order_a), (c_b, order_b) = linked_orders(world)
    invoice = world.wms.create_invoice(world.tenant.tenant_id, [c_a, c_b])
    world.wms.approve_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    assert as_the_api_shows(world, order_a)["status"] == as_the_api_shows(world, order_b)["status"] == "Invoiced"
    written = [b["body"]["json"]["status"] for b in world.rose_rocket.request_bodies(r"/objects/[0-9a-f-]{36}$", "PUT")
               if "status" in (b["body"].get("json") or {})]
    assert written and set(written) == {"Invoiced"}  # "invoiced" would be refused by this organisation


# --- connected-paths: refused ---------------------------------------------------------------------------------------


def test_an_organisation_that_refuses_unlisted_paths_still_gets_its_orders_both_ways(world: RoseRocketWorld):
    world.rose_rocket.set_dialect({"connected-paths": "refused"})
    world.connect()
    world.match("chef")
    order = world.order("chef")
    world.move(order, "delivered")
    world.pump()
    [consignment] = world.wms_consignments()
    assert consignment["details"]["deliver"]["address"]["companyName"] == "Harbour Cafe"  # read from the stop
    assert consignment["details"]["collect"]["address"]["companyName"] == "Steam Chef"
    refused = [b for b in world.rose_rocket.request_bodies(r"/objects/") if b["status"] == 400]
    assert refused, "the sandbox refused the unlisted paths"
    link, entries = world.order_log(order)
    assert link["status"] == "SYNCED"
    assert any("doesn't show this integration the order's service type" in e["message"] for e in entries)
    # and a WMS consignment still becomes one order, pushed again without a write
    pushed = world.consignment("chef", service_type="EXPRESS")
    world.pump()
    assert [o["externalId"] for o in world.rr_orders() if o["externalId"] == pushed] == [pushed]
    writes = len(world.rose_rocket.request_bodies(r"/objects", "PUT"))
    again = world.api("POST", f"{world.base}/consignments/{pushed}/push")
    assert again.status == 200 and again.json()["changed"] == [], again.body
    assert len(world.rose_rocket.request_bodies(r"/objects", "PUT")) == writes


# --- service-type-object: absent -------------------------------------------------------------------------------------


def test_an_organisation_without_service_types_gets_orders_without_one_and_the_log_says_so(world: RoseRocketWorld):
    world.rose_rocket.set_dialect({"service-type-object": "absent"})
    world.connect()
    world.match("chef")
    consignment = world.consignment("chef", service_type="EXPRESS")
    world.pump()
    [order] = world.rr_orders()
    assert order["externalId"] == consignment and order.get("serviceType") is None
    link, entries = world.consignment_log(consignment)
    assert link["status"] == "SYNCED"
    assert any("service type 'EXPRESS' not sent" in e["message"] and "Object Builder" in e["message"]
               for e in entries)
    pushed = world.api("POST", f"{world.base}/consignments/{consignment}/push")
    assert pushed.status == 200 and pushed.json()["changed"] == [] and pushed.json()["serviceTypeNotSent"] == \
        "EXPRESS"


# --- webhook-retries: three times, 30 s apart --------------------------------------------------------------------


def test_a_delivery_retried_after_our_outage_and_one_sent_again_make_one_consignment(world: RoseRocketWorld):
    assert world.rose_rocket.speaks("webhook-retries", "three-times-30s")  # as we assume (the v2 page, via a digest)
    world.connect()
    world.match("chef")
    order = world.order("chef")
    world.door.outage = 503  # our door doesn't answer 2xx
    world.move(order, "delivered")
    world.door.outage = None
    assert world.wms_consignments() == [] and len(world.rose_rocket.retries) == 1
    assert world.rose_rocket.send_due_retries() == 0  # 30 seconds haven't passed on the sandbox's clock
    assert world.rose_rocket.send_due_retries(everything=True) == 1
    world.pump()
    [consignment] = world.wms_consignments()
    # at least once: the same event delivered again is the same work item, and nothing is written again
    writes = len(world.rose_rocket.request_bodies(r"/objects", "PUT"))
    again = world.door(world.webhook_url, {"Content-Type": "application/json"}, world.rose_rocket.deliveries[-1].body)
    world.pump()
    assert again == 202 and [c["id"] for c in world.wms_consignments()] == [consignment["id"]]
    assert len(world.rose_rocket.request_bodies(r"/objects", "PUT")) == writes


def test_without_retries_a_delivery_lost_to_an_outage_is_found_by_the_poll(world: RoseRocketWorld):
    world.rose_rocket.set_dialect({"webhook-retries": "none"})
    world.connect()
    world.match("chef")
    order = world.order("chef")
    world.door.outage = 503
    world.move(order, "delivered")
    world.door.outage = None
    assert world.rose_rocket.retries == [] and world.rose_rocket.send_due_retries(everything=True) == 0
    world.poll()
    [consignment] = world.wms_consignments()
    assert consignment["properties"]["roseRocketOrderId"] == order


# --- the door's shapes: the v2 envelope and v1's events ------------------------------------------------------------


def _deliver(world: RoseRocketWorld, body: bytes) -> tuple[int, dict]:
    """``body`` POSTed at the integration's webhook URL, as Rose Rocket would."""
    url = urlsplit(world.webhook_url)
    answer = world.service.http("POST", url.path, headers={"Content-Type": "application/json"}, body=body,
                             query=url.query)
    return answer.status, answer.json()


def test_the_door_takes_v1_order_events_and_refuses_placeholders_naming_the_field(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    mock = (VENDOR / "webhook-v1-order-status-updated.third-party-mock.json").read_bytes()
    status, problem = _deliver(world, mock)  # the mock's order_id is a placeholder, not a Rose Rocket id
    assert status == 400 and problem["errors"][0]["field"] == "order_id"
    order = world.order("chef")
    world.move(order, "delivered")  # v2's own delivery makes the consignment…
    world.pump()
    v1 = json.loads(mock) | {"order_id": order, "current_status": "delivered"}
    status, accepted = _deliver(world, json.dumps(v1).encode())
    assert status == 202 and accepted["accepted"] is True
    status_again, again = _deliver(world, json.dumps(v1).encode())  # …and v1's copy of one event is one item
    assert again["workItem"] == accepted["workItem"]
    world.pump()
    assert len(world.wms_consignments()) == 1
    _, entries = world.order_log(order)
    assert any("order.status_updated webhook" in e["message"] and "(now delivered)" in e["message"]
               for e in entries)
    leg = {"event": "leg.dispatched", "order_id": order, "timestamp": "2025-03-13T17:21:01.741996Z"}
    assert _deliver(world, json.dumps(leg).encode()) == (200, {"accepted": False,
                                                            "reason": "not about an order: nothing to sync"})


def test_the_door_refuses_the_docs_envelope_as_written_naming_the_first_field(world: RoseRocketWorld):
    world.connect()
    shape = (VENDOR / "webhook-v2-envelope.shape.json").read_bytes()  # every value "string"
    status, problem = _deliver(world, shape)
    assert status == 400 and problem["errors"][0]["field"] == "refId"
    real = json.loads(shape) | {"id": str(uuid.uuid4()), "type": "Order Status Changed", "refId": str(uuid.uuid4()),
                                "ownerId": USER, "orgId": ORG, "objectKey": "order",
                                "createdAt": "2026-11-30T02:55:37.144Z"}
    assert _deliver(world, json.dumps(real).encode())[0] == 202  # the same keys with real values: taken


# --- rating freight as the captured real order has it: skids, pounds, no dimensions --------------------------------


def _with_commodities(world: RoseRocketWorld, order: str, commodities: list[dict]) -> None:
    with world.rose_rocket.writing(world.rose_rocket.org(ORG), USER) as records:
        record = records.get(order)
        pickup = records.get(record["_links"]["tasks"][0])
        records.update(pickup, {"commodities": commodities})


def test_skids_without_dimensions_are_rated_per_pallet_and_the_answer_says_volume_was_not_priced(
        world: RoseRocketWorld):
    from .test_rose_rocket_rating import rateable

    order = rateable(world)
    _with_commodities(world, order, [{"commodityType": "skid", "description": "Auto Parts", "quantity": 8,
                                   "weight": 252.25, "weightUnit": "lbs", "length": 0, "width": 0, "height": 0,
                                   "dimensionUnit": "in"}])
    answer = world.rate(order)
    assert answer.status == 200, answer.body
    rates = answer.json()
    assert rates["lineItems"][0]["description"] == "8 pallets at $45.00 = $360.00"  # skids take pallet spaces
    assert rates["notes"] == ["Commodity 1 (Auto Parts) has no length, width, height: priced by its weight and "
                              "pallets, without volume"]
    # the order's own freight, as the WMS was asked to price it: 8 pallet spaces, 114.419 kg, no volume
    assert rates["lineItems"][0]["quantity"] == 1 and rates["total"] == 421  # $360 + 10 % fuel + $25 tailgate


def test_rating_an_order_in_a_unit_we_cannot_convert_names_the_field(world: RoseRocketWorld):
    from .test_rose_rocket_rating import rateable

    order = rateable(world)
    _with_commodities(world, order, [{"commodityType": "pallet", "quantity": 2, "weight": 300, "weightUnit": "lbs",
                                   "length": 120, "width": 100, "height": 150, "dimensionUnit": "cm"}])
    commodity_id = world.rr_order(order)["tasks"][0]["commodities"][0]["id"]
    world.rose_rocket.org(ORG).store.records[commodity_id]["weightUnit"] = "stone"
    answer = world.rate(order)
    assert answer.status == 422 and answer.json()["errors"] == [
        {"field": "commodities[0].weightUnit", "reason": answer.json()["errors"][0]["reason"]}]
    assert "stone" in answer.json()["errors"][0]["reason"] and answer.json()["resolution"]
    assert world.wms.requests_to(r"/consignments/quote$") == []


def test_service_types_removed_from_the_organisation_while_we_remember_one_still_let_orders_through(
        world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    first = world.consignment("chef", service_type="EXPRESS")
    world.pump()
    assert world.rr_orders()[0]["serviceType"]["name"] == "EXPRESS"  # made, and remembered by this Lambda
    # The object removed in Object Builder.
    world.rose_rocket.set_dialect({"service-type-object": "absent"}, reset=False)
    second = world.consignment("chef", service_type="EXPRESS")
    world.pump()
    assert {o["externalId"] for o in world.rr_orders()} == {first, second}
    link, entries = world.consignment_log(second)
    assert link["status"] == "SYNCED" and any("'EXPRESS' not sent" in e["message"] for e in entries)


def test_an_organisation_whose_orders_refuse_a_service_type_gets_them_without_one(world: RoseRocketWorld, monkeypatch):
    from local.sandboxes.rose_rocket.model import SCHEMAS, SCHEMAS_WITHOUT_SERVICE_TYPE

    # service type records exist, but the order object has no such field (an Object Builder object unconnected)
    monkeypatch.setattr(world.rose_rocket, "schemas",
                        lambda: {**SCHEMAS, "order": SCHEMAS_WITHOUT_SERVICE_TYPE["order"]})
    world.connect()
    world.match("chef")
    consignment = world.consignment("chef", service_type="EXPRESS")
    world.pump()
    [order] = world.rr_orders()
    assert order["externalId"] == consignment
    refused = [b for b in world.rose_rocket.request_bodies(r"/objects$", "PATCH") if b["status"] == 400]
    assert refused and all("serviceType" in b["body"]["json"] for b in refused)
    link, entries = world.consignment_log(consignment)
    assert link["status"] == "SYNCED" and any("'EXPRESS' not sent" in e["message"] for e in entries)


def test_invoices_follow_the_wms_when_rose_rocket_wont_show_an_orders_invoice(world: RoseRocketWorld):
    world.rose_rocket.set_dialect({"connected-paths": "refused"})
    (c_a, order_a), (c_b, order_b) = linked_orders(world)
    invoice = world.wms.create_invoice(world.tenant.tenant_id, [c_a, c_b])
    world.wms.approve_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    world.wms.pay_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    for order in (order_a, order_b):
        shown = world.rr_order(order)  # as a person sees it in Rose Rocket
        assert shown["status"] == "invoiced" and (shown["invoice"]["status"], shown["invoice"]["voided"]) == (
            "paid", False)
    assert len(world.rr_objects("invoice")) == 2  # ours found again by their key: none made twice
    _, entries = world.order_log(order_b)
    assert [e["event"] for e in entries].count("invoice-unseen") == 1  # said once
