"""WMS invoice statuses in Rose Rocket (issue 14, point 4 — R5): signed INVOICE notifications applied to every Rose
Rocket order linked to the invoice's consignments by the help page's table — each row tested — ordered by event time
and written once; a divergence after approval logged, the WMS never overwritten."""

from __future__ import annotations

import json
import uuid
from typing import Any

from . import rose_rocket_helpers
from .conftest import signed
from .rose_rocket_helpers import ORG, RoseRocketWorld
from .test_rose_rocket_rating import _control

world = rose_rocket_helpers.world  # the fixture


def linked_orders(world: RoseRocketWorld, **settings: Any) -> tuple[tuple[str, str], tuple[str, str]]:
    """(consignment, order) made each way: a WMS consignment → its order; a Delivered order → its consignment."""
    world.connect(**settings)
    world.match("chef")
    from_wms = world.consignment("chef")
    world.pump()
    [order_a] = [o["id"] for o in world.rr_orders() if o["externalId"] == from_wms]
    order_b = world.order("chef", refNum="CUST-REF-B")
    world.move(order_b, "delivered")
    world.pump()
    [from_rr] = [c["id"] for c in world.wms_consignments() if (c.get("properties") or {}).get("roseRocketOrderId")
                 == order_b]
    return (from_wms, order_a), (from_rr, order_b)


def shown(world: RoseRocketWorld, order_id: str) -> tuple[str, Any, Any]:
    """(order status, its invoice's status, voided) as Rose Rocket shows them."""
    order = world.rr_order(order_id)
    assert order is not None
    invoice = order.get("invoice")
    return order["status"], (invoice or {}).get("status"), (invoice or {}).get("voided")


def rr_writes(world: RoseRocketWorld) -> int:
    return len([m for m, _, _ in world.rose_rocket.request_log if m in ("POST", "PUT", "PATCH", "DELETE")])


def test_an_invoice_walks_the_table_draft_approved_paid(world: RoseRocketWorld):
    (c_a, order_a), (c_b, order_b) = linked_orders(world)
    invoice = world.wms.create_invoice(world.tenant.tenant_id, [c_a, c_b])
    world.pump()
    # Draft / Awaiting → no invoice; the order as it was (Delivered for the one Rose Rocket delivered).
    assert shown(world, order_a) == ("new", None, None) and shown(world, order_b) == ("delivered", None, None)
    world.wms.approve_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    # Approved / Awaiting (decided): sent, the order Invoiced.
    assert shown(world, order_a) == ("invoiced", "sent", False) == shown(world, order_b)
    world.wms.pay_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    # Approved / Paid → Paid, Invoiced.
    assert shown(world, order_a) == ("invoiced", "paid", False) == shown(world, order_b)
    made = world.rr_order(order_b)["invoice"]
    assert made["externalId"] == f"cartoncloud-invoice:{invoice['id']}:{order_b}"
    assert made["notes"] == f"CartonCloud invoice {invoice['number']}"
    assert len(world.rr_objects("invoice")) == 2  # one per order, made once
    _, entries = world.order_log(order_b)
    assert [e["event"] for e in entries].count("invoice") == 2
    assert "WMS invoice INV-00001 (APPROVED, payment PAID)" in [e for e in entries if e["event"] == "invoice"][-1][
        "message"]


def test_a_void_invoice_is_shown_voided_and_the_order_stays_invoiced(world: RoseRocketWorld):
    (c_a, order_a), (c_b, order_b) = linked_orders(world)
    voided_draft = world.wms.create_invoice(world.tenant.tenant_id, [c_a])
    approved = world.wms.create_invoice(world.tenant.tenant_id, [c_b])
    world.wms.approve_invoice(world.tenant.tenant_id, approved["id"])
    world.pump()
    world.wms.void_invoice(world.tenant.tenant_id, voided_draft["id"])
    world.wms.void_invoice(world.tenant.tenant_id, approved["id"])
    world.pump()
    # Void / Void → a voided invoice (new: created; one we had sent keeps its status), the order Invoiced.
    assert shown(world, order_a) == ("invoiced", "created", True)
    assert shown(world, order_b) == ("invoiced", "sent", True)
    # The consignment goes on a new draft: the order shows that one — no invoice, Delivered again.
    world.wms.create_invoice(world.tenant.tenant_id, [c_b])
    world.pump()
    assert shown(world, order_b) == ("delivered", None, None)
    assert len(world.rr_objects("invoice")) == 1  # ours for the draft's consignment removed, the other kept


def test_duplicate_and_late_notifications_write_once(world: RoseRocketWorld):
    (c_a, order_a), _ = linked_orders(world)
    invoice = world.wms.create_invoice(world.tenant.tenant_id, [c_a])
    world.pump()
    draft = world.notifications.sent[-1]
    world.wms.approve_invoice(world.tenant.tenant_id, invoice["id"])
    world.wms.pay_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    writes = rr_writes(world)
    # The same notification again, and the draft's state arriving late under a new id: nothing changes.
    world.wms.redeliver_notification()
    late = json.loads(draft.body) | {"id": str(uuid.uuid4())}
    headers, raw = signed(world.tenant.notification_secret, late)
    assert world.service.http("POST", f"/wms/{world.tenant.tenant_id}/notifications", headers=headers,
                           body=raw).status == 202
    world.pump()
    assert shown(world, order_a) == ("invoiced", "paid", False)
    assert rr_writes(world) == writes


def test_a_rose_rocket_change_after_approval_is_a_divergence_and_the_wms_is_not_overwritten(world: RoseRocketWorld):
    _, (c_b, order_b) = linked_orders(world)
    invoice = world.wms.create_invoice(world.tenant.tenant_id, [c_b])
    world.wms.approve_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    version = world.wms_consignment(c_b)["version"]
    # A dispatcher marks Rose Rocket's invoice partly paid, moves the order back to Delivered and edits it.
    rr_invoice = world.rr_order(order_b)["invoice"]["id"]
    assert world.rose_rocket.handle(
        _control("PATCH", f"/invoices/{rr_invoice}", {"status": "partiallyPaid"})).status == 200
    world.move(order_b, "delivered")
    assert world.rose_rocket.handle(
        _control("PATCH", f"/orders/{order_b}", {"delivery": {"address1": "9 Quay St"}})).status == 200
    world.pump()
    world.poll()
    assert world.wms_consignment(c_b)["version"] == version  # the WMS is not overwritten
    events = [e for e in world.order_log(order_b)[1] if e["event"] == "diverged"]
    assert len(events) == 1 and "approved WMS invoice INV-00001" in events[0]["message"]
    assert events[0]["resolution"]
    # The WMS's next change is shown, and the divergence seen on the way is logged.
    world.wms.pay_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    assert shown(world, order_b) == ("invoiced", "paid", False)
    diverged = [e["message"] for e in world.order_log(order_b)[1] if e["event"] == "diverged"]
    assert any("its invoice is partiallyPaid, not sent" in m for m in diverged), diverged


def test_an_invoice_a_dispatcher_made_in_rose_rocket_is_never_replaced(world: RoseRocketWorld):
    _, (c_b, order_b) = linked_orders(world)
    org = world.rose_rocket.org(ORG)
    with world.rose_rocket.writing(org, rose_rocket_helpers.USER) as records:
        own = records.create("invoice", {"status": "created"})
        records.update(records.get(order_b), {"invoice": {"id": own["id"]}, "status": "invoiced"})
    invoice = world.wms.create_invoice(world.tenant.tenant_id, [c_b])
    world.wms.approve_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    assert world.rr_order(order_b)["invoice"]["id"] == own["id"]
    assert [i["id"] for i in world.rr_objects("invoice")] == [own["id"]]
    assert any(e["event"] == "diverged" for e in world.order_log(order_b)[1])


def test_invoice_statuses_stay_in_the_wms_when_switched_off(world: RoseRocketWorld):
    (c_a, order_a), _ = linked_orders(world)
    world.api("PUT", f"{world.base}/steps/fulfilment", {"syncInvoiceStatus": False})
    invoice = world.wms.create_invoice(world.tenant.tenant_id, [c_a])
    world.wms.approve_invoice(world.tenant.tenant_id, invoice["id"])
    world.pump()
    assert shown(world, order_a) == ("new", None, None)


def test_the_wms_refuses_changes_to_consignments_on_an_approved_invoice(world: RoseRocketWorld):
    (c_a, _), _ = linked_orders(world)
    invoice = world.wms.create_invoice(world.tenant.tenant_id, [c_a])
    world.wms.approve_invoice(world.tenant.tenant_id, invoice["id"])
    from integrations.cartoncloud.clients import wms_client
    from integrations.core.context import core
    from integrations.core.errors import UpstreamRejected

    client = wms_client(core().tenants.get(world.tenant.tenant_id))
    current = client.get_consignment(c_a)
    try:
        client.update_consignment(current)
    except UpstreamRejected as exc:
        assert exc.status == 422 and "approved invoice" in str(exc)
    else:
        raise AssertionError("an approved invoice's consignment was changed")
