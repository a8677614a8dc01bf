"""Issue 3, done-criteria: the WMS notifies us over HTTP, signed, and the status change is processed; a 429 storm
loses and doubles nothing; dead letters come back with a replay; schedules fire on demand; the API stand-in
speaks API Gateway's HTTP."""

from __future__ import annotations

from collections import Counter

import boto3
import pytest
import requests

from local import demo
from local.sign_notification import notification, signed_headers

from .conftest import wait_for

pytestmark = pytest.mark.e2e


def test_a_packed_order_is_notified_signed_over_http_and_its_status_change_processed(client):
    # GIVEN an order in the WMS
    order_id = client.place_order("E2E-PACK-1")

    # WHEN a warehouse user packs it with a tracking number (the WMS sandbox then POSTs its signed notification)
    client.move_order(order_id, "PACKED", trackingNumber="TRK-E2E-1", carrier="Aramex")

    # THEN the notification was accepted, re-fetched by the worker and handed to the status-change worker
    assert client.wait_until_processed(order_id) == ["notification", "status-change", "fan-out"]
    log = client.order_log(order_id)
    assert log["link"]["status"] == "SYNCED"
    assert log["link"]["snapshot"]["status"] == "PACKED"
    assert [t["number"] for t in log["link"]["snapshot"]["tracking"]] == ["TRK-E2E-1"]
    assert "first seen → PACKED (PACKED, TRACKING_CHANGED)" in log["entries"][1]["message"]
    delivery = next(d for d in client.wms_control("GET", "notifications") if d["body"]["entityId"] == order_id)
    assert delivery["status"] == 202
    assert delivery["headers"]["X-Notification-Signature"].startswith("v1=")
    assert delivery["url"] == f"{client.api}/wms/{demo.TENANT_ID}/notifications"


def test_a_429_storm_from_the_wms_loses_nothing_and_doubles_nothing(client):
    orders = [client.place_order(f"E2E-STORM-{n}") for n in range(5)]
    client.wait_idle()
    # The next 8 WMS calls answer 429 with Retry-After: 1 — two calls' worth of in-process retries, so items go
    # back to the queue and come round again.
    client.wms_control("POST", "faults", status=429, count=8, retryAfter=1)

    for order_id in orders:
        client.move_order(order_id, "PACKED", trackingNumber=f"TRK-{order_id[:8]}")
    logs = {order_id: client.wait_until_processed(order_id, timeout=60) for order_id in orders}
    client.wms_control("DELETE", "faults")
    client.wait_idle()

    assert sum(1 for r in client.wms_control("GET", "requests") if r["status"] == 429) == 8
    for order_id in orders:
        counts = Counter(client.events(order_id))
        assert counts["status-change"] == 1, (order_id, logs[order_id])
        assert counts["fan-out"] == 1, (order_id, logs[order_id])
    retries = [entry for order_id in orders for entry in client.order_log(order_id)["entries"]
               if entry["event"] == "retry"]
    assert retries and all("429" in entry["error"] for entry in retries)
    assert client.queue("WmsDeadLetterQueue")["visible"] == 0
    assert client.queue("StatusChangeDeadLetterQueue")["visible"] == 0


def test_an_item_failing_every_receive_is_dead_lettered_after_max_receive_count_and_replayed(client):
    order_id = client.place_order("E2E-DLQ-1")
    client.wait_idle()
    # Retry-After beyond what a Lambda sleeps through: every attempt goes straight back to the queue.
    client.wms_control("POST", "faults", status=429, retryAfter=30, pathPattern=f"/outbound-orders/{order_id}$")
    client.move_order(order_id, "DISPATCHED", trackingNumber="TRK-DLQ-1")

    wait_for(lambda: client.queue("WmsDeadLetterQueue")["visible"] == 1, what="item dead-lettered")
    attempts = [e for e in client.order_log(order_id)["entries"] if e["event"] in ("retry", "dead-lettered")]
    assert [e["attempt"] for e in attempts] == [1, 2, 3, 4, 5]
    assert attempts[-1]["event"] == "dead-lettered"
    assert client.queue("WmsQueue")["visible"] + client.queue("WmsQueue")["inFlight"] == 0

    client.wms_control("DELETE", "faults")
    assert client.local("POST", "queues/WmsQueue/replay") == {"moved": 1, "from": "WmsDeadLetterQueue",
                                                               "to": "WmsQueue"}
    events = client.wait_until_processed(order_id)
    assert events.count("status-change") == 1
    assert client.queue("WmsDeadLetterQueue")["visible"] == 0


def test_a_notification_signed_by_the_cli_is_accepted_and_a_forged_one_refused(client):
    order_id = client.place_order("E2E-SIGN-1")
    url = f"{client.api}/wms/{demo.TENANT_ID}/notifications"

    forged = notification(demo.TENANT_ID, "OUTBOUND_ORDER", order_id)
    refused = requests.post(url, data=forged, headers=signed_headers("not-the-secret", forged), timeout=10)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"

    # Genuine, but not sent as JSON: refused naming Content-Type, nothing accepted (issue 20).
    body = notification(demo.TENANT_ID, "OUTBOUND_ORDER", order_id)
    headers = {**signed_headers(demo.NOTIFICATION_SECRET, body), "Content-Type": "application/octet-stream"}
    refused = requests.post(url, data=body, headers=headers, timeout=10)
    assert refused.status_code == 415 and refused.json()["errors"][0]["field"] == "Content-Type", refused.text
    # Sent as a structured JSON type (application/…+json): the stand-in base64-encodes it, as API Gateway does a
    # type it doesn't know as text, and the door verifies the decoded raw bytes.
    headers["Content-Type"] = "application/cloudevents+json"
    accepted = requests.post(url, data=body, headers=headers, timeout=10)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["accepted"] is True

    events = client.wait_until_processed(order_id)
    assert events == ["notification", "status-change", "fan-out"]  # the forged one left no trace


def test_unknown_routes_get_api_gateways_404(client):
    for method, path in (("GET", "/nowhere"), ("GET", f"/wms/{demo.TENANT_ID}/notifications")):
        answer = requests.request(method, client.api + path, timeout=10)
        assert answer.status_code == 404
        assert answer.json() == {"message": "Not Found"}


def test_every_template_schedule_exists_in_moto_and_fires_on_demand(client, local_stack):
    listed = {s["name"]: s for s in client.local("GET", "schedules")}
    in_template = {schedule.name: schedule.expression for spec in local_stack.resources.functions.values()
                   for schedule in spec.schedules}
    assert {name: s["expression"] for name, s in listed.items()} == in_template
    scheduler = boto3.client("scheduler", endpoint_url=local_stack.moto_url)
    assert {name: scheduler.get_schedule(Name=name)["ScheduleExpression"] for name in in_template} == in_template

    fired = client.local("POST", "schedules/WmsPollScheduleFunction")

    assert fired["result"] == {"queued": 1}  # one poll per tenant: the demo tenant
    client.wait_idle()
    assert {s["name"]: s["runs"] for s in client.local("GET", "schedules")}["WmsPollScheduleFunction"] == 1
    missing = requests.post(f"{client.api}/_local/schedules/nope", timeout=10)
    assert missing.status_code == 404
