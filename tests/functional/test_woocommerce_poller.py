"""Issue 5, point 3: the safety net. WooCommerce never retries a delivery and disables a webhook after repeated
failures; the poll creates what was missed, heals our webhooks, keeps a UTC cursor, and fans out per integration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from integrations.core.context import core
from integrations.core.integration_record import IntegrationStatus
from integrations.woocommerce.poller import POLLER
from integrations.woocommerce.refs import integration_ref

from tests import documented

from .conftest import log_of
from .woocommerce_helpers import SLUG, Woo, connected_fixture, woo_fixture  # noqa: F401  (fixtures)


def poll(woo: Woo, at: str | None = None) -> None:
    result = woo.service.schedule("WooCommercePollScheduleFunction", {"scheduledTime": at} if at else None)
    assert result["queued"] >= 1
    woo.pump()


def polls(woo: Woo) -> list[str]:
    """The order listings the poll made (the configuration check lists orders too, without a window)."""
    return [c.request.url for c in woo.rsps.calls if "/wc/v3/orders?" in c.request.url
            and "modified_after" in c.request.url]


def test_an_order_whose_webhooks_were_lost_is_created_by_the_poll(connected: Woo):
    connected.store.drop_webhooks(2)  # order.created and order.updated never leave the store
    placed = connected.place()
    connected.pump()
    assert connected.wms_orders() == []
    poll(connected)
    [wms_order] = connected.wms_orders()
    assert wms_order["references"]["customer"] == placed["number"]
    assert connected.events(placed["id"]) == ["created"]
    cursor = core().cursors.get(POLLER.cursor_key_of(connected.integration_id))
    assert cursor == placed["date_modified_gmt"] + ".000000Z"  # the order's own GMT time, not the poll's clock
    assert polls(connected), "the poll lists the store's orders"


def test_a_webhook_disabled_after_failures_is_re_enabled_by_the_poll_and_missed_orders_created(connected: Woo):
    # GIVEN our door is unreachable for a while: WooCommerce counts the failures and disables the webhooks
    connected.door.outage = 503
    missed = [connected.place() for _ in range(7)]  # each delivery fails; the 7th failure disables a webhook
    assert {hook["status"] for hook in connected.hooks()} == {"disabled"}
    connected.door.outage = None
    more = connected.place()
    connected.pump()
    assert connected.wms_orders() == []  # a disabled webhook delivers nothing, and nothing was retried

    # WHEN the poll runs
    poll(connected)

    # THEN every missed order is in the WMS once, and the webhooks are active again (re-enabling pinged us)
    assert sorted(o["references"]["customer"] for o in connected.wms_orders()) == sorted(
        o["number"] for o in [*missed, more])
    hooks = connected.hooks()
    assert {hook["status"] for hook in hooks} == {"active"}
    assert all(hook["pings"][-1] == 200 for hook in hooks)
    _, entries = log_of(integration_ref(connected.integration_id, "webhooks").key)
    assert [e["event"] for e in entries] == ["webhook-healed", "webhook-healed"]
    assert "disabled after failed deliveries" in entries[0]["message"]
    # and the next order arrives by webhook again
    after = connected.place()
    connected.pump()
    assert connected.events(after["id"])[0] == "webhook" and "created" in connected.events(after["id"])


def test_a_deleted_webhook_is_re_created_and_a_paused_one_is_left_alone_but_noted_once(connected: Woo):
    created, updated = sorted(connected.hooks(), key=lambda hook: hook["topic"])
    connected.store.delete_webhook(SLUG, created["id"])
    connected.store.set_webhook_status(SLUG, updated["id"], "paused")
    poll(connected, "2026-11-21T00:00:00Z")
    poll(connected, "2026-11-21T00:05:00Z")
    hooks = {hook["topic"]: hook for hook in connected.hooks()}
    assert hooks["order.created"]["status"] == "active" and hooks["order.created"]["id"] != created["id"]
    assert hooks["order.updated"]["status"] == "paused"  # an admin's choice
    _, entries = log_of(integration_ref(connected.integration_id, "webhooks").key)
    assert [e["event"] for e in entries] == ["webhook-healed", "webhook-paused"]
    assert "paused in WooCommerce by an admin" in entries[1]["message"]


def test_overlapping_polls_make_nothing_twice_and_the_cursor_never_moves_back(connected: Woo):
    connected.store.drop_webhooks(2)
    connected.place()
    poll(connected, "2026-11-21T00:00:00Z")
    cursor = core().cursors.get(POLLER.cursor_key_of(connected.integration_id))
    poll(connected, "2026-11-21T00:05:00Z")  # the overlap re-reads the same order
    assert len(connected.wms_orders()) == 1
    assert core().cursors.get(POLLER.cursor_key_of(connected.integration_id)) == cursor
    assert len(connected.wms.requests_to(r"/outbound-orders$", method="POST")) == 1


def test_the_poll_asks_for_gmt_times_so_the_store_time_zone_cannot_shift_the_window(connected: Woo):
    connected.store.drop_webhooks(2)
    start = datetime.now(UTC)
    connected.store.now = lambda: start + timedelta(minutes=3)  # after the integration went live
    placed = connected.place()
    poll(connected)
    assert len(connected.wms_orders()) == 1
    assert connected.link(placed["id"])["status"] == "SYNCED"
    assert all("dates_are_gmt=true" in url for url in polls(connected))


def test_a_repeated_schedule_run_for_the_same_minute_polls_each_store_once(connected: Woo):
    connected.service.schedule("WooCommercePollScheduleFunction", {"scheduledTime": "2026-11-21T00:00:00Z"})
    connected.service.schedule("WooCommercePollScheduleFunction", {"scheduledTime": "2026-11-21T00:00:00Z"})
    connected.pump()
    assert len(polls(connected)) == 1


def test_the_schedule_fans_out_one_poll_per_live_integration_only(woo: Woo):
    live = [woo.connect().integration_id for _ in range(3)]
    woo.update(status=IntegrationStatus.DELETED)  # the last one is deleted: no longer polled
    result = woo.service.schedule("WooCommercePollScheduleFunction")
    assert result == {"queued": 2}
    polled = sorted(m["integrationId"] for m in woo.service.messages("WooCommerceQueue") if m["kind"] ==
                    "woocommerce.poll")
    assert polled == sorted(live[:2])


def test_an_idle_poll_costs_seven_aws_requests_per_integration(connected: Woo):
    """docs/woocommerce.md "AWS request budget": the steady-state cost of the safety net."""
    from collections import Counter

    from integrations.core import aws

    poll(connected, "2026-11-21T00:00:00Z")  # warm: the integration's secrets opened, its cursor set
    calls: list[str] = []
    listener = lambda service, operation: calls.append(f"{service}:{operation}")  # noqa: E731
    aws.add_request_listener(listener)
    try:
        connected.service.schedule("WooCommercePollScheduleFunction", {"scheduledTime": "2026-11-21T00:05:00Z"})
        fan_out = Counter(calls)
        calls.clear()
        connected.pump()
    finally:
        aws.remove_request_listener(listener)
    assert fan_out == Counter({"dynamodb:Query": 1, "sqs:SendMessageBatch": 1})
    # idempotency (PutItem, UpdateItem), the integration and the cursor read, the poll's run noted on the cursor, the
    # store's rate budget for its two calls (the listing, the webhooks' health)
    assert Counter(calls) == Counter({"dynamodb:PutItem": 1, "dynamodb:UpdateItem": 4, "dynamodb:GetItem": 2}), calls
    assert len(calls) == documented.stated("woocommerce.md", r"An idle poll costs (\d+) per integration")


def test_a_listing_longer_than_the_page_limit_queues_what_it_read_and_keeps_the_cursor(connected: Woo, monkeypatch):
    from integrations.woocommerce.client import WooCommerceClient

    defaults = dict(WooCommerceClient.orders_modified_since.__kwdefaults__)
    monkeypatch.setattr(WooCommerceClient.orders_modified_since, "__kwdefaults__",
                        {**defaults, "per_page": 1, "max_pages": 2})
    connected.store.drop_webhooks(6)
    placed = [connected.place() for _ in range(3)]
    poll(connected, "2026-11-21T00:00:00Z")
    assert len(connected.wms_orders()) == 2  # two pages of one were read and created
    assert core().cursors.get(POLLER.cursor_key_of(connected.integration_id)) is None  # kept: page 3 was not read
    _, entries = log_of(integration_ref(connected.integration_id, "poll").key)
    assert entries[-1]["event"] == "poll-truncated" and entries[-1]["resolution"]
    monkeypatch.setattr(WooCommerceClient.orders_modified_since, "__kwdefaults__", defaults)
    poll(connected, "2026-11-21T00:05:00Z")
    assert sorted(o["references"]["customer"] for o in connected.wms_orders()) == sorted(p["number"] for p in placed)
