"""Issue 12, point 2: a WMS order reaching the trigger status becomes one Starshipit order — address, contact, lines,
packages, reference — however often and in whatever order we hear about it; a refusal names the field and can be
retried after the fix."""

from __future__ import annotations

import json

from integrations.core.context import core
from integrations.core.sync_log_retry import retry_from_sync_log
from integrations.core.workitems import WorkItem, enqueue
from integrations.starshipit.refs import WMS_EVENT, order_ref

from local.sandboxes.base import SandboxRequest

from .starshipit_helpers import (  # noqa: F401  (fixtures)
    ACCOUNT,
    StarshipitWorld,
    connected_fixture,
    other_warehouse,
    starshipit_world_fixture,
)


def test_a_packed_order_becomes_one_starshipit_order_with_its_address_lines_and_reference(connected: StarshipitWorld):
    order_id = connected.place("SO-1001", lines=[("SKU-1", 2), ("SKU-2", 1)])
    connected.pump()
    assert connected.ssi_orders() == []  # AWAITING_PICK_AND_PACK: not yet
    connected.move(order_id, "PACKED")
    connected.pump()
    [order] = connected.ssi_orders()
    assert order["order_number"] == "SO-1001" and order["reference"] == "SO-1001"  # the shop's number, never our id
    assert order["destination"] == {
        "name": "Jane Citizen", "company": "Steam Chef Pty Ltd", "building": "Level 3", "street": "20 George Street",
        "suburb": "Sydney", "city": "Sydney", "state": "NSW", "post_code": "2000", "country": "AU",
        "phone": "0290988227", "email": "jane@example.com", "delivery_instructions": "Leave at door"}
    assert [(i["sku"], i["description"], i["quantity"], i["weight"], i["value"]) for i in order["items"]] == [
        ("SKU-1", "Steam Pot", 2, 1.3, 24.95), ("SKU-2", "Bamboo Steamer", 1, 1.3, 24.95)]
    assert order["shipping_method"] == "Express" and order["currency"] == "AUD"
    link = connected.link(order_id)
    assert link["status"] == "SYNCED" and link["origin"] == "wms"
    assert link["platformRecordKey"] == f"{connected.integration_id}#starshipit#order#{order['order_id']}"
    assert link["memo"]["starshipitOrderId"] == order["order_id"]
    assert "created" in connected.events(order_id)


def test_repacking_or_dispatching_makes_no_second_order_and_writes_nothing(connected: StarshipitWorld):
    order_id = connected.place()
    connected.move(order_id, "PACKED")
    connected.pump()
    writes = len(connected.starshipit.requests_to(r"^/api/orders$", method="POST"))
    for status in ("PACKING_IN_PROGRESS", "PACKED", "DISPATCHED"):
        connected.move(order_id, status)
        connected.pump()
    assert len(connected.ssi_orders()) == 1
    assert len(connected.starshipit.requests_to(r"^/api/orders$", method="POST")) == writes == 1
    assert connected.events(order_id).count("write-back") >= 2  # "already in Starshipit…; nothing changes there"


def test_an_order_first_seen_past_the_trigger_is_exported_once(connected: StarshipitWorld):
    dispatched = connected.place("SO-2001")
    connected.wms.drop_notifications(1)
    connected.move(dispatched, "PACKED")  # its PACKED notification is lost…
    connected.move(dispatched, "DISPATCHED", tracking_number="TRK-OWN", carrier="Aramex")  # …then it moves on
    connected.pump()
    assert connected.numbers() == ["SO-2001"]


def test_the_dispatched_trigger_waits_for_dispatch(world: StarshipitWorld):
    world.connect(trigger="DISPATCHED")
    order_id = world.place("SO-3001")
    world.move(order_id, "PACKED")
    world.pump()
    assert world.ssi_orders() == []
    world.move(order_id, "DISPATCHED")
    world.pump()
    assert world.numbers() == ["SO-3001"]


def test_uncovered_warehouses_and_pickup_orders_are_skipped_with_why(world: StarshipitWorld):
    world.connect(warehouseIds=[world.tenant.warehouse_id])
    elsewhere = world.place(warehouse_id=other_warehouse(world))
    pickup = world.place(pickup=True)
    for order_id in (elsewhere, pickup):
        world.move(order_id, "PACKED")
    world.pump()
    assert world.ssi_orders() == []
    assert world.link(elsewhere)["status"] == "SKIPPED" and "doesn't cover" in world.link(elsewhere)["lastError"]
    assert world.link(pickup)["status"] == "SKIPPED" and "pickup" in world.link(pickup)["lastError"]


def test_carrier_defaults_and_service_mappings(world: StarshipitWorld):
    world.connect(carrier="AusPost", carrierServiceCode="7B05",
                serviceMappings=[{"requestedService": "express", "carrier": "AusPost", "carrierServiceCode": "7E55"}])
    express, standard = world.place(service="Express"), world.place(service="Standard")
    for order_id in (express, standard):
        world.move(order_id, "PACKED")
    world.pump()
    assert world.ssi_order_for(express)["carrier_service_code"] == "7E55"
    assert world.ssi_order_for(standard)["carrier_service_code"] == "7B05"


def test_packages_come_from_the_consignment_when_there_is_one(connected: StarshipitWorld):
    order_id = connected.place()
    tenant = connected.wms.tenant(connected.tenant.tenant_id)
    connected.move(order_id, "PACKING_IN_PROGRESS")
    # The 3PL's TMS has the consignment: two cartons, 6 kg between them.
    consignment = connected.wms.consignments(connected.tenant.tenant_id)
    assert consignment == []
    tenant.consignments["c-1"] = {
        "id": "c-1", "type": "CONSIGNMENT", "status": "AWAITING_PICKUP", "version": 1,
        "references": {"customer": "x", "numericId": "20001"}, "customer": {"id": connected.tenant.customer_id},
        "generatedFromTask": {"id": order_id}, "details": {"type": "DELIVERY"},
        "items": [{"details": {"product": {"references": {"code": "SKU-1"}}, "unitOfMeasure": {"type": "CARTON"}},
                   "measures": {"quantity": 2, "weight": 6}}],
        "timestamps": {"created": {"time": "2026-11-21T10:00:00+10:00"},
                       "modified": {"time": "2026-11-21T10:00:00+10:00"}}}
    connected.move(order_id, "PACKED")
    connected.pump()
    assert [p["weight"] for p in connected.ssi_order_for(order_id)["packages"]] == [3, 3]


def test_an_address_starshipit_refuses_names_the_field_and_is_retried_after_the_fix(connected: StarshipitWorld):
    order_id = connected.place(address={"postcode": "20O0"})  # a letter O: Starshipit refuses the post code
    connected.move(order_id, "PACKED")
    connected.pump()
    assert connected.ssi_orders() == []
    link, entries = connected.history(order_id)
    assert link["status"] == "NEEDS_ATTENTION"
    assert "details.deliver.address.postcode" in link["lastError"] and "post code" in link["lastError"]
    assert "CartonCloud" in link["resolution"] and "retry from the sync log" in link["resolution"]
    assert [e["event"] for e in entries].count("error") == 1
    # A warehouse user corrects the address in CartonCloud, then the record is retried from the sync log.
    stored = connected.wms.tenant(connected.tenant.tenant_id).outbound_orders[order_id]
    stored["details"]["deliver"]["address"]["postcode"] = "2000"
    retry_from_sync_log(connected.key(order_id))
    connected.pump()
    assert connected.ssi_order_for(order_id)["destination"]["post_code"] == "2000"
    assert connected.link(order_id)["status"] == "SYNCED"


def test_a_wms_order_we_cant_map_is_refused_before_starshipit_is_called(connected: StarshipitWorld):
    order_id = connected.place(address={"address1": None, "contact_name": None, "company_name": "ACME"})
    connected.move(order_id, "PACKED")
    connected.pump()
    link = connected.link(order_id)
    assert link["status"] == "NEEDS_ATTENTION" and "details.deliver.address.address1" in link["lastError"]
    assert connected.starshipit.requests_to(r"^/api/orders$", method="POST") == []


def test_an_order_already_in_starshipit_is_bound_not_created_again(connected: StarshipitWorld, monkeypatch):
    """A crash between Starshipit's answer and our bind: the retry looks the order number up and binds."""
    from integrations.core.stores.links import DynamoLinkStore

    real_bind = DynamoLinkStore.bind
    crashes: list[bool] = []

    def crash_once(self, *args, **kwargs):
        if not crashes:
            crashes.append(True)
            raise RuntimeError("Lambda timed out after Starshipit answered")
        return real_bind(self, *args, **kwargs)

    monkeypatch.setattr(DynamoLinkStore, "bind", crash_once)
    order_id = connected.place()
    connected.move(order_id, "PACKED")
    connected.pump()
    assert crashes and len(connected.ssi_orders()) == 1
    assert len(connected.starshipit.requests_to(r"^/api/orders$", method="POST")) == 1
    assert "bound" in connected.events(order_id)
    assert connected.link(order_id)["memo"]["starshipitOrderId"] == connected.ssi_orders()[0]["order_id"]


def test_replayed_and_concurrent_events_make_one_order(connected: StarshipitWorld):
    """The routed event worked by several workers at once, with replays under fresh keys: one claim wins."""
    import contextlib
    import threading

    from local.lambda_runtime import LambdaContext, QueuePump

    order_id = connected.place("SO-4001")
    connected.move(order_id, "PACKED")
    connected.deliver_wms_notifications()
    connected.service.pump("WmsQueue")
    connected.service.pump("StatusChangeQueue")
    [routed] = connected.service.messages("StarshipitQueue")
    queue = connected.service.stack.queues["StarshipitQueue"]
    for n in range(5):
        enqueue(queue, WorkItem.model_validate(routed).model_copy(update={"idempotency_key": f"replay-{n}"}))
    service = connected.service
    spec = service.stack.functions["StarshipitWorkerFunction"]
    pump = QueuePump(service.sqs, queue, service.stack.queue_arns["StarshipitQueue"],
                     service.handlers["StarshipitWorkerFunction"], spec, fast_retry=True)
    messages = service.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                           MessageSystemAttributeNames=["All"])["Messages"]
    assert len(messages) == 6 and all(WorkItem.model_validate_json(m["Body"]).kind == WMS_EVENT for m in messages)

    def work(message):
        with contextlib.suppress(Exception):
            pump.handler({"Records": [pump._record(message)]}, LambdaContext(function_name=spec.logical_id))

    threads = [threading.Thread(target=work, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for message in messages:
        service.sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"],
                                              VisibilityTimeout=0)
    connected.pump()
    assert connected.numbers() == ["SO-4001"]
    assert len(connected.starshipit.requests_to(r"^/api/orders$", method="POST")) == 1
    assert connected.service.queue_depth("StarshipitDeadLetterQueue") == 0
    # The Starshipit end holds the pointer: from either side, the one link.
    bound = core().links.find(order_ref(connected.integration_id, connected.ssi_orders()[0]["order_id"]))
    assert bound is not None and bound.key == connected.key(order_id)


# --- the number people see (issue 21) -------------------------------------------------------------------------------


def another_channels_order(world: StarshipitWorld, number: str, **destination: object) -> dict:
    """An order the account's own shop integration made in Starshipit (through Starshipit's API, as it would)."""
    body = {"order": {"order_number": number, "items": [{"sku": "SKU-1", "quantity": 2}], "destination": {
        "name": "Jane Citizen", "street": "20 George Street", "suburb": "Sydney", "post_code": "2000",
        "country": "AU", **destination}}}
    answer = world.starshipit.handle(SandboxRequest("POST", "/api/orders", headers=world.keys(),
                                                  body=json.dumps(body).encode()))
    assert answer.status == 200, answer.parsed()
    return answer.parsed()["order"]  # type: ignore[no-any-return]


def test_a_number_another_order_has_makes_the_next_number_never_a_shared_one(connected: StarshipitWorld):
    """Ours gets the next free number (never relying on Starshipit refusing a duplicate: assumption
    duplicate-order-numbers), and our order is never confused with theirs."""
    theirs = another_channels_order(connected, "SO-5001", street="1 Other Street")
    order_id = connected.place("SO-5001")
    connected.move(order_id, "PACKED")
    connected.pump()
    ours = connected.ssi_order_for(order_id)
    assert ours["order_id"] != theirs["order_id"] and ours["order_number"] == "SO-5001-2"
    assert ours["reference"] == "SO-5001"  # the shop's number as it is, beside it
    assert sorted(connected.numbers()) == ["SO-5001", "SO-5001-2"]
    [created] = [e for e in connected.history(order_id)[1] if e["event"] == "created"]
    assert "order number SO-5001 is taken in Starshipit by another order, so this one is SO-5001-2" in \
        created["message"]
    # Tracking finds its way back by our number; theirs is left alone.
    connected.starshipit.ship_order(ACCOUNT, theirs["order_id"], tracking_number="THEIRS-1")
    connected.starshipit.ship_order(ACCOUNT, ours["order_id"], tracking_number="OURS-1")
    connected.pump()
    assert [c["references"]["tracking"] for c in connected.consignments(order_id)] == ["OURS-1"]


def test_the_same_shipment_already_sent_by_another_channel_is_bound_not_sent_twice(connected: StarshipitWorld):
    theirs = another_channels_order(connected, "SO-5002")
    order_id = connected.place("SO-5002", lines=[("SKU-1", 2)])
    connected.move(order_id, "PACKED")
    connected.pump()
    assert connected.ssi_order_for(order_id)["order_id"] == theirs["order_id"]
    assert len(connected.starshipit.requests_to(r"^/api/orders$", method="POST")) == 1  # theirs only
    assert "bound" in connected.events(order_id)


def test_a_retry_binds_to_an_order_an_older_version_numbered_with_the_wms_id(connected: StarshipitWorld, monkeypatch):
    """An order made by a version that numbered orders with the WMS id, whose bind never happened (a crash at the
    deploy): the retry finds it under that number and binds, never a second order."""
    from integrations.core.stores.links import DynamoLinkStore

    order_id = connected.place("SO-5003")
    made_before = another_channels_order(connected, order_id)  # what the older version had created
    real_claim, fails = DynamoLinkStore.claim, []

    def first_attempt_fails(self, *args, **kwargs):  # the first attempt dies before creating (a crash, a timeout)
        if not fails:
            fails.append(True)
            raise RuntimeError("Lambda timed out")
        return real_claim(self, *args, **kwargs)

    monkeypatch.setattr(DynamoLinkStore, "claim", first_attempt_fails)
    connected.move(order_id, "PACKED")
    connected.pump()
    assert fails and connected.ssi_order_for(order_id)["order_id"] == made_before["order_id"]
    assert connected.numbers() == [order_id]
