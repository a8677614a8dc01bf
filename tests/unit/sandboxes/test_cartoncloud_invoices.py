"""The WMS sandbox's invoices (issue 14, point 5): a finance user creates, approves, pays and voids them through the
control API; each change is a signed INVOICE notification carrying the invoice's state (docs/wms-notifications.md
"Invoices"); a consignment on an approved invoice can't be changed through the API."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from local.sandboxes.base import ControlError, RecordingSender, SandboxRequest
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.cartoncloud.invoices import consignment_locked

TENANT = "318782ea-75b1-11e8-adc0-fa7ae01babab"
SECRET = "notify-secret-1"


def setup():
    sender = RecordingSender()
    wms = CartonCloudSandbox(sender=sender)
    wms.add_tenant(TENANT, client_id="c", client_secret="s", notification_url="https://us.test/notifications",
                   notification_secret=SECRET)
    customer = wms.add_customer(TENANT, name="Chef")
    other = wms.add_customer(TENANT, name="Other")
    consignments = [wms.enter_consignment(TENANT, {"customer": {"id": c}, "details": {"deliver": {"address": {
        "companyName": "Cafe", "address1": "1 Wharf St", "city": "Brisbane", "postcode": "4000"}}}})["id"]
        for c in (customer["id"], customer["id"], other["id"])]
    sender.sent.clear()
    return wms, sender, consignments


def control(wms, method, path, body=None):
    return wms.handle(SandboxRequest(method, f"/_control/tenants/{TENANT}{path}",
                                     body=json.dumps(body).encode() if body is not None else b""))


def test_each_change_is_a_signed_invoice_notification_with_its_state():
    wms, sender, (first, second, _) = setup()
    created = control(wms, "POST", "/invoices", {"consignmentIds": [first, second]})
    assert created.status == 201
    invoice = created.parsed()
    assert (invoice["status"], invoice["paymentStatus"], invoice["number"]) == ("DRAFT", "AWAITING", "INV-00001")
    for action in ("approve", "pay", "void"):
        assert control(wms, "POST", f"/invoices/{invoice['id']}/{action}").status == 200
    bodies = [json.loads(sent.body) for sent in sender.sent]
    assert [(b["event"], b["invoice"]["status"], b["invoice"]["paymentStatus"]) for b in bodies] == [
        ("CREATED", "DRAFT", "AWAITING"), ("APPROVED", "APPROVED", "AWAITING"), ("PAID", "APPROVED", "PAID"),
        ("VOIDED", "VOID", "VOID")]
    assert all(b["entityType"] == "INVOICE" and b["entityId"] == invoice["id"] and
               b["invoice"]["consignmentIds"] == [first, second] for b in bodies)
    times = [b["eventTime"] for b in bodies]
    assert times == sorted(times) and all("." in t for t in times)  # milliseconds: same-second changes stay ordered
    for sent in sender.sent:
        stamp = sent.headers["X-Notification-Timestamp"]
        digest = hmac.new(SECRET.encode(), f"{stamp}.".encode() + sent.body, hashlib.sha256).hexdigest()
        assert sent.headers["X-Notification-Signature"] == f"v1={digest}"
    assert control(wms, "GET", "/invoices").parsed()[0]["status"] == "VOID"


def test_moves_out_of_order_and_bad_invoices_are_refused():
    wms, _, (first, second, others) = setup()
    invoice = wms.create_invoice(TENANT, [first])
    with pytest.raises(ControlError, match="only an approved invoice"):
        wms.pay_invoice(TENANT, invoice["id"])
    with pytest.raises(ControlError, match="already on invoice INV-00001"):
        wms.create_invoice(TENANT, [first])
    with pytest.raises(ControlError, match="one customer"):
        wms.create_invoice(TENANT, [second, others])
    with pytest.raises(ControlError, match="unknown consignment"):
        wms.create_invoice(TENANT, ["00000000-0000-4000-8000-000000000000"])
    wms.void_invoice(TENANT, invoice["id"])
    with pytest.raises(ControlError, match="already void"):
        wms.void_invoice(TENANT, invoice["id"])
    assert wms.create_invoice(TENANT, [first])["number"] == "INV-00002"  # a voided invoice frees its consignments


def test_a_consignment_is_locked_while_its_invoice_is_approved():
    """(The API's 422 to a PUT of such a consignment: tests/functional/test_rose_rocket_invoices.py.)"""
    wms, _, (first, second, _) = setup()
    invoice = wms.create_invoice(TENANT, [first])
    tenant = wms.tenant(TENANT)
    assert not consignment_locked(tenant, first)  # a draft can still change
    wms.approve_invoice(TENANT, invoice["id"])
    assert consignment_locked(tenant, first) and not consignment_locked(tenant, second)
    wms.pay_invoice(TENANT, invoice["id"])
    assert consignment_locked(tenant, first)
    wms.void_invoice(TENANT, invoice["id"])
    assert not consignment_locked(tenant, first)
