"""Requests per synced record (principle 6; docs/rose-rocket.md "Requests per record"): every AWS call our code makes,
and every call to Rose Rocket and the WMS, for one record each way and one rating request — warm caches, the steady
state."""

from __future__ import annotations

import json
from collections import Counter

from integrations.core import aws

from tests import documented

from . import rose_rocket_helpers
from .rose_rocket_helpers import RoseRocketWorld

world = rose_rocket_helpers.world  # the fixture
PAGE = "rose-rocket.md"  # its "Requests per record"
CONSIGNMENT_TO_ORDER = "### A WMS consignment to its Rose Rocket order"
ORDER_TO_CONSIGNMENT = "### A Delivered Rose Rocket order to its WMS consignment"


def counted(world: RoseRocketWorld, work) -> tuple[Counter, Counter, Counter]:
    calls: list[str] = []
    aws.add_request_listener(lambda service_name, operation: calls.append(f"{service_name}:{operation}"))
    rr_before, wms_before = len(world.rose_rocket.request_log), len(world.wms.request_log)
    try:
        work()
    finally:
        aws._listeners.clear()
    rr_calls = Counter(f"{m} {p.split('/api/v2/platformModel')[-1]}"
                       for m, p, _ in world.rose_rocket.request_log[rr_before:])
    wms_calls = Counter(f"{m} {p.split('/tenants/')[-1].split('/', 1)[-1]}" for m, p, _ in
                        world.wms.request_log[wms_before:])
    return Counter(calls), rr_calls, wms_calls


def test_a_wms_consignment_to_its_rose_rocket_order(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    world.consignment("chef")  # warms the caches (tokens, tenant, sealed credentials, queue URLs, the service type)
    world.pump()
    consignment = world.consignment("chef")
    aws_calls, rr_calls, wms_calls = counted(world, world.pump)
    assert len(world.rr_orders()) == 2
    # the WMS notification to the router, as for any WMS event (docs/wms-notifications.md), plus one Query: the
    # tenant's own integrations, asked for because a tenant-level connector subscribes to CONSIGNMENT.CREATED
    # (trigger 2; WMS worker 6; router 6) — then the Rose Rocket worker: idempotency (PutItem, UpdateItem), the
    # consignment's link (GetItem), its customer's match (GetItem ×2: the set's pointer, the match), the claim
    # (UpdateItem), the organisation's rate budget per Rose Rocket call (UpdateItem ×2), the bind
    # (TransactWriteItems) and its log entry (PutItem): the page's table
    assert aws_calls == documented.request_table(PAGE, CONSIGNMENT_TO_ORDER), json.dumps(aws_calls)
    assert sum(aws_calls.values()) == documented.stated(PAGE, CONSIGNMENT_TO_ORDER + r": (\d+) AWS requests")
    assert rr_calls == Counter({f"GET /objects/order/{consignment}/external": 1, "PATCH /objects": 1})
    assert wms_calls == Counter({f"GET consignments/{consignment}": 2})  # the WMS worker's re-read, the exporter's


def test_a_delivered_rose_rocket_order_to_its_wms_consignment(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    first = world.order("chef")
    world.move(first, "delivered")
    world.pump()
    order = world.order("chef", refNum="CUST-REF-9")
    aws_calls, rr_calls, wms_calls = counted(world, lambda: (world.move(order, "delivered"), world.pump()))
    assert len(world.wms_consignments()) == 2
    # the door: the order's log entry (PutItem), the work item (SendMessage); the worker: idempotency (PutItem,
    # UpdateItem), the claim (UpdateItem), the customer's match (GetItem ×2), the rate budget per Rose Rocket call
    # (UpdateItem ×2), the bind (TransactWriteItems) and its log entry (PutItem): the page's table
    assert aws_calls == documented.request_table(PAGE, ORDER_TO_CONSIGNMENT), json.dumps(aws_calls)
    assert sum(aws_calls.values()) == documented.stated(PAGE, ORDER_TO_CONSIGNMENT + r": (\d+) AWS requests")
    assert rr_calls == Counter({f"GET /objects/{order}": 1, f"PUT /objects/{order}": 1})  # re-read; externalId
    assert wms_calls == Counter({"POST consignments/search": 1, "POST consignments": 1})  # made before?; create


def test_a_rating_request(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    order = world.order("chef", serviceType={"id": world.service_type("EXPRESS")})
    assert world.rate(order).status == 200  # warms the caches (tokens, tenant, sealed credentials)
    answer: list = []
    aws_calls, rr_calls, wms_calls = counted(world, lambda: answer.append(world.rate(order)))
    assert answer[0].status == 200
    assert aws_calls == Counter({
        # the integration, read uncached (a rotated credential is refused at once); the customer's match (the set's
        # pointer, the match); the order's link (whose log gets the entry); the organisation's rate budget for the
        # one Rose Rocket call; the rates kept for the save, and the "rated" entry
        "dynamodb:GetItem": 4, "dynamodb:UpdateItem": 1, "dynamodb:PutItem": 2}), json.dumps(aws_calls)
    assert sum(aws_calls.values()) == documented.stated(PAGE, r"### A rating request: (\d+) AWS requests")
    assert rr_calls == Counter({f"GET /objects/{order}": 1})  # the order re-read, with what rating needs
    assert wms_calls == Counter({"POST consignments/quote": 1})


def test_an_invoice_approval_shown_on_its_order(world: RoseRocketWorld):
    world.connect()
    world.match("chef")
    warm = world.consignment("chef")
    consignment = world.consignment("chef")
    world.pump()
    first = world.wms.create_invoice(world.tenant.tenant_id, [warm])
    world.wms.approve_invoice(world.tenant.tenant_id, first["id"])  # warms the caches
    invoice = world.wms.create_invoice(world.tenant.tenant_id, [consignment])
    world.pump()
    aws_calls, rr_calls, wms_calls = counted(world, lambda: (world.wms.approve_invoice(world.tenant.tenant_id,
                                                                                  invoice["id"]), world.pump()))
    assert aws_calls == Counter({
        # the WMS's INVOICE notification to the router: 14, as for a consignment (its state is in the notification:
        # nothing re-fetched) — then the invoice on RoseRocketQueue: idempotency (PutItem, UpdateItem), the
        # invoice's newest recorded state (GetItem), the consignment's link (GetItem), the rate budget per Rose Rocket
        # call (UpdateItem ×3), the state shown (UpdateItem), the order's "invoice" and the invoice's
        # "invoice-applied" entries (PutItem ×2) — 10; Rose Rocket's "Order Status Changed" for the order now
        # invoiced: the door (PutItem, SendMessage) and its re-read (idempotency 2, the order's link 2, the budget,
        # "not synced while invoiced" said once: UpdateItem + PutItem) — 9
        "dynamodb:PutItem": 11, "dynamodb:UpdateItem": 12, "dynamodb:GetItem": 4, "dynamodb:Query": 2,
        "sqs:SendMessage": 4}), json.dumps(aws_calls)
    assert sum(aws_calls.values()) == documented.stated(PAGE, r"### An invoice approval shown on its order: (\d+) AWS")
    # the order read with its invoice; the invoice upserted by externalId; the order connected and invoiced; the
    # webhook's re-read
    assert sorted(rr_calls.values()) == [1, 1, 2] and rr_calls["PATCH /objects"] == 1
    assert wms_calls == Counter()  # an invoice is never re-fetched (no API) nor written
