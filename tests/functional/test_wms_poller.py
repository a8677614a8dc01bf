"""The poller catches changes whose notification never came, and never makes a second change from overlap."""

from __future__ import annotations

from integrations.cartoncloud.poller import CONSIGNMENTS, ORDERS
from integrations.core.context import core

from .wms_helpers import place_order


def test_a_dropped_notification_is_caught_by_the_poll(service, wms, tenant, sent_notifications):
    order_id = place_order(tenant)
    wms.drop_notifications(1)
    moved = wms.set_outbound_order_status(tenant.tenant_id, order_id, "DISPATCHED", tracking_number="TRK-55")
    assert all(n.url.endswith("/notifications") for n in sent_notifications.sent) and not sent_notifications.sent

    result = service.schedule("WmsPollScheduleFunction")
    assert result == {"queued": 1}
    service.pump("WmsQueue")  # the tenant poll, then the order it found

    changes = service.messages("StatusChangeQueue")
    [order_change] = [c for c in changes if c["payload"]["entityType"] == "OUTBOUND_ORDER"]
    assert order_change["payload"]["entityId"] == order_id
    assert order_change["payload"]["changes"] == ["DISPATCHED", "TRACKING_CHANGED"]
    # The consignment the dispatch made is polled too (its own cursor), and seen once as created.
    [consignment_change] = [c for c in changes if c["payload"]["entityType"] == "CONSIGNMENT"]
    assert consignment_change["payload"]["changes"] == ["CREATED", "TRACKING_CHANGED"]
    assert core().cursors.get(CONSIGNMENTS.cursor_key(core().tenants.get(tenant.tenant_id))) is not None
    cursor = core().cursors.get(ORDERS.cursor_key(core().tenants.get(tenant.tenant_id)))
    # The WMS reports +10:00; the cursor is the order's modified time in UTC.
    assert cursor is not None and cursor.endswith("Z")
    assert cursor[:19] == moved_modified_utc(moved)


def test_polling_again_over_the_overlap_makes_no_second_change(service, wms, tenant):
    order_id = place_order(tenant)
    wms.set_outbound_order_status(tenant.tenant_id, order_id, "PACKED")
    service.schedule("WmsPollScheduleFunction", {"scheduledTime": "2026-11-21T00:00:00Z"})
    service.pump("WmsQueue")
    service.schedule("WmsPollScheduleFunction", {"scheduledTime": "2026-11-21T00:05:00Z"})
    service.pump("WmsQueue")
    assert len([c for c in service.messages("StatusChangeQueue")
                if c["payload"]["entityType"] == "OUTBOUND_ORDER"]) == 1


def test_a_repeated_schedule_run_for_the_same_minute_polls_once(service, wms, tenant):
    service.schedule("WmsPollScheduleFunction", {"scheduledTime": "2026-11-21T00:00:00Z"})
    service.schedule("WmsPollScheduleFunction", {"scheduledTime": "2026-11-21T00:00:00Z"})
    service.pump("WmsQueue")
    searches = wms.requests_to(r"/outbound-orders/search", method="POST")
    assert len(searches) == 1


def moved_modified_utc(order):
    from integrations.core.timeutil import parse_iso

    return parse_iso(order["timestamps"]["modified"]["time"]).strftime("%Y-%m-%dT%H:%M:%S")
