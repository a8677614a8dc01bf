"""template.yaml's per-connector blocks, written from the connectors' declarations (issue 22, point 2).

    .venv/bin/python -m local.template_blocks           # rewrite the generated blocks in template.yaml
    .venv/bin/python -m local.template_blocks --check   # exit 1, naming the blocks, when template.yaml differs

Each connector's queue, dead-letter queue, worker, poll schedule and their alarms, its queue's variable in Globals,
its outputs and the router's and management API's right to send to its queue are the same for every connector but
for names (derived from the declaration's ``queue``) and what its ``Deployment`` says. They are written here, once,
between ``# >>> generated: <block>`` and ``# <<< generated: <block>`` lines; everything outside those lines is
written by hand (a connector's doors, its template parameters). ``tests/unit/test_template_blocks.py`` fails when
template.yaml differs from what this writes, so a connector is added by its folder, its declaration and its door's
route, never by editing another connector's blocks.

Plain YAML text, not ``Fn::ForEach``: the local stack, cfn-lint and ``sam validate --lint`` read template.yaml as it
is, and the blocks differ per connector in more than a name (descriptions, concurrency, the worker's own variables).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

from .resources import TEMPLATE

sys.path.insert(0, str(TEMPLATE.parent / "shared"))

from integrations.core.connectors import Connector, Deployment, shipped

WIDTH = 120
GENERATOR = "python -m local.template_blocks"


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when YAML reads it back unchanged, else double-quoted."""
    try:
        if yaml.safe_load(f"key: {text}") == {"key": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text)


def _comment(text: str, indent: int) -> list[str]:
    prefix = " " * indent + "# "
    return textwrap.wrap(text, WIDTH, initial_indent=prefix, subsequent_indent=prefix)


def _prefix(connector: Connector) -> str:
    """The logical ids' stem: ``WooCommerce`` for ``WooCommerceQueue``."""
    return connector.queue.removesuffix("Queue")


def _deployment(connector: Connector) -> Deployment:
    if connector.deployment is None:
        raise ValueError(f"the {connector.key} connector declares no deployment (core.connectors.Deployment)")
    return connector.deployment


def _alarm(name: str, description: str, namespace: str, metric: str, dimension: str, statistic: str, period: int,
           threshold: str) -> list[str]:
    return [
        f"  {name}:",
        "    Type: AWS::CloudWatch::Alarm",
        "    Properties:",
        f"      AlarmDescription: {_scalar(description)}",
        f"      Namespace: {namespace}",
        f"      MetricName: {metric}",
        "      Dimensions:",
        f"        - {dimension}",
        f"      Statistic: {statistic}",
        f"      Period: {period}",
        "      EvaluationPeriods: 1",
        f"      Threshold: {threshold}",
        "      ComparisonOperator: GreaterThanThreshold",
        "      TreatMissingData: notBreaching",
        "      AlarmActions: [!Ref AlertsTopic]",
        "",
    ]


def _function_errors_alarm(function: str, description: str, *, period: int, threshold: str) -> list[str]:
    return _alarm(f"{function.removesuffix('Function')}ErrorsAlarm", description, "AWS/Lambda", "Errors",
                  f"{{Name: FunctionName, Value: !Ref {function}}}", "Sum", period, threshold)


def _poll_schedule(connector: Connector, deployment: Deployment) -> list[str]:
    prefix, dashed = _prefix(connector), connector.key.replace("_", "-")
    function = f"{prefix}PollScheduleFunction"
    if connector.schedules != (function,):
        raise ValueError(f"the {connector.key} connector's schedules must be ({function!r},): its poll schedule")
    return [
        f"  {function}:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        f"      Description: {_scalar(deployment.poll_schedule)}",
        f"      CodeUri: functions/{connector.key}_poll_schedule/",
        "      Handler: app.handler",
        f"      Timeout: {deployment.timeout}",
        "      Environment:",
        "        Variables:",
        f"          POWERTOOLS_SERVICE_NAME: {dashed}-poll-schedule",
        "      Policies:",
        "        - Statement:",
        "            - Effect: Allow",
        "              Action: dynamodb:Query",
        '              Resource: !Sub "${IntegrationsTable.Arn}/index/byLiveType"',
        f"        - SQSSendMessagePolicy: {{QueueName: !GetAtt {connector.queue}.QueueName}}",
        "      Events:",
        f"        {prefix}PollSchedule:",
        "          Type: ScheduleV2",
        "          Properties:",
        f'            Name: !Sub "${{AWS::StackName}}-{dashed}-poll"',
        f"            Description: {_scalar(deployment.poll)}",
        "            ScheduleExpression: rate(5 minutes)",
        '            FlexibleTimeWindow: {Mode: "OFF"}',
        "            Input: '{\"scheduledTime\": \"<aws.scheduler.scheduled-time>\"}'",
        "            RetryPolicy:",
        "              MaximumRetryAttempts: 2",
        "              MaximumEventAgeInSeconds: 300",
        "",
        *_function_errors_alarm(function, deployment.poll_failing, period=900, threshold="0"),
    ]


def _worker(connector: Connector, deployment: Deployment) -> list[str]:
    prefix, dashed, queue = _prefix(connector), connector.key.replace("_", "-"), connector.queue
    if connector.worker != f"{prefix}WorkerFunction":
        raise ValueError(f"the {connector.key} connector's worker must be named {prefix}WorkerFunction")
    integrations = ["        - DynamoDBReadPolicy: {TableName: !Ref IntegrationsTable}"]
    if deployment.writes_integrations:
        integrations = [*_comment(deployment.writes_integrations, 8),
                        "        - DynamoDBCrudPolicy: {TableName: !Ref IntegrationsTable}"]
    return [
        f"  {connector.worker}:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        f"      Description: {_scalar(deployment.worker)}",
        f"      CodeUri: functions/{connector.key}_worker/",
        "      Handler: app.handler",
        f"      Timeout: {deployment.timeout}",
        "      Environment:",
        "        Variables:",
        f"          POWERTOOLS_SERVICE_NAME: {dashed}-worker",
        *(f"          {name}: !Ref {parameter}" for name, parameter in deployment.environment.items()),
        "      Policies:",
        "        - DynamoDBReadPolicy: {TableName: !Ref TenantsTable}",
        *integrations,
        "        - DynamoDBCrudPolicy: {TableName: !Ref SyncTable}",
        "        - DynamoDBCrudPolicy: {TableName: !Ref CursorsTable}",
        "        - DynamoDBCrudPolicy: {TableName: !Ref IdempotencyTable}",
        "        - DynamoDBCrudPolicy: {TableName: !Ref RateBudgetTable}",
        f"        - SQSSendMessagePolicy: {{QueueName: !GetAtt {queue}.QueueName}}",
        "        - Statement:",
        "            - Effect: Allow",
        "              Action: [sqs:ChangeMessageVisibility, sqs:GetQueueUrl]",
        f"              Resource: !GetAtt {queue}.Arn",
        "        - KMSDecryptPolicy: {KeyId: !Ref CredentialsKey}",
        "      Events:",
        "        Work:",
        "          Type: SQS",
        "          Properties:",
        f"            Queue: !GetAtt {queue}.Arn",
        "            BatchSize: 10",
        "            MaximumBatchingWindowInSeconds: 1",
        "            FunctionResponseTypes: [ReportBatchItemFailures]",
        "            ScalingConfig:",
        *_comment(deployment.concurrency_reason, 14),
        f"              MaximumConcurrency: {deployment.concurrency}",
        "",
        *_function_errors_alarm(connector.worker, f"The {connector.title} worker is failing whole invocations (not "
                                "single items).", period=300, threshold="!If [IsProd, 0, 5]"),
    ]


def _queues(connector: Connector, deployment: Deployment) -> list[str]:
    queue, dead_letters = connector.queue, f"{_prefix(connector)}DeadLetterQueue"
    return [
        f"  {queue}:",
        "    Type: AWS::SQS::Queue",
        "    Properties:",
        f"      VisibilityTimeout: {6 * deployment.timeout}",
        "      MessageRetentionPeriod: 345600",
        "      SqsManagedSseEnabled: true",
        "      RedrivePolicy:",
        f"        deadLetterTargetArn: !GetAtt {dead_letters}.Arn",
        "        maxReceiveCount: 5",
        "",
        f"  {dead_letters}:",
        "    Type: AWS::SQS::Queue",
        "    Properties:",
        "      MessageRetentionPeriod: 1209600",
        "      SqsManagedSseEnabled: true",
        "",
        *_alarm(f"{dead_letters}Alarm", f"{connector.title} work items gave up. Read their sync logs, fix, then make "
                f"replay QUEUE={queue}.", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                f"{{Name: QueueName, Value: !GetAtt {dead_letters}.QueueName}}", "Maximum", 300, "0"),
    ]


def resources(connectors: Iterable[Connector]) -> list[str]:
    lines: list[str] = []
    for connector in connectors:
        deployment = _deployment(connector)
        lines += [f"  # {connector.title} ({connector.key}): integrations/{connector.key}/connector.py", ""]
        lines += _worker(connector, deployment) + _queues(connector, deployment)
        if connector.poller:
            lines += _poll_schedule(connector, deployment)
    return lines


def queue_variables(connectors: Iterable[Connector]) -> list[str]:
    return [f"        {c.queue_variable}: !Ref {c.queue}" for c in connectors]


def senders(connectors: Iterable[Connector]) -> list[str]:
    return [f"        - SQSSendMessagePolicy: {{QueueName: !GetAtt {c.queue}.QueueName}}" for c in connectors]


def outputs(connectors: Iterable[Connector]) -> list[str]:
    lines: list[str] = []
    for connector in connectors:
        for queue in (connector.queue, f"{_prefix(connector)}DeadLetterQueue"):
            lines += [f"  {queue}Url:", f"    Value: !Ref {queue}"]
    return lines


#: Each generated block: what it holds, written from the connectors that ship.
BLOCKS: dict[str, Callable[[list[Connector]], list[str]]] = {
    "connector queue variables": queue_variables,
    "the management API sends to every connector's queue": senders,
    "the router sends to every subscribing connector's queue": lambda cs: senders(c for c in cs if c.subscribes),
    "connector resources": resources,
    "connector outputs": outputs,
}

_MARK = re.compile(r"^(?P<indent> *)# (?P<edge>>>>|<<<) generated: (?P<block>[^(]+?)(?: \(.*\))?$")


def regenerate(text: str, connectors: list[Connector] | None = None) -> str:
    """``text`` (template.yaml) with every generated block written anew; everything else as it was."""
    chosen = connectors if connectors is not None else [c for c in shipped().values() if c.available]
    out: list[str] = []
    open_block: str | None = None
    found: set[str] = set()
    for line in text.splitlines():
        mark = _MARK.match(line)
        if mark and mark["edge"] == ">>>":
            block = mark["block"]
            if block not in BLOCKS:
                raise ValueError(f"template.yaml names a generated block {block!r} that {GENERATOR} doesn't write")
            out += [f"{mark['indent']}# >>> generated: {block} ({GENERATOR})",
                    *BLOCKS[block](chosen)]
            open_block = block
            found.add(block)
        elif mark and mark["edge"] == "<<<":
            if mark["block"] != open_block:
                raise ValueError(f"template.yaml closes {mark['block']!r} while {open_block!r} is open")
            out.append(line)
            open_block = None
        elif open_block is None:
            out.append(line)
    if open_block is not None or found != set(BLOCKS):
        raise ValueError(f"template.yaml's generated blocks are not all there and closed: {sorted(found)}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether template.yaml is as generated")
    args = parser.parse_args(argv)
    text = TEMPLATE.read_text()
    generated = regenerate(text)
    if generated == text:
        print("template.yaml: the generated blocks are as the declarations say")
        return 0
    if args.check:
        print(f"template.yaml differs from its declarations: run {GENERATOR}")
        return 1
    Path(TEMPLATE).write_text(generated)
    print("template.yaml: generated blocks rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
