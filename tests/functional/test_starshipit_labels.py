"""Issue 12, point 4: ``POST …/integrations/{id}/labels {wmsOrderId}`` — an admin or the permitted customer user gets
the label (JSON with base64 PDFs, or the PDF itself); its tracking reaches the WMS as the poller's would; a reprint
returns the same label without a second shipment; everyone else is refused before anything is read."""

from __future__ import annotations

import base64
import json
import time
import uuid

import jwt
import pytest
from integrations.core.context import core
from integrations.core.integration_record import IntegrationStatus

from local.sandboxes.base import SandboxResponse

from .starshipit_helpers import ACCOUNT, StarshipitWorld, connected_fixture, starshipit_world_fixture  # noqa: F401  (fixtures)

KEY = "functional-tests-management-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def _auth(monkeypatch):
    monkeypatch.setenv("AUTH_HS256_KEY", KEY)
    monkeypatch.delenv("AUTH_JWKS_URL", raising=False)


def token(tenant_id: str, role: str = "admin", customer_id: str | None = None) -> str:
    now = int(time.time())
    claims = {"iss": "https://auth.integrations.invalid/", "aud": "integrations-management", "sub": f"user-{role}",
              "iat": now, "exp": now + 600, "tenant_id": tenant_id, "role": role}
    if customer_id:
        claims["customer_id"] = customer_id
    return jwt.encode(claims, KEY, algorithm="HS256")


def labels(world: StarshipitWorld, wms_order_id: str, *, auth: str | None = None, accept: str = "application/json",
           body: bytes | None = None, customer_id: str | None = None, integration_id: str | None = None,
           content_type: str | None = "application/json"):
    path = (f"/tenants/{world.tenant.tenant_id}/customers/{customer_id or world.tenant.customer_id}/integrations/"
            f"{integration_id or world.integration_id}/labels")
    headers: dict[str, str | None] = {"Accept": accept, "Content-Type": content_type}
    if auth is not None:
        headers["Authorization"] = f"Bearer {auth}"
    return world.service.http("POST", path, headers=headers,
                            body=body if body is not None else json.dumps({"wmsOrderId": wms_order_id}).encode())


def exported(world: StarshipitWorld) -> str:
    order_id = world.place()
    world.move(order_id, "PACKED")
    world.pump()
    return order_id


def test_an_admin_gets_the_label_and_its_tracking_reaches_the_wms(connected: StarshipitWorld):
    order_id = exported(connected)
    answer = labels(connected, order_id, auth=token(connected.tenant.tenant_id))
    assert answer.status == 200, answer.body
    label = answer.json()
    assert label["wmsOrderId"] == order_id and label["reprint"] is False and label["carrier"] == "Australia Post"
    assert label["trackingNumbers"] and label["labels"][0]["contentType"] == "application/pdf"
    assert base64.b64decode(label["labels"][0]["data"]).startswith(b"%PDF-")
    assert connected.starshipit.accounts[ACCOUNT].shipments == 1
    connected.door.outage = 503  # Starshipit's own "Printed" webhook is lost: the label's item alone must do it
    connected.pump()
    [consignment] = connected.consignments(order_id)
    assert consignment["references"]["tracking"] == ", ".join(label["trackingNumbers"])
    assert "label" in connected.events(order_id)


def test_the_pdf_itself_with_accept_application_pdf(connected: StarshipitWorld):
    order_id = exported(connected)
    answer = labels(connected, order_id, auth=token(connected.tenant.tenant_id), accept="application/pdf")
    assert answer.status == 200 and answer.headers["Content-Type"] == "application/pdf"
    pdf = base64.b64decode(answer.body)
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert answer.headers["X-Reprint"] == "false" and answer.headers["X-Tracking-Numbers"]


def test_a_reprint_returns_the_same_label_without_a_second_shipment(connected: StarshipitWorld):
    order_id = exported(connected)
    first = labels(connected, order_id, auth=token(connected.tenant.tenant_id)).json()
    again = labels(connected, order_id, auth=token(connected.tenant.tenant_id)).json()
    assert again["reprint"] is True
    assert again["labels"] == first["labels"] and again["trackingNumbers"] == first["trackingNumbers"]
    assert connected.starshipit.accounts[ACCOUNT].shipments == 1
    shipments = [body for method, path, _ in connected.starshipit.request_log if path == "/api/orders/shipment"
                 for body in [method]]
    assert len(shipments) == 2  # one print, one reprint


def test_an_order_shipped_in_starshipit_gets_its_label_reprinted(connected: StarshipitWorld):
    order_id = exported(connected)
    connected.starshipit.ship_order(ACCOUNT, connected.ssi_order_for(order_id)["order_id"], tracking_number="QQQ-77")
    answer = labels(connected, order_id, auth=token(connected.tenant.tenant_id)).json()
    assert answer["reprint"] is True and answer["trackingNumbers"] == ["QQQ-77"]
    assert connected.starshipit.accounts[ACCOUNT].shipments == 1


def test_a_print_racing_another_becomes_a_reprint(connected: StarshipitWorld):
    """Another request printed the order between our read and our print: Starshipit refuses a second print, so we
    reprint — one shipment, the same label."""
    order_id = exported(connected)
    ssi_id = connected.ssi_order_for(order_id)["order_id"]
    real_get = connected.starshipit._get_order
    stale = {"done": False}

    def stale_once(request, account):
        answer = real_get(request, account)
        if not stale["done"] and request.param("order_id"):
            stale["done"] = True
            connected.starshipit.print_order(account, account.orders[ssi_id])  # the other request's print
            order = {**answer.parsed()["order"], "status": "Unshipped"}
            return SandboxResponse.json(200, {"order": order, "success": True})
        return answer

    connected.starshipit._routes = [r for r in connected.starshipit._routes
                             if not (r.pattern.pattern == r"/api/orders" and r.method == "GET")]
    connected.starshipit._api("GET", r"/api/orders", stale_once)
    answer = labels(connected, order_id, auth=token(connected.tenant.tenant_id))
    assert answer.status == 200 and answer.json()["reprint"] is True
    assert connected.starshipit.accounts[ACCOUNT].shipments == 1


def test_the_permitted_customer_user_may_and_everyone_else_may_not(connected: StarshipitWorld):
    tenant, customer = connected.tenant.tenant_id, connected.tenant.customer_id
    order_id = exported(connected)
    before = len(connected.service.scan("SyncTable")), connected.starshipit.accounts[ACCOUNT].shipments
    refused = {
        "no token": (None, 401),
        "a forged token": (jwt.encode({"sub": "x", "tenant_id": tenant, "role": "admin"}, "x" * 40, "HS256"), 401),
        "another tenant's admin": (token(str(uuid.uuid4())), 403),
        "the customer's user, not allowed to self-manage": (token(tenant, "customer", customer), 403),
        "another customer's user": (token(tenant, "customer", str(uuid.uuid4())), 403),
    }
    for who, (auth, status) in refused.items():
        answer = labels(connected, order_id, auth=auth)
        assert answer.status == status, (who, answer.body)
        assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert (len(connected.service.scan("SyncTable")), connected.starshipit.accounts[ACCOUNT].shipments) == before
    core().tenants.update(tenant, {"selfManagedCustomerIds": [customer]})
    allowed = labels(connected, order_id, auth=token(tenant, "customer", customer))
    assert allowed.status == 200 and allowed.json()["trackingNumbers"]


def test_what_cant_be_printed_is_refused_naming_the_field(connected: StarshipitWorld):
    admin = token(connected.tenant.tenant_id)
    not_yet = connected.place()
    answer = labels(connected, not_yet, auth=admin)
    assert answer.status == 409 and answer.json()["errors"][0]["field"] == "wmsOrderId"
    assert "PACKED" in answer.json()["resolution"]
    for raw, field in ((b'{"wmsOrderId": ""}', "wmsOrderId"), (b'{"orderId": "x"}', "wmsOrderId"),
                       (b"[1]", "body"), (b"not json", "body")):
        bad = labels(connected, "", auth=admin, body=raw)
        assert bad.status == 400 and field in [e["field"] for e in bad.json()["errors"]], (raw, bad.body)
    unknown = labels(connected, not_yet, auth=admin, integration_id=str(uuid.uuid4()))
    assert unknown.status == 404 and unknown.json()["errors"][0]["field"] == "integrationId"


def test_bodies_outside_the_contract_are_a_4xx_naming_the_field_never_a_server_error(connected: StarshipitWorld):
    """The labels route reads bodies as every JSON route does (issue 20): deeply nested JSON was a 500
    (RecursionError), UTF-16 and byte-order-marked bodies were printed from, and any Content-Type was taken."""
    admin = token(connected.tenant.tenant_id)
    order_id = exported(connected)
    genuine = json.dumps({"wmsOrderId": order_id})
    for raw in (b"[" * 5000 + b"]" * 5000, genuine.encode("utf-16"), b"\xef\xbb\xbf" + genuine.encode()):
        bad = labels(connected, "", auth=admin, body=raw)
        assert bad.status == 400 and bad.json()["errors"][0]["field"] == "body", (raw[:20], bad.body)
    for media in ("text/plain", None):
        refused = labels(connected, order_id, auth=admin, content_type=media)
        assert refused.status == 415 and refused.json()["errors"][0]["field"] == "Content-Type", refused.body
    assert connected.starshipit.requests_to(r"/api/orders/shipment") == []  # nothing printed


def test_a_deleted_integration_prints_nothing(connected: StarshipitWorld):
    order_id = exported(connected)
    connected.update(status=IntegrationStatus.DELETED)
    answer = labels(connected, order_id, auth=token(connected.tenant.tenant_id))
    assert answer.status == 409 and answer.json()["title"] == "Integration deleted"


def test_starshipits_refusal_to_print_is_a_422_with_its_words(connected: StarshipitWorld):
    order_id = exported(connected)
    connected.starshipit.accounts[ACCOUNT].couriers.remove("AusPost")  # the courier account was removed in Starshipit
    answer = labels(connected, order_id, auth=token(connected.tenant.tenant_id))
    assert answer.status == 422 and "not set up on this account" in answer.json()["detail"]
    assert connected.starshipit.accounts[ACCOUNT].shipments == 0


@pytest.mark.parametrize("carrier_fields", ["optional", "required"])
def test_the_label_prints_whether_or_not_starshipit_needs_the_carrier_named(connected: StarshipitWorld, carrier_fields):
    """Issue 21: whether Starshipit prints with the order's own carrier when only the order is named is unconfirmed
    (assumption print-label-carrier): we name the order's own carrier, service and packages, as just read."""
    connected.starshipit.set_dialect({"print-label-carrier": carrier_fields})
    order_id = exported(connected)
    order = connected.ssi_order_for(order_id)
    answer = labels(connected, order_id, auth=token(connected.tenant.tenant_id))
    assert answer.status == 200, answer.body
    assert answer.json()["orderNumber"] == connected.references[order_id]  # the number people know
    [sent] = connected.starshipit.sent(r"^/api/orders/shipment$")
    assert sent.body == {"order_id": order["order_id"], "reprint": False, "carrier": order["carrier"],
                         "carrier_service_code": order["carrier_service_code"],
                         "packages": [{k: p[k] for k in ("weight", "height", "width", "length")}
                                      for p in order["packages"]]}
    again = labels(connected, order_id, auth=token(connected.tenant.tenant_id))
    assert again.status == 200 and again.json()["reprint"] is True
    assert connected.starshipit.accounts[ACCOUNT].shipments == 1
