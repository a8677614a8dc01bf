"""The webhook door frame (core.webhook_door): a declaration with a made-up platform, served as a Lambda handler.

The frame's promises, whatever the platform: a body over the limit is 413; the integration is re-read uncached
before a delivery is refused (401, nothing accepted); an unknown integration is refused like a bad signature, a
deleted one is 410; the body is only looked at after the check (415, or the connector's 400/403 naming the field);
a delivery accepted gets the declared answer.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from integrations.core import integration_access
from integrations.core.doors import BadDelivery, json_body
from integrations.core.errors import SignatureInvalid
from integrations.core.integration_record import Integration, IntegrationStatus
from integrations.core.webhook_door import Answer, Delivery, Refusal, Verified, WebhookDoor, lambda_handler

from local.lambda_runtime import LambdaContext

NOW = datetime(2026, 12, 7, tzinfo=UTC)


class Elsewhere(BadDelivery):
    status = 403
    title = "Another account"


def integration(key: str = "right-key", status: IntegrationStatus = IntegrationStatus.LIVE) -> Integration:
    return Integration(integration_id="i-1", tenant_id="t-1", type="toy", name="Toy", status=status,
                       platform_state={"key": key}, created_at=NOW, updated_at=NOW)


def keyed(found: Integration, delivery: Delivery) -> str:
    if delivery.headers.get("x-toy-key") != found.platform_state["key"]:
        raise SignatureInvalid("not the integration's key")
    return "keyed"


accepted: list[tuple[Verified[str], Delivery]] = []


def accept(verified: Verified[str], delivery: Delivery) -> Answer:
    payload = json_body(delivery.body)
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        raise BadDelivery("id", "must be a whole number")
    if payload.get("account") not in (None, "ours"):
        raise Elsewhere("account", "is another account's")
    accepted.append((verified, delivery))
    return Answer.queued(f"item-{payload['id']}", metric="ToyDeliveriesAccepted")


def ping(delivery: Delivery) -> Answer | None:
    return Answer(200, {"pong": True}) if delivery.body == b"ping" else None


DOOR = WebhookDoor(name="Toy Platform", platform="toy", route="/webhooks/toy/<integration_id>", max_body_bytes=64,
                   check=keyed, accept=accept, gone="Remove the webhook from the toy platform", before_check=ping)


@pytest.fixture
def stored(monkeypatch):
    """What the integrations table holds (``cached``: what a warm Lambda has; ``fresh``: the table now); the reads."""
    state = {"cached": integration(), "fresh": integration(), "reads": []}

    def read(integration_id, *, fresh=False, of_type=None):
        state["reads"].append("fresh" if fresh else "cached")
        assert of_type == "toy"
        return state["fresh" if fresh else "cached"]

    monkeypatch.setattr(integration_access, "integration", read)
    accepted.clear()
    return state


def deliver(body: bytes = b'{"id": 7}', *, key: str = "right-key", content_type: str = "application/json",
            door: WebhookDoor = DOOR) -> tuple[int, dict]:
    handler = lambda_handler(door, APIGatewayHttpResolver())
    event = {
        "version": "2.0", "routeKey": "POST /webhooks/toy/{integrationId}", "rawPath": "/webhooks/toy/i-1",
        "rawQueryString": "", "headers": {"X-Toy-Key": key, "content-type": content_type},
        "requestContext": {"http": {"method": "POST", "path": "/webhooks/toy/i-1", "sourceIp": "203.0.113.1"},
                           "requestId": "r-1", "stage": "$default"},
        "body": base64.b64encode(body).decode(), "isBase64Encoded": True,
    }
    answer = handler(event, LambdaContext(function_name="ToyWebhookFunction"))
    return answer["statusCode"], json.loads(answer["body"]) if answer.get("body") else {}


def test_a_genuine_delivery_gets_the_declared_answer(stored):
    assert deliver() == (202, {"accepted": True, "workItem": "item-7"})
    [(verified, delivery)] = accepted
    assert (verified.integration.integration_id, verified.proof) == ("i-1", "keyed")
    assert delivery.headers["x-toy-key"] == "right-key" and delivery.body == b'{"id": 7}'
    assert stored["reads"] == ["cached"]  # a warm door that checks out reads nothing more


def test_a_bad_signature_is_refused_401_after_the_integration_is_read_again(stored):
    status, body = deliver(key="guessed")
    assert status == 401 and body["title"] == "Signature verification failed"
    assert stored["reads"] == ["cached", "fresh"] and accepted == []


def test_a_key_changed_a_moment_ago_is_taken_from_the_fresh_read(stored):
    stored["fresh"] = integration(key="new-key")
    assert deliver(key="new-key")[0] == 202
    assert stored["reads"] == ["cached", "fresh"]


def test_an_unknown_integration_is_refused_like_a_bad_signature_and_a_deleted_one_is_410(stored):
    stored["cached"] = stored["fresh"] = None
    assert deliver()[0] == 401
    stored["cached"] = stored["fresh"] = integration(status=IntegrationStatus.DELETED)
    status, body = deliver()
    assert (status, body["title"], body["detail"]) == (410, "Integration deleted",
                                                        "Remove the webhook from the toy platform")
    assert accepted == []


def test_a_declared_refusal_replaces_the_default_401(stored):
    door = WebhookDoor(name="Toy", platform="toy", route=DOOR.route, max_body_bytes=64, check=keyed, accept=accept,
                       gone="", refusal=Refusal("Unknown webhook URL", "Not this URL", ({"field": "token",
                                                                                        "reason": "wrong"},)))
    status, body = deliver(key="guessed", door=door)
    assert (status, body["title"], body["errors"]) == (401, "Unknown webhook URL", [{"field": "token",
                                                                                    "reason": "wrong"}])


@pytest.mark.parametrize(("body", "content_type", "status", "field"), [
    (b"x" * 65, "application/json", 413, None),
    (b'{"id": 7}', "text/plain", 415, "Content-Type"),
    (b"{not json", "application/json", 400, "body"),
    (b'{"id": "7"}', "application/json", 400, "id"),
    (b'{"id": 7, "account": "theirs"}', "application/json", 403, "account"),
])
def test_a_body_the_door_cant_use_is_refused_naming_the_field(stored, body, content_type, status, field):
    answer_status, answer = deliver(body, content_type=content_type)
    assert answer_status == status and accepted == []
    if field:
        assert answer["errors"][0]["field"] == field and field in answer["detail"]
    if status == 403:
        assert (answer["title"], answer["detail"]) == ("Another account", "account is another account's")


def test_a_forged_delivery_is_refused_before_its_body_is_read(stored):
    assert deliver(b"{not json", key="guessed", content_type="text/plain")[0] == 401


def test_what_is_not_a_delivery_is_answered_before_any_check(stored):
    assert deliver(b"ping", key="guessed") == (200, {"pong": True})
    assert stored["reads"] == []
