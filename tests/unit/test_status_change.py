"""Reducing a WMS order to what integrations act on, and naming the change."""

from integrations.cartoncloud.models import Consignment, OutboundOrder
from integrations.cartoncloud.status import classify, fingerprint, order_snapshot
from integrations.core.worker import retry_delay


def order(status="PACKED", modified="2026-11-21T10:15:00+10:00"):
    return OutboundOrder.model_validate({
        "id": "o-1", "references": {"customer": "WOO-1001"}, "customer": {"id": "c-1"},
        "warehouse": {"id": "w-1"}, "details": {}, "status": status,
        "timestamps": {"modified": {"time": modified}}})


def consignment(number="TRK-1", modified="2026-11-21T10:20:00+10:00", status="AWAITING_PICKUP"):
    return Consignment.model_validate({
        "id": "c-9", "customer": {"id": "c-1"}, "status": status, "references": {"tracking": number},
        "details": {"tracking": {"companyName": "Aramex", "url": "https://track.example/TRK-1"}},
        "generatedFromTask": {"id": "o-1"}, "timestamps": {"modified": {"time": modified}}})


def test_snapshot_converts_wms_times_to_utc_and_takes_the_newest():
    snapshot = order_snapshot(order(), [consignment()])
    assert snapshot["modifiedAt"] == "2026-11-21T00:20:00.000000Z"
    assert snapshot["tracking"] == [{"number": "TRK-1", "carrier": "Aramex", "url": "https://track.example/TRK-1",
                                     "consignmentId": "c-9"}]


def test_cancelled_consignments_carry_no_tracking():
    assert order_snapshot(order(), [consignment(status="CANCELLED")])["tracking"] == []


def test_fingerprint_ignores_edits_integrations_do_not_act_on():
    a = order_snapshot(order(modified="2026-11-21T10:15:00+10:00"), [])
    b = order_snapshot(order(modified="2026-11-21T11:15:00+10:00"), [])
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(order_snapshot(order("DISPATCHED"), []))


def test_changes_are_named():
    packed = order_snapshot(order("PACKED"), [])
    dispatched = order_snapshot(order("DISPATCHED"), [consignment()])
    assert classify(None, packed) == ["PACKED"]
    assert classify(packed, dispatched) == ["DISPATCHED", "TRACKING_CHANGED"]
    assert classify(dispatched, order_snapshot(order("DISPATCHED"), [consignment("TRK-2")])) == ["TRACKING_CHANGED"]
    assert classify(packed, order_snapshot(order("AWAITING_STOCK"), [])) == ["STATUS_CHANGED"]


def test_retry_delay_backs_off_exponentially_and_honours_retry_after():
    assert retry_delay(1, rand=lambda: 0.5) == 30
    assert retry_delay(3, rand=lambda: 0.5) == 120
    assert retry_delay(9, rand=lambda: 0.5) == 900
    assert retry_delay(1, retry_after=600, rand=lambda: 0.5) == 600
    assert retry_delay(1, retry_after=10**6, rand=lambda: 0.5) == 12 * 3600
