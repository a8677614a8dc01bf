"""Every function has a real sample event in events/, and its handler accepts it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from integrations.core.context import core
from integrations.core.signing import sign_timestamped
from integrations.core.stores import Tenant

from local.lambda_runtime import invoke
from local.resources import load_template

EVENTS = Path(__file__).parents[2] / "events"
FUNCTIONS = {name: r["Properties"] for name, r in load_template()["Resources"].items()
             if r["Type"] == "AWS::Serverless::Function"}


def event_file(props):
    return EVENTS / (Path(props["CodeUri"]).name + ".json")


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_has_a_sample_event(name):
    assert event_file(FUNCTIONS[name]).is_file(), f"events/ lacks a sample for {name}"


def test_the_notification_sample_is_accepted_once_signed_for_now(service):
    event = json.loads(event_file(FUNCTIONS["WmsNotificationFunction"]).read_text())
    tenant_id = event["pathParameters"]["tenantId"]
    stores = core()
    stores.tenants.put(Tenant(tenant_id=tenant_id, wms_base_url="https://api.cartoncloud.test",
                              notification_secret=stores.vault.seal({"secret": "demo-notification-secret"},
                                                                    tenant_id=tenant_id)))
    now = int(time.time())
    event["headers"]["x-notification-timestamp"] = str(now)
    event["headers"]["x-notification-signature"] = sign_timestamped("demo-notification-secret", now,
                                                                    event["body"].encode())
    spec = service.stack.functions["WmsNotificationFunction"]
    response = invoke(service.handlers["WmsNotificationFunction"], event, spec)
    assert response["statusCode"] == 202, response
    assert service.queue_depth("WmsQueue") == 1


@pytest.mark.parametrize("name", ["WmsWorkerFunction", "StatusChangeWorkerFunction"])
def test_worker_samples_are_consumed_without_crashing(service, name):
    """Their tenant isn't registered here: a person-must-fix error, logged and consumed, not a crash."""
    event = json.loads(event_file(FUNCTIONS[name]).read_text())
    response = invoke(service.handlers[name], event, service.stack.functions[name])
    assert response == {"batchItemFailures": []}


def test_schedule_sample_queues_a_poll_per_tenant(service):
    core().tenants.put(Tenant(tenant_id="t-1", wms_base_url="https://api.cartoncloud.test"))
    event = json.loads(event_file(FUNCTIONS["WmsPollScheduleFunction"]).read_text())
    assert invoke(service.handlers["WmsPollScheduleFunction"], event,
                  service.stack.functions["WmsPollScheduleFunction"]) == {"queued": 1}
