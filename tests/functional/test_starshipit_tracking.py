"""Issue 12, point 3: tracking back — the poll of shipped orders (cursor in UTC with overlap) and signed tracking
webhooks write the tracking numbers, carrier and URL to the WMS order's consignment; several packages keep every
number; the same tracking seen twice writes once."""

from __future__ import annotations

import json
from datetime import timedelta

from integrations.core.context import core
from integrations.core.records import Origin
from integrations.core.timeutil import parse_iso, utc_iso, utcnow
from integrations.starshipit.door import sign
from integrations.starshipit.poller import POLLER
from integrations.starshipit.refs import order_ref, wms_order_ref

from local.sandboxes.base import SandboxRequest

from .starshipit_helpers import (  # noqa: F401  (fixtures)
    ACCOUNT,
    WEBHOOK_SECRET,
    StarshipitWorld,
    connected_fixture,
    starshipit_world_fixture,
)


def exported(world: StarshipitWorld, **place: object) -> str:
    order_id = world.place(**place)  # type: ignore[arg-type]
    world.move(order_id, "PACKED")
    world.pump()
    return order_id


def poll(world: StarshipitWorld, minute: str = "2026-11-30T00:00:00Z") -> None:
    world.service.schedule("StarshipitPollScheduleFunction", {"scheduledTime": minute})
    world.pump()


def consignment_writes(world: StarshipitWorld) -> int:
    return len(world.wms.requests_to(r"/consignments(/[^/]+)?$", method="PUT")) + \
        len(world.wms.requests_to(r"/consignments$", method="POST"))


def test_the_poll_writes_tracking_to_a_consignment_made_for_the_order(world: StarshipitWorld):
    world.connect(webhook=False)
    order_id = exported(world)
    world.starshipit.ship_order(ACCOUNT, world.ssi_order_for(order_id)["order_id"], tracking_number="QQQ-42")
    poll(world)
    [consignment] = world.consignments(order_id)
    assert consignment["references"]["tracking"] == "QQQ-42"
    assert consignment["details"]["tracking"] == {"companyName": "Australia Post",
                                                  "url": "https://auspost.com.au/mypost/track/details/QQQ-42"}
    assert consignment["customer"]["id"] == world.tenant.customer_id and consignment["status"] == "AWAITING_PICKUP"
    assert consignment["details"]["deliver"]["address"]["address1"] == "20 George Street"
    link = world.link(order_id)
    assert link["memo"]["trackingWritten"]["numbers"] == ["QQQ-42"]
    assert any("created for it in the WMS" in e["message"] for e in world.history(order_id)[1])


def test_an_existing_consignment_is_updated_and_several_packages_keep_every_number(world: StarshipitWorld):
    world.connect(webhook=False)
    order_id = world.place()
    # The warehouse packs it with a tracking number of its own: the WMS holds a consignment generated from it.
    world.move(order_id, "PACKED", tracking_number="OWN-1", carrier="Aramex")
    world.pump()
    ssi_order = world.starshipit.accounts[ACCOUNT].orders[world.ssi_order_for(order_id)["order_id"]]
    ssi_order["packages"].append({"package_id": 1, "weight": 1})  # two parcels
    world.starshipit.ship_order(ACCOUNT, ssi_order["order_id"], tracking_number="QQQ-7")
    poll(world)
    [consignment] = world.consignments(order_id)
    assert consignment["references"]["tracking"] == "OWN-1, QQQ-7, QQQ-7-2"  # theirs kept, both parcels ours
    assert consignment["details"]["tracking"]["companyName"] == "Australia Post"
    assert consignment["version"] == 2


def test_the_same_tracking_seen_twice_writes_once(connected: StarshipitWorld):
    order_id = exported(connected)
    ssi_id = connected.ssi_order_for(order_id)["order_id"]
    # Its webhooks (Printed, Dispatched) arrive.
    connected.starshipit.ship_order(ACCOUNT, ssi_id, tracking_number="QQQ-9")
    connected.pump()
    writes = consignment_writes(connected)
    assert writes == 1
    poll(connected)  # the poll sees the same tracking
    connected.starshipit.move_tracking(ACCOUNT, ssi_id, "InTransit")  # and a webhook for a later courier status
    connected.pump()
    poll(connected, "2026-11-30T00:05:00Z")
    assert consignment_writes(connected) == writes
    assert [c["references"]["tracking"] for c in connected.consignments(order_id)] == ["QQQ-9"]


def test_a_corrected_tracking_number_replaces_ours_and_leaves_theirs(world: StarshipitWorld):
    world.connect(webhook=False)
    order_id = world.place()
    world.move(order_id, "PACKED", tracking_number="OWN-1", carrier="Aramex")
    world.pump()
    ssi_id = world.ssi_order_for(order_id)["order_id"]
    world.starshipit.ship_order(ACCOUNT, ssi_id, tracking_number="QQQ-OLD")
    poll(world)
    world.starshipit.accounts[ACCOUNT].orders[ssi_id]["packages"][0]["tracking_number"] = "QQQ-NEW"  # re-labelled
    world.starshipit.move_tracking(ACCOUNT, ssi_id, "InTransit")
    poll(world, "2026-11-30T00:05:00Z")
    assert [c["references"]["tracking"] for c in world.consignments(order_id)] == ["OWN-1, QQQ-NEW"]


def test_tracking_write_back_off_writes_nothing(world: StarshipitWorld):
    world.connect(webhook=False, writeTracking=False)
    order_id = exported(world)
    world.starshipit.ship_order(ACCOUNT, world.ssi_order_for(order_id)["order_id"], tracking_number="QQQ-1")
    poll(world)
    assert world.consignments(order_id) == []
    assert any("write-back is off" in e["message"] for e in world.history(order_id)[1])


def test_no_consignment_and_creating_off_says_what_to_do(world: StarshipitWorld):
    world.connect(webhook=False, createMissingConsignment=False)
    order_id = exported(world)
    world.starshipit.ship_order(ACCOUNT, world.ssi_order_for(order_id)["order_id"], tracking_number="QQQ-1")
    poll(world)
    assert world.consignments(order_id) == []
    [entry] = [e for e in world.history(order_id)[1] if "has no consignment" in e["message"]]
    assert "Create the consignment in CartonCloud" in entry["resolution"]


def test_the_poll_cursor_is_utc_moves_forward_and_overlaps(connected: StarshipitWorld):
    before = utcnow()
    poll(connected)
    key = POLLER.cursor_key(connected.fresh())
    first = core().cursors.get(key)
    assert first is not None and first.endswith("Z") and parse_iso(first) >= before - timedelta(seconds=1)
    # Nothing of ours shipped, yet the cursor moved: a listing read to its end moves it (an account busy with
    # other channels must not re-list from the first day at every poll).
    asked = [q for _, q, _ in connected.starshipit.request_log if q == "/api/orders/shipped"]
    assert asked
    poll(connected, "2026-11-30T00:05:00Z")
    second = core().cursors.get(key)
    assert second >= first
    assert core().cursors.advance(key, utc_iso(utcnow() - timedelta(days=1))) is False


def test_the_poll_asks_since_the_cursor_less_the_overlap_in_utc(connected: StarshipitWorld):
    seen: list[str] = []
    real = connected.starshipit._shipped

    def recording(request, account):
        seen.append(request.param("since_last_updated") or "")
        return real(request, account)

    connected.starshipit._routes = [r for r in connected.starshipit._routes
                                    if r.pattern.pattern != r"/api/orders/shipped"]
    connected.starshipit._api("GET", r"/api/orders/shipped", recording)
    key = POLLER.cursor_key(connected.fresh())
    core().cursors.advance(key, "2026-11-30T01:00:00.000000Z")
    poll(connected, "2026-11-30T01:05:00Z")
    assert seen == ["2026-11-30T00:58:00.000Z"]  # 120 s before the cursor, RFC 3339 UTC


def test_other_channels_orders_are_passed_over_by_the_poll(connected: StarshipitWorld):
    account = connected.starshipit.accounts[ACCOUNT]
    # The account's own shop integration made this order in Starshipit, and it shipped.
    body = {"order": {"order_number": "SHOP-1001", "destination": {"name": "A", "street": "1 St", "suburb": "Perth",
                                                                   "post_code": "6000", "country": "AU"},
                      "items": [{"sku": "X", "quantity": 1}]}}
    from local.sandboxes.base import SandboxRequest

    answer = connected.starshipit.handle(SandboxRequest("POST", "/api/orders", body=json.dumps(body).encode(), headers={
        "StarShipIT-Api-Key": account.api_key, "Ocp-Apim-Subscription-Key": account.subscription_key}))
    connected.starshipit.ship_order(ACCOUNT, answer.parsed()["order"]["order_id"])
    before = connected.service.queue_depth("StarshipitQueue")
    connected.service.schedule("StarshipitPollScheduleFunction", {"scheduledTime": "2026-11-30T00:00:00Z"})
    connected.service.pump("StarshipitQueue", rounds=1)
    assert connected.service.queue_depth("StarshipitQueue") == before  # nothing queued for it


# --- webhooks ---------------------------------------------------------------------------------------------------------


def test_a_signed_tracking_webhook_writes_the_tracking(connected: StarshipitWorld):
    order_id = exported(connected)
    ssi_id = connected.ssi_order_for(order_id)["order_id"]
    connected.door.outage = 503  # hold Starshipit's own deliveries: this test posts one by hand
    connected.starshipit.ship_order(ACCOUNT, ssi_id, tracking_number="QQQ-W1")
    connected.door.outage = None
    answer = connected.tracking_webhook(connected.number_of(order_id), tracking_number="QQQ-W1",
                                        tracking_status="Dispatched")
    assert answer.status == 200 and answer.json()["accepted"] is True
    connected.pump()
    assert [c["references"]["tracking"] for c in connected.consignments(order_id)] == ["QQQ-W1"]
    events = connected.events(order_id)
    assert "webhook" in events and "tracking" in events


def test_starshipits_own_webhooks_reach_the_door_and_write_the_tracking(connected: StarshipitWorld):
    order_id = exported(connected)
    connected.starshipit.ship_order(ACCOUNT, connected.ssi_order_for(order_id)["order_id"], tracking_number="QQQ-S1")
    assert [status for _, status in connected.door.answers] == [200, 200]  # Printed, Dispatched
    connected.pump()
    assert [c["references"]["tracking"] for c in connected.consignments(order_id)] == ["QQQ-S1"]


def test_signatures_in_other_spellings_of_the_same_hmac_are_accepted(connected: StarshipitWorld):
    import base64
    import hashlib
    import hmac

    order_id = exported(connected)
    body = json.dumps({"order_number": connected.number_of(order_id), "tracking_status": "InTransit"}).encode()
    mac = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).digest()
    for signature in (mac.hex(), mac.hex().upper(), "sha256=" + mac.hex(), base64.b64encode(mac).decode()):
        assert connected.post_webhook(body, {"X-Starshipit-Signature": signature}).status == 200, signature


def test_the_door_refuses_what_it_cant_trust_or_use_and_changes_nothing(connected: StarshipitWorld):
    order_id = exported(connected)
    body = json.dumps({"order_number": connected.number_of(order_id), "tracking_status": "InTransit"}).encode()
    good = sign(WEBHOOK_SECRET, body)

    def state() -> tuple[int, int]:
        return connected.service.queue_depth("StarshipitQueue"), len(connected.service.scan("SyncTable"))

    before = state()
    cases = {
        "forged": (body, {"X-Starshipit-Signature": sign("guessed-secret", body)}, 401),
        "missing": (body, {}, 401),
        "non-ascii": (body, {"X-Starshipit-Signature": "é" * 64}, 401),
        "tampered": (body.replace(b"InTransit", b"Delivered"), {"X-Starshipit-Signature": good}, 401),
        "truncated": (body, {"X-Starshipit-Signature": good[:-2]}, 401),
        "not-json": (b"order_number=1", {"X-Starshipit-Signature": sign(WEBHOOK_SECRET, b"order_number=1")}, 400),
        "no-order-number": (b'{"tracking_status":"InTransit"}',
                            {"X-Starshipit-Signature": sign(WEBHOOK_SECRET, b'{"tracking_status":"InTransit"}')}, 400),
    }
    for case, (raw, headers, status) in cases.items():
        answer = connected.post_webhook(raw, headers)
        assert answer.status == status, (case, answer.status, answer.body)
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        assert state() == before, case
    missing_field = connected.post_webhook(*cases["no-order-number"][:2])
    assert missing_field.json()["errors"][0]["field"] == "order_number"
    unknown = connected.post_webhook(body, {"X-Starshipit-Signature": good},
                                     integration_id="5b0e7c1e-0000-4000-8000-000000000000")
    assert unknown.status == 401 and state() == before


def test_without_a_secret_a_delivery_only_makes_us_reread_one_of_our_orders(world: StarshipitWorld):
    """Issue 21: Starshipit's secret is optional, so with none set its deliveries come unsigned. Such a delivery is
    a signal, never data: it may only queue a re-read (from Starshipit's API) of an order this integration created,
    at most once a minute per order; nothing in its body is written or shown."""
    world.connect(webhook=False)
    # The URL, no secret: as the user left it.
    world.starshipit.set_webhook(ACCOUNT, world.fresh().platform_state["deliveryUrl"])
    order_id = exported(world)
    number = world.number_of(order_id)
    first_minute = utcnow().replace(second=0, microsecond=0)
    world.starshipit.ship_order(ACCOUNT, world.ssi_order_for(order_id)["order_id"], tracking_number="QQQ-U1")
    assert [status for _, status in world.door.answers] == [200, 200]  # Starshipit's own, unsigned: Printed, Dispatched
    # Anyone can post unsigned too: a body naming other tracking changes nothing, a flood costs one re-read a minute.
    for n in range(20):
        answer = world.tracking_webhook(number, secret=None, tracking_number=f"FORGED-{n}", tracking_status="Delivered")
        assert answer.status == 200 and answer.json()["accepted"] is True
    minutes = 1 + (utcnow().replace(second=0, microsecond=0) > first_minute)  # the flood may span a minute's end
    assert world.service.queue_depth("StarshipitQueue") == minutes  # one a minute: the flood queued nothing more
    reads = len(world.starshipit.requests_to(r"^/api/orders$", method="GET"))
    world.pump()
    assert len(world.starshipit.requests_to(r"^/api/orders$", method="GET")) - reads == minutes
    assert [c["references"]["tracking"] for c in world.consignments(order_id)] == ["QQQ-U1"]  # Starshipit's, read
    assert "webhook" not in world.events(order_id)  # nothing of an unsigned body reaches a person's log
    other = world.tracking_webhook("5567476", secret=None)  # another channel's order: nothing at all
    assert other.status == 200 and other.json()["accepted"] is False
    assert world.service.queue_depth("StarshipitQueue") == 0


def test_with_a_secret_set_unsigned_deliveries_stay_refused(connected: StarshipitWorld):
    order_id = exported(connected)
    before = connected.service.queue_depth("StarshipitQueue"), len(connected.service.scan("SyncTable"))
    answer = connected.tracking_webhook(connected.number_of(order_id), secret=None)
    assert answer.status == 401
    assert (connected.service.queue_depth("StarshipitQueue"), len(connected.service.scan("SyncTable"))) == before


def test_orders_numbered_with_their_wms_id_before_keep_their_tracking(connected: StarshipitWorld):
    """Orders an older version created with the WMS order's id as their number (and linked by it) still get their
    tracking: by the poll (Starshipit's id leads to the link) and by a delivery naming the id."""
    order_id = connected.place()
    legacy_order = {"order": {"order_number": order_id,
                              "destination": {"name": "Jane Citizen", "street": "20 George Street", "suburb": "Sydney",
                                              "post_code": "2000", "country": "AU"},
                              "items": [{"sku": "SKU-1", "quantity": 2}]}}
    legacy = connected.starshipit.handle(SandboxRequest("POST", "/api/orders", headers=connected.keys(),
                                                        body=json.dumps(legacy_order).encode())).parsed()["order"]
    wms = wms_order_ref(connected.integration_id, connected.tenant.tenant_id, order_id)
    links = core().links
    assert links.claim(wms, tenant_id=connected.tenant.tenant_id, integration_id=connected.integration_id,
                       origin=Origin.WMS, token="old", stale_before="2000-01-01T00:00:00Z").won
    pointer = order_ref(connected.integration_id, legacy["order_id"])
    links.bind(wms, token="old", pointer=pointer, platform_record_key=pointer.key,
               memo={"starshipitOrderId": legacy["order_id"], "orderNumber": order_id})
    connected.door.outage = 503  # hold Starshipit's own deliveries: the poll finds it first
    connected.starshipit.ship_order(ACCOUNT, legacy["order_id"], tracking_number="QQQ-OLD")
    connected.door.outage = None
    poll(connected)
    assert [c["references"]["tracking"] for c in connected.consignments(order_id)] == ["QQQ-OLD"]
    delivered = connected.tracking_webhook(order_id, tracking_number="QQQ-OLD")
    assert delivered.status == 200 and delivered.json()["accepted"] is True


def test_a_delivery_for_another_channels_order_is_answered_200_and_writes_nothing(connected: StarshipitWorld):
    before = connected.service.queue_depth("StarshipitQueue"), len(connected.service.scan("SyncTable"))
    answer = connected.tracking_webhook("5567476")  # a shop's order number, as in Starshipit's docs
    assert answer.status == 200 and answer.json()["accepted"] is False
    assert (connected.service.queue_depth("StarshipitQueue"), len(connected.service.scan("SyncTable"))) == before


def test_a_deleted_integrations_deliveries_are_refused_with_410(connected: StarshipitWorld):
    from integrations.core.integration_record import IntegrationStatus

    connected.update(status=IntegrationStatus.DELETED, credentials=None)
    answer = connected.tracking_webhook("fb5b56f6-a68e-11e8-98d0-529269fb1459")
    assert answer.status == 410
