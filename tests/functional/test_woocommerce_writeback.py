"""Issue 5, point 5: WMS status changes written back to the store — Completed with an order note on dispatch,
tracking rows on Packed/Dispatched and on every tracking change, never twice; without the Shipment Tracking
extension no tracking call is made and completion still happens."""

from __future__ import annotations

from typing import Any

from integrations.core.context import core
from integrations.core.replay import replay
from integrations.core.sync_log_retry import retry_from_sync_log
from integrations.woocommerce.refs import order_ref

from local.lambda_runtime import LambdaContext, QueuePump

from .conftest import log_of
from .woocommerce_helpers import SLUG, WOO_BASE, Woo, connected_fixture, woo_fixture  # noqa: F401  (fixtures)


def synced(woo: Woo) -> tuple[dict[str, Any], str]:
    placed = woo.place()
    woo.pump()
    return placed, woo.link(placed["id"])["wmsOrderId"]


def move(woo: Woo, wms_id: str, status: str, **tracking: Any) -> None:
    woo.wms.set_outbound_order_status(woo.tenant.tenant_id, wms_id, status, **tracking)
    woo.pump()


def numbers(woo: Woo, order_id: int) -> list[str]:
    return [row["tracking_number"] for row in woo.store.trackings(SLUG, order_id)]


def our_notes(woo: Woo, order_id: int) -> list[str]:
    return [n["note"] for n in woo.store.notes(SLUG, order_id) if "CartonCloud" in n["note"]]


def tracking_calls(woo: Woo) -> list:
    return woo.store.requests_to(r"/wc-shipment-tracking/")


def test_dispatch_with_tracking_completes_the_order_with_a_note_and_one_tracking_row(connected: Woo):
    placed, wms_id = synced(connected)
    move(connected, wms_id, "DISPATCHED", tracking_number="TRK-100", carrier="Aramex",
         tracking_url="https://track.example/%1$s")
    order = connected.store.order(SLUG, placed["id"])
    assert order["status"] == "completed"
    [row] = connected.store.trackings(SLUG, placed["id"])
    assert (row["tracking_number"], row["tracking_provider"], row["tracking_link"]) == (
        "TRK-100", "Aramex", "https://track.example/TRK-100")
    [note] = our_notes(connected, placed["id"])
    assert wms_id in note and "TRK-100" in note
    _, entries = connected.history(placed["id"])
    [written] = [e for e in entries if e["event"] == "write-back"]
    assert "tracking TRK-100 added" in written["message"] and "marked Completed" in written["message"]
    # Our own completion makes WooCommerce send order.updated; that is a no-op, not a divergence.
    assert "diverged" not in connected.events(placed["id"])


def test_packed_sends_tracking_without_completing_and_dispatch_adds_no_duplicate(connected: Woo):
    placed, wms_id = synced(connected)
    move(connected, wms_id, "PACKED", tracking_number="TRK-7", carrier="StarTrack")
    assert connected.store.order(SLUG, placed["id"])["status"] == "processing"
    assert numbers(connected, placed["id"]) == ["TRK-7"]
    move(connected, wms_id, "DISPATCHED", tracking_number="TRK-7", carrier="StarTrack")
    assert numbers(connected, placed["id"]) == ["TRK-7"]  # compared with what is there: not added again
    assert connected.store.order(SLUG, placed["id"])["status"] == "completed"


def test_a_changed_tracking_number_replaces_the_one_we_sent(connected: Woo):
    placed, wms_id = synced(connected)
    move(connected, wms_id, "DISPATCHED", tracking_number="TRK-OLD", carrier="Aramex")
    [consignment] = connected.wms.consignments(connected.tenant.tenant_id)
    connected.wms.set_consignment_tracking(connected.tenant.tenant_id, consignment["id"], "TRK-NEW", carrier="Aramex")
    connected.pump()
    assert numbers(connected, placed["id"]) == ["TRK-NEW"]
    assert len(our_notes(connected, placed["id"])) == 1


def test_the_same_change_delivered_again_writes_nothing_twice(connected: Woo):
    placed, wms_id = synced(connected)
    connected.wms.set_outbound_order_status(connected.tenant.tenant_id, wms_id, "DISPATCHED",
                                            tracking_number="TRK-1", carrier="Aramex")
    connected.deliver_wms_notifications()
    connected.service.pump("WmsQueue")
    [change] = connected.service.messages("StatusChangeQueue")
    connected.pump()
    # The same status-change item again, as a replay or a redelivery after a partial failure would bring it
    # (a fresh idempotency key, so only the comparison with the store prevents doubles).
    from integrations.core.workitems import WorkItem, enqueue

    again = WorkItem.model_validate(change).model_copy(update={"idempotency_key": "replayed"})
    enqueue(connected.service.stack.queues["StatusChangeQueue"], again)
    connected.pump()
    assert numbers(connected, placed["id"]) == ["TRK-1"]
    assert len(our_notes(connected, placed["id"])) == 1
    completions = [r for r in connected.store.requests_to(rf"/wc/v3/orders/{placed['id']}$", method="PUT")]
    assert len(completions) == 1


def test_without_the_extension_there_is_no_tracking_call_and_completion_still_happens(woo: Woo):
    woo.store.configure_store(SLUG, shipment_tracking=False)
    woo.connect()
    assert woo.fresh().platform_state["trackingNamespace"] is None
    placed, wms_id = synced(woo)
    move(woo, wms_id, "DISPATCHED", tracking_number="TRK-9", carrier="Aramex")
    assert woo.store.order(SLUG, placed["id"])["status"] == "completed"
    assert tracking_calls(woo) == []
    _, entries = woo.history(placed["id"])
    [written] = [e for e in entries if e["event"] == "write-back"]
    assert "Shipment Tracking extension is not active" in written["message"]


def test_an_extension_activated_after_configuration_is_used(woo: Woo):
    woo.store.configure_store(SLUG, shipment_tracking=False)
    woo.connect()
    woo.store.configure_store(SLUG, shipment_tracking=True)
    placed, wms_id = synced(woo)
    move(woo, wms_id, "DISPATCHED", tracking_number="TRK-10", carrier="Aramex")
    assert numbers(woo, placed["id"]) == ["TRK-10"]


def test_complete_fulfilment_off_sends_tracking_only_and_send_tracking_off_completes_only(woo: Woo):
    woo.connect(complete_fulfilment=False)
    placed, wms_id = synced(woo)
    move(woo, wms_id, "DISPATCHED", tracking_number="TRK-1", carrier="Aramex")
    assert woo.store.order(SLUG, placed["id"])["status"] == "processing"
    assert numbers(woo, placed["id"]) == ["TRK-1"]

    woo.update(fulfilment_settings={"completeFulfilment": True, "sendTracking": False})
    second, second_wms = synced(woo)
    move(woo, second_wms, "DISPATCHED", tracking_number="TRK-2", carrier="Aramex")
    assert woo.store.order(SLUG, second["id"])["status"] == "completed"
    assert numbers(woo, second["id"]) == []


def test_an_order_cancelled_in_the_shop_is_not_completed_on_dispatch(connected: Woo):
    placed, wms_id = synced(connected)
    connected.store.set_order_status(SLUG, placed["id"], "cancelled")
    connected.pump()
    move(connected, wms_id, "DISPATCHED", tracking_number="TRK-1")
    assert connected.store.order(SLUG, placed["id"])["status"] == "cancelled"
    assert numbers(connected, placed["id"]) == []


def test_a_revoked_key_needs_attention_on_the_order_and_a_retry_after_the_fix_writes_back(connected: Woo):
    placed, wms_id = synced(connected)
    store = connected.store.store(SLUG)
    keys = dict(store.keys)
    store.keys.clear()  # the shop deleted the key (or its user)
    move(connected, wms_id, "DISPATCHED", tracking_number="TRK-5", carrier="Aramex")
    link = connected.link(placed["id"])
    assert link["status"] == "NEEDS_ATTENTION"
    assert "Consumer key is invalid" in link["lastError"] and "authentication step" in link["resolution"]
    assert connected.service.queue_depth("WooCommerceDeadLetterQueue") == 0  # not retried forever
    store.keys.update(keys)
    retry_from_sync_log(link["pk"])
    connected.pump()
    assert connected.store.order(SLUG, placed["id"])["status"] == "completed"
    assert numbers(connected, placed["id"]) == ["TRK-5"]
    assert connected.link(placed["id"])["status"] == "SYNCED"


def test_a_store_outage_during_write_back_retries_dead_letters_and_replays_to_one_write(connected: Woo):
    placed, wms_id = synced(connected)
    connected.store.inject_fault(503, path_pattern=r"/wp-json/")
    move(connected, wms_id, "DISPATCHED", tracking_number="TRK-3", carrier="Aramex")
    # The write-back runs (and gives up) in WooCommerce's own worker: the WMS router's DLQ stays empty.
    assert connected.service.queue_depth("WooCommerceDeadLetterQueue") == 1
    assert connected.service.queue_depth("StatusChangeDeadLetterQueue") == 0
    connected.store.clear_faults()
    assert replay(connected.service.stack.queues["WooCommerceDeadLetterQueue"],
                  connected.service.stack.queues["WooCommerceQueue"]) == 1
    connected.pump()
    assert connected.store.order(SLUG, placed["id"])["status"] == "completed"
    assert numbers(connected, placed["id"]) == ["TRK-3"]
    assert len(our_notes(connected, placed["id"])) == 1
    assert connected.link(placed["id"])["status"] == "SYNCED"


def test_one_stores_429_storm_on_write_back_delays_no_other_integrations_write_back(woo: Woo):
    """Write-backs run per integration on WooCommerce's own queue (issue 8): store A answering 429 for minutes
    fails only A's item; store B's order, dispatched at the same moment, is completed at once."""
    woo.store.add_store("shop-b", name="Second shop", home=f"{WOO_BASE}/shop-b")
    first = woo.connect()
    placed_a, wms_a = synced(woo)
    second = woo.connect(store="shop-b")
    placed_b = woo.store.place_order("shop-b", [{"sku": "SKU-2", "quantity": 1}])
    woo.pump()
    wms_b = core().links.find(order_ref(second.integration_id, placed_b["id"])).wms_order_id
    assert wms_b and wms_b != wms_a

    # Store A throttles every call for a minute; both WMS orders are dispatched together.
    woo.store.inject_fault(429, retry_after=60, path_pattern=rf"^/{SLUG}/wp-json/")
    for wms_id in (wms_a, wms_b):
        woo.wms.set_outbound_order_status(woo.tenant.tenant_id, wms_id, "DISPATCHED", tracking_number=f"T-{wms_id}")
    woo.deliver_wms_notifications()
    for queue in ("WmsQueue", "StatusChangeQueue"):
        woo.service.pump(queue)
    # One pass of WooCommerce's worker over everything queued: each dispatch is routed to both integrations of the
    # customer (each finds only its own order linked), all in one batch.
    service, sqs = woo.service, woo.service.sqs
    queue = service.stack.queues["WooCommerceQueue"]
    spec = service.stack.functions["WooCommerceWorkerFunction"]
    pump = QueuePump(sqs, queue, service.stack.queue_arns["WooCommerceQueue"],
                     service.handlers["WooCommerceWorkerFunction"], spec)
    batch = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                MessageSystemAttributeNames=["All"])["Messages"]
    assert len(batch) == 4
    answer = pump.handler({"Records": [pump._record(m) for m in batch]}, LambdaContext(function_name=spec.logical_id))

    [failed] = answer["batchItemFailures"]  # A's write-back only; B's went through in the same batch
    assert woo.store.order("shop-b", placed_b["id"])["status"] == "completed"
    assert woo.store.order(SLUG, placed_a["id"])["status"] == "processing"
    _, entries_a = log_of(order_ref(first.integration_id, placed_a["id"]).key)
    assert entries_a[-1]["event"] == "retry" and "429" in entries_a[-1]["error"]
    assert "next try in about 1 min" in entries_a[-1]["message"]  # back on the queue after the store's Retry-After

    # A minute later the store answers again: A's write-back goes through on its own retry.
    woo.store.clear_faults()
    for message in batch:
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    woo.pump()
    assert woo.store.order(SLUG, placed_a["id"])["status"] == "completed"
    assert woo.service.queue_depth("WooCommerceDeadLetterQueue") == 0
