"""The Starshipit functions' sample events (events/starshipit_*.json) are what their handlers take."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from integrations.core.context import core
from integrations.core.integration_record import Integration, IntegrationStatus, LivePeriod
from integrations.core.records import Origin
from integrations.starshipit.refs import number_ref, order_ref, wms_order_ref

from local.lambda_runtime import invoke

from .conftest import Service

EVENTS = Path(__file__).resolve().parents[2] / "events"


def sample(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def test_the_webhook_sample_verifies_with_the_demo_secret(service: Service):
    event = sample("starshipit_webhook")
    integration_id = event["pathParameters"]["integrationId"]
    spec, handler = service.stack.functions["StarshipitWebhookFunction"], service.handlers["StarshipitWebhookFunction"]
    assert invoke(handler, event, spec)["statusCode"] == 401  # no such integration yet
    shared, now = core(), datetime.now(UTC)
    tenant_id = "2f9e1c4a-6f0b-4b8e-9d7a-0c1d2e3f4a5b"
    shared.integrations.create(Integration(
        integration_id=integration_id, tenant_id=tenant_id, customer_id="c", type="starshipit", name="Sample",
        status=IntegrationStatus.LIVE, live_periods=[LivePeriod(start=now)], created_at=now, updated_at=now,
        credentials=shared.vault.seal({"apiKey": "k", "subscriptionKey": "s",
                                       "webhookSecret": "demo-starshipit-webhook-secret"},
                                      tenant_id=tenant_id, integration_id=integration_id),
        order_settings={"createShipmentAt": "PACKED"}))
    not_yet = invoke(handler, event, spec)  # the order it names isn't one this integration sent: nothing queued
    assert not_yet["statusCode"] == 200 and json.loads(not_yet["body"])["accepted"] is False
    # The export sent WMS order fb5b56f6-… to Starshipit as order WOO-1042 (its id 1020304051), as the exporter does.
    wms = wms_order_ref(integration_id, tenant_id, "fb5b56f6-a68e-11e8-98d0-529269fb1459")
    assert shared.links.claim(wms, tenant_id=tenant_id, integration_id=integration_id, origin=Origin.WMS, token="t",
                              stale_before="2000-01-01T00:00:00Z").won
    shared.links.alias(wms, number_ref(integration_id, "WOO-1042"))
    order = order_ref(integration_id, 1020304051)
    shared.links.bind(wms, token="t", pointer=order, platform_record_key=order.key)
    answer = invoke(handler, event, spec)
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["accepted"] is True
    assert service.queue_depth("StarshipitQueue") == 1


def test_the_worker_and_schedule_samples_are_consumed(service: Service):
    """Their integration isn't registered here: noted and consumed, not a crash."""
    worker = service.stack.functions["StarshipitWorkerFunction"]
    assert invoke(service.handlers["StarshipitWorkerFunction"], sample("starshipit_worker"), worker) == {
        "batchItemFailures": []}
    schedule = service.stack.functions["StarshipitPollScheduleFunction"]
    assert invoke(service.handlers["StarshipitPollScheduleFunction"], sample("starshipit_poll_schedule"),
                  schedule) == {"queued": 0}


def test_the_labels_sample_asks_for_a_real_token(service: Service, monkeypatch):
    monkeypatch.setenv("AUTH_HS256_KEY", "functional-tests-events-key-0123456789abcdef01")
    spec = service.stack.functions["StarshipitLabelsFunction"]
    answer = invoke(service.handlers["StarshipitLabelsFunction"], sample("starshipit_labels"), spec)
    assert answer["statusCode"] == 401 and answer["headers"]["WWW-Authenticate"].startswith("Bearer")
