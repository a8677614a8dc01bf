"""Issue 8, point 1: one declaration per platform, and template.yaml has everything each declaration says.

Forgetting a queue, its dead-letter queue, an alarm, the worker, a schedule, a door route, a sample event or a
permission fails here, by name, instead of quietly in production.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from integrations.core.connectors import WMS_EVENT, Connector, declaration, load, shipped
from integrations.core.integration_types import IntegrationType

from local.resources import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = {name: r["Properties"] for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}
QUEUES = {name for name, r in RESOURCES.items() if r["Type"] == "AWS::SQS::Queue"}
ALARMS = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
#: The queues of core's own flow (not a platform's): the WMS worker, the WMS event router, billing.
CORE_QUEUES = {"WmsQueue", "StatusChangeQueue", "BillingQueue", "AlertsQueue"}

CONNECTORS = shipped()
AVAILABLE = {key: c for key, c in CONNECTORS.items() if c.available}


def events_of(function: str, kind: str) -> list[dict]:
    return [e["Properties"] for e in FUNCTIONS[function]["Events"].values() if e["Type"] == kind]


def consumers_of(queue: str) -> list[str]:
    return [name for name in FUNCTIONS for event in events_of(name, "SQS")
            if event["Queue"] == {"Fn::GetAtt": [queue, "Arn"]}]


def sends_to(function: str, queue: str) -> bool:
    return {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": [queue, "QueueName"]}}} in \
        FUNCTIONS[function]["Policies"]


def alarmed(namespace: str, dimension: dict) -> bool:
    return any(a["Namespace"] == namespace and a["Dimensions"][0]["Value"] == dimension for a in ALARMS)


def sample_event(function: str) -> Path:
    return ROOT / "events" / (Path(FUNCTIONS[function]["CodeUri"]).name + ".json")


def test_connectors_are_found_in_their_packages_and_woocommerce_is_one():
    assert "woocommerce" in AVAILABLE
    for key, connector in CONNECTORS.items():
        assert connector.integration_type.startswith(f"integrations.{key}."), key


@pytest.mark.parametrize("key", sorted(CONNECTORS))
def test_every_name_a_declaration_gives_resolves(key):
    connector = CONNECTORS[key]
    integration_type = connector.load_integration_type()
    assert isinstance(integration_type, IntegrationType) and integration_type.key == key
    if not connector.available:
        return
    table = connector.handler_table()
    assert all(kind.startswith(f"{key}.") for kind in table), "a connector's kinds are named after it"
    if connector.subscribes:
        assert connector.exporter and f"{key}.{WMS_EVENT}" in table, "a subscriber needs an exporter"
    assert callable(load(connector.sandbox)) if connector.sandbox else True


@pytest.mark.parametrize("key", sorted(AVAILABLE))
def test_the_queue_has_a_dead_letter_queue_and_alarms_and_only_its_worker_consumes_it(key):
    connector: Connector = AVAILABLE[key]
    assert connector.queue in QUEUES
    redrive = RESOURCES[connector.queue]["Properties"]["RedrivePolicy"]
    dead_letters = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert dead_letters == connector.queue.removesuffix("Queue") + "DeadLetterQueue"
    assert alarmed("AWS/SQS", {"Fn::GetAtt": [dead_letters, "QueueName"]}), f"{dead_letters} has no alarm"
    assert consumers_of(connector.queue) == [connector.worker]
    assert [event["Queue"] for event in events_of(connector.worker, "SQS")] == [
        {"Fn::GetAtt": [connector.queue, "Arn"]}]
    assert alarmed("AWS/Lambda", {"Ref": connector.worker}), f"{connector.worker} has no errors alarm"
    assert TEMPLATE["Globals"]["Function"]["Environment"]["Variables"][connector.queue_variable] == {
        "Ref": connector.queue}


@pytest.mark.parametrize("key", sorted(AVAILABLE))
def test_the_router_and_the_management_api_may_send_to_the_queue(key):
    connector = AVAILABLE[key]
    assert sends_to(connector.worker, connector.queue)  # polls and backfill pages queue more work
    if connector.subscribes:
        assert sends_to("StatusChangeWorkerFunction", connector.queue), "the router must reach the connector"
    assert sends_to("ManagementApiFunction", connector.queue), "retry and backfill queue onto it"


@pytest.mark.parametrize("key", sorted(AVAILABLE))
def test_doors_schedules_and_sample_events(key):
    connector = AVAILABLE[key]
    for door in connector.doors:
        routes = [(event["Method"], event["Path"]) for event in events_of(door.function, "HttpApi")]
        assert (door.method, door.path) in routes, f"{door.function} is not routed {door.method} {door.path}"
    for schedule in connector.schedules:
        assert [e for e in events_of(schedule, "ScheduleV2")], f"{schedule} has no ScheduleV2 event"
        assert alarmed("AWS/Lambda", {"Ref": schedule}), f"{schedule} has no errors alarm"
        assert sends_to(schedule, connector.queue)
    if connector.poller:
        assert connector.schedules, "a poller needs a schedule to run it"
    for function in (connector.worker, *connector.schedules, *(door.function for door in connector.doors)):
        assert sample_event(function).is_file(), f"events/ lacks a sample for {function}"


def test_every_queue_with_a_consumer_belongs_to_core_or_to_one_connector():
    owned = CORE_QUEUES | {c.queue for c in AVAILABLE.values()}
    consumed = {queue for queue in QUEUES if consumers_of(queue)}
    assert consumed == owned


def test_a_worker_or_schedule_loads_its_own_declaration_by_key_and_no_other():
    for key, connector in CONNECTORS.items():
        assert declaration(key) is connector
    with pytest.raises(ModuleNotFoundError):
        declaration("nowhere")
