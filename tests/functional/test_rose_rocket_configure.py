"""Configuring the tenant-level Rose Rocket integration through the management API (issue 13, points 1 and 2): a real
token request checks the credentials and names the field at fault; finish hands over the webhook URL once and
registers it in Rose Rocket; one live integration per organisation per tenant; delete removes the registration;
rotating the URL keeps the previous one for a grace; the webhook door trusts the URL's token and nothing else."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from integrations.core.context import core
from integrations.core.timeutil import utc_iso, utcnow

from . import rose_rocket_helpers
from .conftest import PUBLIC_API_BASE_URL
from .management_support import mint
from .rose_rocket_helpers import CREDENTIALS, ORG, RoseRocketWorld

world = rose_rocket_helpers.world  # the fixture


def destinations(world: RoseRocketWorld) -> list[dict]:
    return [d for d in world.rr_objects("webhookDestination")]


def envelope(order_id: str, *, org: str = ORG, object_key: str = "order") -> bytes:
    return json.dumps({"id": str(uuid.uuid4()), "type": "Order Status Changed", "refId": order_id,
                       "ownerId": str(uuid.uuid4()), "orgId": org, "createdAt": "2026-11-30T00:00:00.000Z",
                       "objectKey": object_key, "json": {"status": "delivered"}}).encode()


def door(world: RoseRocketWorld, body: bytes, token: str | None):
    return world.service.http("POST", f"/webhooks/rose-rocket/{world.integration_id}", body=body,
                           headers={"content-type": "application/json"},
                           query=f"token={token}" if token is not None else "")


def test_credentials_are_checked_with_a_real_token_request_naming_the_field(world: RoseRocketWorld):
    created = world.api("POST", f"/tenants/{world.tenant.tenant_id}/integrations",
                        {"type": "rose_rocket", "name": "TMS"})
    base = f"/tenants/{world.tenant.tenant_id}/integrations/{created.json()['integrationId']}"
    for wrong, field in (({"clientSecret": "nope"}, "clientSecret"), ({"orgId": str(uuid.uuid4())}, "orgId"),
                         ({"serviceAccountUserId": str(uuid.uuid4())}, "serviceAccountUserId"),
                         ({"orgId": "not-a-uuid"}, "orgId")):
        answer = world.api("PUT", f"{base}/steps/authentication", {**CREDENTIALS, **wrong})
        assert answer.status == 400 and [e["field"] for e in answer.json()["errors"]] == [field], answer.body
    world.rose_rocket.inject_fault(503, count=4, path_pattern=r"^/oauth/token$")
    down = world.api("PUT", f"{base}/steps/authentication", CREDENTIALS)
    assert down.status == 422 and down.json()["title"] == "Could not check"
    assert "retried automatically" not in down.body
    world.rose_rocket.clear_faults()
    ok = world.api("PUT", f"{base}/steps/authentication", CREDENTIALS)
    assert ok.status == 200 and ok.json()["credentialsSet"] is True and "clientSecret" not in ok.body
    state = core().integrations.get(created.json()["integrationId"]).platform_state
    assert state["ordersBoardId"] == world.rose_rocket.org(ORG).boards["order"]


def test_finish_hands_over_the_webhook_url_once_and_registers_it(world: RoseRocketWorld):
    live = world.connect()
    assert live["status"] == "LIVE" and live["scope"] == "tenant" and live["customerId"] is None
    url = live["shownOnce"]["webhookUrl"]
    assert f"/webhooks/rose-rocket/{world.integration_id}?token=" in url and len(world.token) >= 43
    [destination] = destinations(world)
    assert destination["url"] == url
    [subscription] = world.rr_objects("webhookSubscription")
    assert subscription["eventName"] == "Order Status Changed"
    assert "shownOnce" not in world.api("GET", world.base).body
    stored = core().integrations.get(world.integration_id).platform_state
    assert world.token not in json.dumps(stored)  # sealed, and its digest
    # Reconfiguring restarts the triggers: the same destination, nothing handed over again.
    again = world.api("PUT", f"{world.base}/steps/fulfilment", {"syncInvoiceStatus": False})
    assert again.status == 200 and "shownOnce" not in again.json() and len(destinations(world)) == 1


def test_one_live_integration_per_organisation_per_tenant(world: RoseRocketWorld):
    first = world.connect("Dispatch")
    created = world.api("POST", f"/tenants/{world.tenant.tenant_id}/integrations", {"type": "rose_rocket",
                                                                              "name": "Second"})
    base = f"/tenants/{world.tenant.tenant_id}/integrations/{created.json()['integrationId']}"
    taken = world.api("PUT", f"{base}/steps/authentication", CREDENTIALS)
    assert taken.status == 409 and first["integrationId"] in taken.json()["detail"]


def test_delete_removes_the_registration_and_the_door_then_refuses(world: RoseRocketWorld):
    world.connect()
    order = world.order("chef")
    assert door(world, envelope(order), world.token).status == 202
    deleted = world.api("DELETE", world.base)
    assert deleted.status == 200 and deleted.json().get("stopWarning") is None
    assert destinations(world) == []
    assert door(world, envelope(order), world.token).status == 410
    assert "webhookToken" not in core().integrations.get(world.integration_id).platform_state


def test_only_the_tenants_admins_use_the_integration(world: RoseRocketWorld):
    world.connect()
    customer_user = mint(world.tenant.tenant_id, "customer", world.tenant.customer_id)
    core().tenants.update(world.tenant.tenant_id, {"selfManagedCustomerIds": [world.tenant.customer_id]})
    for method, path in (("GET", world.base), ("GET", f"{world.base}/customers/export"),
                         ("GET", f"{world.base}/customer-matches"), ("POST", f"{world.base}/webhook-url")):
        assert world.api(method, path, token=customer_user).status == 403, path
    other = mint(str(uuid.uuid4()), "admin")
    assert world.api("GET", f"{world.base}/customer-matches", token=other).status == 403


def test_the_door_trusts_the_urls_token_and_checks_the_envelope(world: RoseRocketWorld):
    world.connect()
    order = world.order("chef")
    before = len(world.service.scan("SyncTable")), world.service.queue_depth("RoseRocketQueue")
    for token in (None, "", "guessed", world.token[:-1], "é" * 43):
        refused = door(world, envelope(order), token)
        assert refused.status == 401 and refused.headers["Content-Type"] == "application/problem+json"
    assert door(world, envelope(order, org=str(uuid.uuid4())), world.token).status == 403
    assert door(world, b'{"id": "x"}', world.token).status == 400
    assert door(world, b"\xef\xbb\xbf" + envelope(order), world.token).status == 400
    assert (len(world.service.scan("SyncTable")), world.service.queue_depth("RoseRocketQueue")) == before
    ignored = door(world, envelope(order, object_key="manifest"), world.token)
    assert ignored.status == 200 and ignored.json() == {"accepted": False,
                                                         "reason": "not about an order: nothing to sync"}
    accepted = door(world, envelope(order), world.token)
    assert accepted.status == 202 and accepted.json()["accepted"] is True
    assert [e["event"] for e in world.order_log(order)[1]] == ["webhook"]


def test_rotating_the_webhook_url_keeps_the_previous_one_for_a_grace(world: RoseRocketWorld):
    world.connect()
    old = world.token
    rotated = world.api("POST", f"{world.base}/webhook-url")
    assert rotated.status == 200 and rotated.headers.get("Cache-Control") == "no-store"
    body = rotated.json()
    assert body["registered"] is True and body["webhookUrl"] != world.webhook_url
    [destination] = destinations(world)
    assert destination["url"] == body["webhookUrl"]
    new = body["webhookUrl"].split("token=")[1]
    order = world.order("chef")
    assert door(world, envelope(order), new).status == 202
    assert door(world, envelope(order), old).status == 202  # within the grace
    stored = core().integrations.get(world.integration_id)
    state = {**stored.platform_state, "previousWebhookTokenValidUntil": utc_iso(utcnow() - timedelta(seconds=1))}
    core().integrations.save(stored.model_copy(update={"platform_state": state}), previous=stored)
    assert door(world, envelope(order), old).status == 401


def test_an_organisation_that_refuses_the_registration_still_goes_live_with_the_url_to_enter(world: RoseRocketWorld):
    world.rose_rocket.inject_fault(403, path_pattern=r"/objects$", method="POST")
    live = world.connect()
    assert live["status"] == "LIVE" and live["shownOnce"]["webhookUrl"]
    assert destinations(world) == []
    state = core().integrations.get(world.integration_id).platform_state
    assert state["webhookRegistered"] is False and state["webhookRegistration"]


def test_webhook_urls_are_built_on_the_configured_public_url_never_on_the_callers_host(world: RoseRocketWorld):
    """A caller chooses its Host header; a URL built on it would hand Rose Rocket an attacker's host carrying our
    webhook token (issue 20). The deployment's PublicApiBaseUrl is the only source."""
    world.connect()
    forged = {"authorization": f"Bearer {world.admin}", "host": "attacker.example", "x-forwarded-proto": "http"}
    rotated = world.service.http("POST", f"{world.base}/webhook-url", headers=forged)
    assert rotated.status == 200, rotated.body
    assert rotated.json()["webhookUrl"].startswith(f"{PUBLIC_API_BASE_URL}/webhooks/rose-rocket/")
    assert [d["url"].split("?")[0] for d in destinations(world)] == [
        f"{PUBLIC_API_BASE_URL}/webhooks/rose-rocket/{world.integration_id}"]


def test_the_doors_document_takes_what_the_door_takes_and_forbids_what_it_refuses(world: RoseRocketWorld):
    """Fuzzing openapi/rose-rocket.yaml (issue 20): the document said any string for the envelope's ids and no null
    for its informational fields, where the door takes null ``ownerId``/``createdAt``/``json`` and refuses ids that
    aren't its patterns. The document now holds what the door holds."""
    from pathlib import Path

    import yaml
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    document = yaml.safe_load((Path(__file__).parents[2] / "openapi" / "rose-rocket.yaml").read_text())
    registry = Registry().with_resource("urn:rr", Resource(contents=document, specification=DRAFT202012))
    request_schema = Draft202012Validator({"$ref": "urn:rr#/components/schemas/WebhookEnvelope"}, registry=registry)
    world.connect()
    order = world.order("chef")
    good = json.loads(envelope(order))
    for changes, status in (({"ownerId": None, "createdAt": None, "json": None}, 202),
                            ({"objectKey": "manifest"}, 200),
                            ({"refId": "not-a-uuid"}, 400),
                            ({"orgId": ORG.upper() + "0"}, 400),
                            ({"id": "-starts-with-a-dash"}, 400),
                            ({"type": ""}, 400),
                            ({"createdAt": "x" * 65}, 400),
                            ({"json": []}, 400)):
        payload = {**good, "id": str(uuid.uuid4()), **changes}
        answer = door(world, json.dumps(payload).encode(), world.token)
        assert answer.status == status, (changes, answer.body)
        assert request_schema.is_valid(payload) == (status < 400), changes
