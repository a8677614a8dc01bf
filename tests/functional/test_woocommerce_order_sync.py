"""Issue 5, points 2 and 4: a Processing WooCommerce order becomes one WMS outbound order, whatever the webhooks do;
every mapping rule and every refusal is visible in the order's sync log, and a fixed order is retried from there."""

from __future__ import annotations

import contextlib
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from integrations.core.sync_log_retry import retry_from_sync_log

from local.lambda_runtime import LambdaContext, QueuePump

from .conftest import wms_key
from .management_support import auth_env, mint  # noqa: F401 - auth_env is a fixture
from .woocommerce_helpers import SLUG, Woo, connected_fixture, woo_fixture  # noqa: F401  (fixtures)


def creates(woo: Woo) -> list:
    return woo.wms.requests_to(r"/outbound-orders$", method="POST")


def test_a_processing_order_becomes_one_outbound_order_mapped_field_by_field(connected: Woo):
    # GIVEN a customer checks out: two lines, a delivery note, a shipping phone
    placed = connected.place([{"sku": "SKU-1", "quantity": 2, "price": "24.95"}, {"sku": "SKU-2", "quantity": 1}],
                             customer_note="Leave with reception", shipping={"phone": "+61 7 3000 0000",
                                                                              "company": "Steam Chef HQ"})
    # WHEN WooCommerce's webhooks (order.created, then order.updated) reach us and the queues are worked
    connected.pump()

    # THEN one WMS outbound order for the integration's customer and warehouse
    [wms_order] = connected.wms_orders()
    assert wms_order["references"]["customer"] == placed["number"]
    assert wms_order["customer"]["id"] == connected.tenant.customer_id
    assert wms_order["warehouse"]["id"] == connected.tenant.warehouse_id
    assert [(line["details"]["product"]["references"]["code"], line["measures"]["quantity"])
            for line in wms_order["items"]] == [("SKU-1", 2), ("SKU-2", 1)]
    deliver = wms_order["details"]["deliver"]
    assert deliver["address"]["contactName"] == "Jane Citizen"
    assert deliver["address"]["companyName"] == "Steam Chef HQ"
    assert deliver["address"]["phone"] == "+61 7 3000 0000"
    assert deliver["address"]["email"] == "jane@example.com"
    assert deliver["instructions"] == "Leave with reception"
    assert deliver["method"]["requestedService"] == "Flat rate"
    assert wms_order["details"]["invoiceValue"] == {"amount": 69.9, "currency": "AUD"}
    # … and the order's sync log tells the story, with the link bound for WMS status changes
    link = connected.link(placed["id"])
    assert link["status"] == "SYNCED" and link["wmsOrderId"] == wms_order["id"]
    assert link["wmsRecordKey"] == wms_key(connected.tenant.tenant_id, "OUTBOUND_ORDER", wms_order["id"])
    assert connected.events(placed["id"]) == ["webhook", "webhook", "created"]
    # The store's dates are Brisbane time; what we keep is UTC, from the *_gmt fields.
    assert link["snapshot"]["createdAt"] == placed["date_created_gmt"] + ".000000Z"
    assert len(creates(connected)) == 1


def test_the_same_order_by_three_webhooks_and_the_poller_at_once_makes_one_wms_order(connected: Woo):
    # GIVEN an order whose webhooks pile up: created + updated at checkout, then an update a second later…
    start = datetime.now(UTC)
    connected.store.now = lambda: start
    placed = connected.place()
    connected.store.now = lambda: start + timedelta(seconds=1)
    connected.store.edit_order(SLUG, placed["id"], customer_note="Ring the bell")
    # …and the poll runs at the same moment
    connected.service.schedule("WooCommercePollScheduleFunction")
    queue = connected.service.stack.queues["WooCommerceQueue"]
    sqs = connected.service.sqs
    polls = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]
    assert len(polls) == 4  # three webhooks + one poll

    # WHEN four workers take them at once (the poll queues a fourth copy of the order, also worked concurrently)
    spec = connected.service.stack.functions["WooCommerceWorkerFunction"]
    pump = QueuePump(sqs, queue, connected.service.stack.queue_arns["WooCommerceQueue"],
                     connected.service.handlers["WooCommerceWorkerFunction"], spec, fast_retry=True)
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10,
                                   MessageSystemAttributeNames=["All"])["Messages"]
    def work(message):
        # A batch of one that failed (it lost the race) raises; SQS brings it back below.
        with contextlib.suppress(Exception):
            pump.handler({"Records": [pump._record(message)]}, LambdaContext(function_name=spec.logical_id))

    threads = [threading.Thread(target=work, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for message in messages:  # what the concurrent runs left undone comes back, as SQS would bring it back
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    connected.pump()

    # THEN exactly one WMS order, made by one create call, and one "created" in the log
    assert len(connected.wms_orders()) == 1
    assert len(creates(connected)) == 1
    assert connected.events(placed["id"]).count("created") == 1
    assert connected.link(placed["id"])["status"] == "SYNCED"
    assert connected.service.queue_depth("WooCommerceDeadLetterQueue") == 0


def test_a_delivery_is_only_a_signal_the_order_is_re_fetched(connected: Woo):
    # GIVEN deliveries that arrive late and in reverse: the stale "pending" one last
    connected.door.holding = []
    placed = connected.place(status="pending")
    connected.store.set_order_status(SLUG, placed["id"], "processing")
    held, connected.door.holding = connected.door.holding, None
    stale = [d for d in held if d[2].startswith(b"{") and b'"status":"pending"' in d[2]]
    assert stale, "the checkout deliveries carry the pending order"
    for url, headers, body in reversed(held):
        assert connected.door.post(url, headers, body) in (200, 202)
    connected.pump()
    # THEN the order was created once, from what the store says now (processing), not from any payload
    assert len(connected.wms_orders()) == 1
    assert connected.link(placed["id"])["snapshot"]["status"] == "processing"


def test_an_order_waits_until_it_is_processing(connected: Woo):
    placed = connected.place(status="pending")
    connected.pump()
    assert connected.wms_orders() == []
    _, entries = connected.history(placed["id"])
    assert any(e["event"] == "waiting" and "is pending" in e["message"] for e in entries)
    connected.store.set_order_status(SLUG, placed["id"], "processing")
    connected.pump()
    assert len(connected.wms_orders()) == 1


def test_a_line_without_a_sku_is_refused_before_the_wms_is_called_then_retried_after_the_fix(connected: Woo):
    placed = connected.place([{"sku": "SKU-1", "quantity": 1}, {"sku": "", "quantity": 1, "name": "Gift wrap"}])
    connected.pump()
    link = connected.link(placed["id"])
    assert link["status"] == "NEEDS_ATTENTION"
    assert "line_items[1].sku" in link["lastError"] and "Gift wrap" in link["lastError"]
    assert "SKU" in link["resolution"] and "retry from the sync log" in link["resolution"]
    assert connected.wms.request_log == []  # not even the product check: refused before the WMS is called
    # The shop gives the product its SKU (that edit's webhook is lost, so only the retry can pick it up) …
    connected.door.outage = 503
    connected.store.edit_order(SLUG, placed["id"], line_items=[{"sku": "SKU-1", "quantity": 1},
                                                               {"sku": "SKU-2", "quantity": 1}])
    connected.door.outage = None
    connected.pump()
    assert connected.wms_orders() == []
    # … and a person retries from the sync log.
    retry_from_sync_log(link["pk"])
    connected.pump()
    assert len(connected.wms_orders()) == 1
    assert connected.link(placed["id"])["status"] == "SYNCED"


@pytest.mark.usefixtures("auth_env")  # the management API verifies tokens minted with the test key
def test_a_sku_the_wms_does_not_know_names_the_sku_and_a_retry_after_the_fix_creates_it(connected: Woo):
    placed = connected.place([{"sku": "SKU-1", "quantity": 1}, {"sku": "SKU-404", "quantity": 3}])
    connected.pump()
    link = connected.link(placed["id"])
    assert link["status"] == "NEEDS_ATTENTION"
    assert "SKU-404" in link["lastError"]
    assert "Create the product SKU-404 in CartonCloud" in link["resolution"]
    assert connected.wms_orders() == []  # no REJECTED order left behind in the WMS
    _, entries = connected.history(placed["id"])
    assert entries[-1]["event"] == "error" and "SKU-404" in entries[-1]["error"]

    # Before the fix a retry just fails again; after it, a person retries from the sync log through the API.
    connected.wms.add_product(connected.tenant.tenant_id, connected.tenant.customer_id, "SKU-404", "Steam Lid")
    tenant, customer = connected.tenant.tenant_id, connected.tenant.customer_id
    base = f"/tenants/{tenant}/customers/{customer}/integrations/{link['integrationId']}/sync-log"
    headers = {"authorization": f"Bearer {mint(tenant, 'admin')}"}
    listed = connected.service.http("GET", base, headers=headers)
    assert listed.status == 200, listed.body
    listed = listed.json()
    assert [r["status"] for r in listed["records"] if r["recordKey"] == link["pk"]] == ["NEEDS_ATTENTION"]
    queued = connected.service.http("POST", base + "/retry", headers=headers,
                                    body=json.dumps({"record": link["pk"]}).encode())
    assert queued.status == 202, queued.body
    connected.pump()
    [wms_order] = connected.wms_orders()
    assert wms_order["status"] == "AWAITING_PICK_AND_PACK"
    assert connected.link(placed["id"])["status"] == "SYNCED"


def test_an_order_the_wms_creates_rejected_needs_attention_and_a_retry_rechecks_it(connected: Woo):
    connected.wms.set_stock(connected.tenant.tenant_id, connected.tenant.customer_id, "SKU-1", 0)
    placed = connected.place()
    connected.pump()
    link = connected.link(placed["id"])
    assert link["status"] == "NEEDS_ATTENTION" and "Not enough stock" in link["lastError"]
    assert link["wmsRecordKey"]  # bound, so the WMS's own status changes still reach it
    # Still rejected: the retry says so again.
    retry_from_sync_log(link["pk"])
    connected.pump()
    assert connected.link(placed["id"])["status"] == "NEEDS_ATTENTION"
    # Fixed and resubmitted in CartonCloud; the retry now finds it accepted.
    connected.wms.set_outbound_order_status(connected.tenant.tenant_id, link["wmsOrderId"], "AWAITING_PICK_AND_PACK")
    retry_from_sync_log(link["pk"])
    connected.pump()
    assert connected.link(placed["id"])["status"] == "SYNCED"
    assert len(connected.wms_orders()) == 1


def test_a_local_pickup_order_is_skipped_with_a_visible_reason(connected: Woo):
    placed = connected.place(shipping_method=("local_pickup:3", "Local pickup", "0.00"))
    connected.pump()
    link = connected.link(placed["id"])
    assert link["status"] == "SKIPPED" and "collected by the customer" in link["lastError"]
    assert link["scope"] == connected.integration_id  # listed with the integration's records
    assert not creates(connected)


def test_an_edit_after_the_order_reached_the_wms_changes_nothing_there_and_is_recorded_once(connected: Woo):
    placed = connected.place()
    connected.pump()
    before = connected.wms_order_for(placed["id"])
    connected.store.edit_order(SLUG, placed["id"], line_items=[{"sku": "SKU-1", "quantity": 5}])
    connected.store.edit_order(SLUG, placed["id"], line_items=[{"sku": "SKU-1", "quantity": 5}])  # same again
    connected.pump()
    assert connected.wms_order_for(placed["id"]) == before
    _, entries = connected.history(placed["id"])
    diverged = [e for e in entries if e["event"] == "diverged"]
    assert len(diverged) == 1
    assert "SKU-1 ×2 → SKU-1 ×5" in diverged[0]["message"] and "not changed" in diverged[0]["message"]
    assert diverged[0]["resolution"]


def test_an_order_cancelled_in_the_shop_after_it_reached_the_wms_is_flagged(connected: Woo):
    placed = connected.place()
    connected.pump()
    connected.store.set_order_status(SLUG, placed["id"], "cancelled")
    connected.pump()
    _, entries = connected.history(placed["id"])
    [flag] = [e for e in entries if e["event"] == "diverged"]
    assert "cancelled in WooCommerce after it reached the WMS" in flag["message"]
    assert "cancel or hold the order in CartonCloud" in flag["resolution"]
    assert len(connected.wms_orders()) == 1


@pytest.mark.usefixtures("auth_env")
def test_an_order_that_needs_attention_says_so_once_per_distinct_error_in_words_a_person_acts_on(connected: Woo):
    """Issue 9, point 14: checkout sends two webhooks; the failure is logged once, with the person-facing message
    and resolution naming the customer, and every view shows the same ``lastError`` (null once resolved)."""
    placed = connected.place([{"sku": "SKU-404", "quantity": 1}])
    connected.pump()
    _, entries = connected.history(placed["id"])
    errors = [e for e in entries if e["event"] == "error"]
    assert len(errors) == 1
    assert errors[0]["message"] == errors[0]["error"]
    assert "woocommerce.order.changed" not in errors[0]["message"]
    assert "Steam Chef Store" in errors[0]["message"] and "Steam Chef Store" in errors[0]["resolution"]
    connected.store.edit_order(SLUG, placed["id"], customer_note="Please hurry")  # a third trigger, same error
    connected.pump()
    assert [e["event"] for e in connected.history(placed["id"])[1]].count("error") == 1
    # A different error is said again.
    connected.store.edit_order(SLUG, placed["id"], line_items=[{"sku": "SKU-405", "quantity": 1}])
    connected.pump()
    assert [e["event"] for e in connected.history(placed["id"])[1]].count("error") == 2

    tenant, customer = connected.tenant.tenant_id, connected.tenant.customer_id
    base = f"/tenants/{tenant}/customers/{customer}/integrations/{connected.integration_id}/sync-log"
    headers = {"authorization": f"Bearer {mint(tenant, 'admin')}"}
    key = connected.link(placed["id"])["pk"]
    [listed] = [r for r in connected.service.http("GET", base, headers=headers).json()["records"]
                if r["recordKey"] == key]
    assert listed["lastError"] == connected.link(placed["id"])["lastError"] and "SKU-405" in listed["lastError"]
    synced = connected.place()
    connected.pump()
    [fine] = [r for r in connected.service.http("GET", base, headers=headers).json()["records"]
              if r["recordId"] == str(synced["id"])]
    assert fine["lastError"] is None and connected.link(synced["id"])["lastError"] is None
