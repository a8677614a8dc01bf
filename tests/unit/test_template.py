"""template.yaml keeps the promises the design makes (docs/architecture.md)."""

from __future__ import annotations

import pytest

from local.resources import load_template

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]


def of_type(kind):
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


FUNCTIONS = of_type("AWS::Serverless::Function")
TABLES = of_type("AWS::DynamoDB::Table")
QUEUES = of_type("AWS::SQS::Queue")


def test_functions_run_python311_on_arm64_with_the_layer():
    function_globals = TEMPLATE["Globals"]["Function"]
    assert function_globals["Runtime"] == "python3.11"
    assert function_globals["Architectures"] == ["arm64"]
    assert function_globals["Layers"] == [{"Ref": "IntegrationsLayer"}]
    layer = RESOURCES["IntegrationsLayer"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    assert layer["Metadata"] == {"BuildMethod": "python3.11", "BuildArchitecture": "arm64"}
    for name, function in FUNCTIONS.items():
        assert "Runtime" not in function["Properties"] and "Architectures" not in function["Properties"], name


@pytest.mark.parametrize("name", sorted(TABLES))
def test_tables_have_point_in_time_recovery_and_encryption(name):
    props = TABLES[name]["Properties"]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_tables_that_hold_expiring_records_have_ttl():
    ttl = {name: t["Properties"].get("TimeToLiveSpecification", {}).get("AttributeName") for name, t in TABLES.items()}
    assert ttl["IdempotencyTable"] == "expiration"  # Powertools' attribute
    assert ttl["SyncTable"] == "expiresAt"
    assert ttl["RateBudgetTable"] == "expiresAt"


@pytest.mark.parametrize("name", sorted(n for n, f in FUNCTIONS.items()
                                        if any(e["Type"] == "SQS" for e in f["Properties"]["Events"].values())))
def test_queue_workers_report_partial_failures_and_queues_give_them_six_timeouts(name):
    props = FUNCTIONS[name]["Properties"]
    timeout = props.get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"])
    for event in props["Events"].values():
        queue = RESOURCES[event["Properties"]["Queue"]["Fn::GetAtt"][0]]["Properties"]
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert queue["VisibilityTimeout"] >= 6 * timeout
        redrive = queue["RedrivePolicy"]
        assert redrive["maxReceiveCount"] == 5
        dead_letter = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert RESOURCES[dead_letter]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_every_dead_letter_queue_and_worker_has_an_alarm():
    alarms = of_type("AWS::CloudWatch::Alarm").values()
    watched_queues = {a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for a in alarms
                      if a["Properties"]["Namespace"] == "AWS/SQS"}
    watched_functions = {a["Properties"]["Dimensions"][0]["Value"]["Ref"] for a in alarms
                         if a["Properties"]["Namespace"] == "AWS/Lambda"}
    dead_letter_queues = {q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
                          for q in QUEUES.values() if "RedrivePolicy" in q.get("Properties", {})}
    workers = {n for n, f in FUNCTIONS.items() if any(e["Type"] == "SQS" for e in f["Properties"]["Events"].values())}
    assert dead_letter_queues <= watched_queues
    assert workers <= watched_functions


def test_each_function_has_its_own_least_privilege_policies():
    for name, function in FUNCTIONS.items():
        policies = function["Properties"]["Policies"]
        assert policies, name
        for policy in policies:
            for statement in (policy.get("Statement") or []) if isinstance(policy, dict) else []:
                assert statement["Resource"] != "*", f"{name} grants {statement['Action']} on *"
                assert "*" not in str(statement["Action"]), f"{name} grants a wildcard action"


def test_the_credentials_key_rotates():
    assert RESOURCES["CredentialsKey"]["Properties"]["EnableKeyRotation"] is True


def test_schedules_are_eventbridge_scheduler():
    schedules = [e for f in FUNCTIONS.values() for e in f["Properties"]["Events"].values() if "Schedule" in e["Type"]]
    assert schedules and all(e["Type"] == "ScheduleV2" for e in schedules)
