"""openapi/starshipit.yaml is the contract of the Starshipit doors: a valid OpenAPI 3.1 document, the same routes as
template.yaml gives StarshipitWebhookFunction and StarshipitLabelsFunction, and every answer those doors give here
is documented for its operation with a body valid for its schema."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml
from integrations.core.context import core
from integrations.core.integration_record import IntegrationStatus
from integrations.starshipit.door import sign
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from local.resources import load_template

from .starshipit_helpers import WEBHOOK_SECRET, StarshipitWorld, connected_fixture, starshipit_world_fixture  # noqa: F401  (fixtures)

DOCUMENT = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi" / "starshipit.yaml").read_text())
REGISTRY = Registry().with_resource("urn:starshipit", Resource(contents=DOCUMENT, specification=DRAFT202012))
FUNCTIONS = ("StarshipitWebhookFunction", "StarshipitLabelsFunction")
KEY = "functional-tests-openapi-key-0123456789abcdef0123"


def template_routes() -> set[tuple[str, str]]:
    resources = load_template()["Resources"]
    return {(event["Properties"]["Method"].upper(), event["Properties"]["Path"])
            for name in FUNCTIONS for event in resources[name]["Properties"]["Events"].values()
            if event["Type"] == "HttpApi"}


def test_the_document_is_valid_openapi_3_1_with_the_templates_routes():
    validate(DOCUMENT)
    documented = {(method.upper(), path) for path, item in DOCUMENT["paths"].items() for method in item
                  if method in ("get", "put", "post", "delete", "patch")}
    assert documented == template_routes()


def check(route: str, answer: Any) -> None:
    responses = DOCUMENT["paths"][route]["post"]["responses"]
    assert str(answer.status) in responses, (route, answer.status, answer.body)
    content_type = answer.headers.get("Content-Type", "").split(";")[0]
    assert content_type in responses[str(answer.status)]["content"], (route, answer.status, content_type)
    if not content_type.endswith("json"):
        return
    pointer = "/".join(part.replace("~", "~0").replace("/", "~1") for part in
                       ("paths", route, "post", "responses", str(answer.status), "content", content_type, "schema"))
    errors = list(Draft202012Validator({"$ref": f"urn:starshipit#/{pointer}"}, registry=REGISTRY)
                  .iter_errors(json.loads(answer.body)))
    assert not errors, (route, answer.status, [e.message for e in errors[:3]])


@pytest.fixture(autouse=True)
def _auth(monkeypatch):
    monkeypatch.setenv("AUTH_HS256_KEY", KEY)
    monkeypatch.delenv("AUTH_JWKS_URL", raising=False)


def test_every_answer_of_both_doors_is_the_documented_one(connected: StarshipitWorld):
    webhook_route = "/webhooks/starshipit/{integrationId}"
    labels_route = "/tenants/{tenantId}/customers/{customerId}/integrations/{integrationId}/labels"
    order_id = connected.place()
    connected.move(order_id, "PACKED")
    connected.pump()

    body = json.dumps({"order_number": order_id, "tracking_status": "InTransit"}).encode()
    for raw, headers in ((body, {"X-Starshipit-Signature": sign(WEBHOOK_SECRET, body)}),  # 200 accepted
                         (b'{"order_number": 5567476}', {"X-Starshipit-Signature": sign(WEBHOOK_SECRET,
                                                                                        b'{"order_number": 5567476}')}),
                         (b"[]", {"X-Starshipit-Signature": sign(WEBHOOK_SECRET, b"[]")}),  # 400
                         (body, {"X-Starshipit-Signature": "0" * 64})):  # 401
        check(webhook_route, connected.post_webhook(raw, headers))

    now = int(time.time())

    def token(role: str = "admin", customer_id: str | None = None) -> str:
        claims = {"iss": "https://auth.integrations.invalid/", "aud": "integrations-management", "sub": "u",
                  "exp": now + 600, "tenant_id": connected.tenant.tenant_id, "role": role}
        if customer_id:
            claims["customer_id"] = customer_id
        return jwt.encode(claims, KEY, algorithm="HS256")

    def label(wms_order_id: str, auth: str | None, accept: str = "application/json", integration: str | None = None,
              raw: bytes | None = None) -> Any:
        path = (f"/tenants/{connected.tenant.tenant_id}/customers/{connected.tenant.customer_id}/integrations/"
                f"{integration or connected.integration_id}/labels")
        headers = {"Accept": accept, **({"Authorization": f"Bearer {auth}"} if auth else {})}
        sent = raw if raw is not None else json.dumps({"wmsOrderId": wms_order_id}).encode()
        return connected.service.http("POST", path, headers=headers, body=sent)

    check(labels_route, label(order_id, token()))  # 200 JSON
    check(labels_route, label(order_id, token(), accept="application/pdf"))  # 200 PDF
    check(labels_route, label(order_id, None))  # 401
    check(labels_route, label(order_id, token("customer", connected.tenant.customer_id)))  # 403
    check(labels_route, label(order_id, token(), integration=str(uuid.uuid4())))  # 404
    check(labels_route, label(connected.place(), token()))  # 409: not in Starshipit
    check(labels_route, label("", token(), raw=b'{"wmsOrderId": 1}'))  # 400
    second = connected.place()
    connected.move(second, "PACKED")
    connected.pump()
    connected.starshipit.accounts["steam-chef"].couriers.clear()  # the courier account was removed in Starshipit
    refused = label(second, token())
    assert refused.status == 422
    check(labels_route, refused)
    connected.update(status=IntegrationStatus.DELETED, credentials=None)
    core().integrations.forget(connected.integration_id)
    check(webhook_route, connected.post_webhook(body, {"X-Starshipit-Signature": sign(WEBHOOK_SECRET, body)}))  # 410
    check(labels_route, label(order_id, token()))  # 409 deleted


def test_the_tracking_webhooks_document_takes_what_the_door_takes_and_forbids_what_it_refuses(
        connected: StarshipitWorld):
    """Fuzzing with bodies outside openapi/starshipit.yaml (issue 20) found genuine deliveries the door rightly takes
    outside it: Starshipit's optional fields may come null (the door reads them as absent) and a tracking number as
    a number (read as its digits). The document now says so, and that order_number has 1 to 50 characters; what the
    door refuses stays outside it."""
    request_schema = Draft202012Validator({"$ref": "urn:starshipit#/components/schemas/TrackingUpdate"},
                                          registry=REGISTRY)
    order_id = connected.place()
    for payload, status in (({"order_number": order_id, "tracking_status": None, "carrier_name": None,
                              "tracking_number": 12345}, 200),
                            ({"order_number": 3203061, "order_reference": None}, 200),
                            ({"order_number": ""}, 400),
                            ({"order_number": "x" * 51}, 400),
                            ({"order_number": order_id, "tracking_status": 5}, 400),
                            ({"order_number": order_id, "tracking_number": True}, 400)):
        body = json.dumps(payload).encode()
        answer = connected.post_webhook(body, {"X-Starshipit-Signature": sign(WEBHOOK_SECRET, body)})
        assert answer.status == status, (payload, answer.body)
        assert request_schema.is_valid(payload) == (status < 400), payload
