"""The Unleashed door beyond the contract suite's matrix: events we don't act on, unusable data, sizes, the sample
events of the door and the worker."""

from __future__ import annotations

import json
import time
from pathlib import Path

from integrations.core.context import core
from integrations.unleashed.door import MAX_BODY_BYTES, sign

from local.lambda_runtime import invoke

from .unleashed_helpers import API_ID, UnleashedWorld, connected_fixture, unleashed_world_fixture  # noqa: F401  (fixtures)

EVENTS = Path(__file__).parents[2] / "events"


def key_of(world: UnleashedWorld) -> str:
    integration = world.fresh()
    sealed = integration.platform_state["webhookSigningKey"]
    return core().vault.open(sealed, tenant_id=integration.tenant_id,
                             integration_id=integration.integration_id).reveal("secret")


def post(world: UnleashedWorld, body: bytes, *, key: str | None = None, at: int | None = None):
    timestamp = at if at is not None else int(time.time())
    headers = {"x-unleashed-timestamp": str(timestamp), "x-unleashed-signature": sign(key or key_of(world), timestamp,
                                                                                       body)}
    return world.service.http("POST", f"/webhooks/unleashed/{world.integration_id}", headers=headers, body=body)


def event(**changes) -> bytes:
    body = {"subscriptionId": "s-1", "eventNotificationId": "n-1", "eventType": "salesorder.updated",
            "createdOn": "2026-11-30T06:00:00.000Z",
            "data": json.dumps({"salesOrderGuid": "b0e1f7b1-2e77-4751-b694-156330575685"})}
    body.update(changes)
    return json.dumps(body).encode()


def test_a_signed_event_we_do_not_act_on_is_answered_200_and_changes_nothing(connected: UnleashedWorld):
    before = connected.service.queue_depth("UnleashedQueue")
    answer = post(connected, event(eventType="product.updated"))
    assert answer.status == 200 and answer.json() == {"accepted": False, "ignored": "product.updated"}
    assert connected.service.queue_depth("UnleashedQueue") == before


def test_signed_but_unusable_deliveries_are_400_naming_the_field(connected: UnleashedWorld):
    for body, field in ((event(data=json.dumps({"salesOrderGuid": "SO-1"})), "data.salesOrderGuid"),
                        (event(data="{not json"), "data"),
                        (event(eventNotificationId=""), "eventNotificationId"),
                        (json.dumps(["a list"]).encode(), "body")):
        answer = post(connected, body)
        assert answer.status == 400 and answer.json()["errors"][0]["field"] == field, (field, answer.body)
    assert connected.service.queue_depth("UnleashedQueue") == 0


def test_an_oversized_body_is_413_before_anything_is_read(connected: UnleashedWorld):
    answer = post(connected, b"{" + b" " * MAX_BODY_BYTES + b"}")
    assert answer.status == 413


def test_a_genuine_delivery_is_noted_on_the_orders_log_and_queued(connected: UnleashedWorld):
    order = connected.unleashed.place_order(API_ID, [{"code": "SKU-1"}], shipments=[{}], notify=False)
    answer = post(connected, event(data=json.dumps({"salesOrderGuid": order["Guid"].upper()})))
    assert answer.status == 202 and answer.json()["workItem"].endswith(":notification:n-1")
    assert connected.events(order["Guid"], "order") == ["webhook"]  # GUIDs are one record, whatever their case
    connected.pump()
    assert len(connected.wms_orders()) == 1


def test_the_door_sample_is_accepted_once_re_signed_for_now(connected: UnleashedWorld):
    sample = json.loads((EVENTS / "unleashed_webhook.json").read_text())
    body = sample["body"].encode()
    now = int(time.time())
    sample["pathParameters"]["integrationId"] = connected.integration_id
    sample["rawPath"] = sample["requestContext"]["http"]["path"] = \
        f"/dev/webhooks/unleashed/{connected.integration_id}"
    sample["headers"].update({"x-unleashed-timestamp": str(now), "x-unleashed-signature": sign(key_of(connected),
                                                                                               now, body)})
    spec = connected.service.stack.functions["UnleashedWebhookFunction"]
    answer = invoke(connected.service.handlers["UnleashedWebhookFunction"], sample, spec)
    assert answer["statusCode"] == 202, answer
    stale = json.loads((EVENTS / "unleashed_webhook.json").read_text())  # as shipped: signed long ago
    stale["pathParameters"]["integrationId"] = connected.integration_id
    assert invoke(connected.service.handlers["UnleashedWebhookFunction"], stale, spec)["statusCode"] == 401


def test_the_worker_sample_is_consumed_without_crashing(service):
    """Its integration isn't registered here: noted as not live, consumed, not a crash."""
    sample = json.loads((EVENTS / "unleashed_worker.json").read_text())
    spec = service.stack.functions["UnleashedWorkerFunction"]
    assert invoke(service.handlers["UnleashedWorkerFunction"], sample, spec) == {"batchItemFailures": []}


def test_the_schedule_sample_queues_one_poll_per_live_integration(connected: UnleashedWorld):
    sample = json.loads((EVENTS / "unleashed_poll_schedule.json").read_text())
    spec = connected.service.stack.functions["UnleashedPollScheduleFunction"]
    assert invoke(connected.service.handlers["UnleashedPollScheduleFunction"], sample, spec) == {"queued": 1}


def test_the_doors_answers_are_the_ones_its_openapi_document_describes(connected: UnleashedWorld):
    import yaml
    from jsonschema import Draft202012Validator
    from openapi_spec_validator import validate
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    document = yaml.safe_load((Path(__file__).parents[2] / "openapi" / "unleashed.yaml").read_text())
    validate(document)
    registry = Registry().with_resource("urn:unleashed", Resource(contents=document, specification=DRAFT202012))
    documented = document["paths"]["/webhooks/unleashed/{integrationId}"]["post"]["responses"]
    order = connected.unleashed.place_order(API_ID, [{"code": "SKU-1"}], shipments=[{}], notify=False)
    answers = [
        post(connected, event(data=json.dumps({"salesOrderGuid": order["Guid"]}))),       # 202
        post(connected, event(eventType="customer.updated")),                                # 200
        post(connected, event(data="[]")),                                                   # 400
        post(connected, event(), key="guessed"),                                             # 401
        post(connected, b"{" + b" " * MAX_BODY_BYTES + b"}"),                                # 413
    ]
    assert [a.status for a in answers] == [202, 200, 400, 401, 413]
    for answer in answers:
        response = documented[str(answer.status)]
        media = next(iter(response["content"]))
        assert answer.headers["Content-Type"].startswith(media)
        pointer = "/".join(["paths", "~1webhooks~1unleashed~1{integrationId}", "post", "responses",
                            str(answer.status), "content", media.replace("/", "~1"), "schema"])
        errors = list(Draft202012Validator({"$ref": f"urn:unleashed#/{pointer}"}, registry=registry)
                      .iter_errors(answer.json()))
        assert not errors, (answer.status, [e.message for e in errors])


def test_its_openapi_document_takes_what_the_door_takes_and_forbids_what_it_refuses(connected: UnleashedWorld):
    """Fuzzing with bodies outside openapi/unleashed.yaml (issue 20) found genuine deliveries the door rightly takes
    outside it: another event's ``data`` is never read, and ``subscriptionId``/``createdOn`` are informational (null
    is no reason to lose a signal). The document now says so; what the door refuses stays outside it."""
    import yaml
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    document = yaml.safe_load((Path(__file__).parents[2] / "openapi" / "unleashed.yaml").read_text())
    registry = Registry().with_resource("urn:unleashed", Resource(contents=document, specification=DRAFT202012))
    request_schema = Draft202012Validator({"$ref": "urn:unleashed#/components/schemas/Delivery"}, registry=registry)
    guid = "b0e1f7b1-2e77-4751-b694-156330575685"
    for body, status in ((event(eventType="customer.updated", data={}), 200),
                         (event(eventType="customer.updated", data=None), 200),
                         (event(subscriptionId=None, createdOn=None), 202),
                         (event(eventNotificationId="n-2", data={"SalesOrderGuid": guid}), 202),
                         (event(data=5), 400),
                         (event(eventType="customer.updated", data=[guid]), 400),
                         (event(data={"salesOrderGuid": "SO-1"}), 400),
                         (event(subscriptionId=7), 400)):
        answer = post(connected, body)
        assert answer.status == status, (body, answer.body)
        assert request_schema.is_valid(json.loads(body)) == (status < 400), body
