"""template.yaml → AWS resources on whatever endpoint boto3 points at (moto in-process or moto's server).

One source of truth: the tables, queues, keys, function environments, routes and schedules that the tests and the
local stack use are read from template.yaml, never kept as a second copy. Physical names are the logical ids
(with an optional prefix), which is also how the template's ``!Ref``/``!GetAtt`` are resolved here.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (!Ref, !GetAtt, !Sub…) into their long form."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    with path.open() as handle:
        return yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass


@dataclass(frozen=True)
class HttpRoute:
    method: str
    path: str


@dataclass(frozen=True)
class Schedule:
    name: str
    expression: str
    input: str | None


@dataclass(frozen=True)
class QueueTrigger:
    queue: str
    batch_size: int
    report_batch_item_failures: bool


@dataclass
class FunctionSpec:
    logical_id: str
    code_uri: str
    handler: str
    timeout: int
    environment: dict[str, str]
    routes: list[HttpRoute] = field(default_factory=list)
    queues: list[QueueTrigger] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)

    @property
    def module(self) -> str:
        """The handler's module path importable from the repo root, e.g. ``functions.wms_worker.app``."""
        folder = self.code_uri.strip("/").replace("/", ".")
        return f"{folder}.{self.handler.rsplit('.', 1)[0]}"

    @property
    def attribute(self) -> str:
        return self.handler.rsplit(".", 1)[1]


@dataclass
class Stack:
    template: dict[str, Any]
    prefix: str = ""
    tables: dict[str, str] = field(default_factory=dict)
    queues: dict[str, str] = field(default_factory=dict)
    queue_arns: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    #: AWS::SES::Template logical id -> its name (what ``!Ref`` gives).
    mail_templates: dict[str, str] = field(default_factory=dict)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def environment(self) -> dict[str, str]:
        """The Globals environment every function gets, resolved against the created resources."""
        variables = self.template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
        return {name: self.resolve(value) for name, value in variables.items()}

    def resolve(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and "Ref" in value:
            ref = value["Ref"]
            for mapping in (self.tables, self.queues, self.keys, self.mail_templates):
                if ref in mapping:
                    return mapping[ref]
            if ref in self.parameters:
                return self.parameters[ref]
            parameter = self.template.get("Parameters", {}).get(ref)
            if parameter is not None:
                return str(parameter.get("Default", ""))
            return {"AWS::Region": "ap-southeast-2", "AWS::StackName": "local"}.get(ref, ref)
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            logical, attribute = value["Fn::GetAtt"]
            if attribute == "Arn" and logical in self.queue_arns:
                return self.queue_arns[logical]
            if attribute == "QueueName":
                return self.prefix + logical
        raise ValueError(f"cannot resolve {value!r} locally")


@functools.cache
def _session() -> boto3.session.Session:
    """Reused so botocore parses each service model once per process, not once per stack. Made on first use, not at
    import: a session copies botocore's handlers when it is made, and moto's (tests) must be among them."""
    return boto3.session.Session()


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def create_stack(*, prefix: str = "", template: dict[str, Any] | None = None, session: boto3.Session | None = None,
                 parameters: dict[str, str] | None = None) -> Stack:
    """Create every table, queue and key of the template; describe every function. Returns the resolved stack.
    ``parameters`` are the template parameters' values, as ``sam deploy --parameter-overrides`` gives them (the
    others take their defaults)."""
    template = template or load_template()
    session = session or _session()
    stack = Stack(template=template, prefix=prefix, parameters=dict(parameters or {}))
    dynamodb, sqs, kms = session.client("dynamodb"), session.client("sqs"), session.client("kms")

    for logical, resource in _resources(template, "AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        name = prefix + logical
        args: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        dynamodb.create_table(**args)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        stack.tables[logical] = name

    queues = _resources(template, "AWS::SQS::Queue")
    for logical, resource in queues.items():
        props = resource.get("Properties", {})
        attributes = {key: str(props[key]) for key in ("VisibilityTimeout", "MessageRetentionPeriod") if key in props}
        url = sqs.create_queue(QueueName=prefix + logical, Attributes=attributes)["QueueUrl"]
        stack.queues[logical] = url
        stack.queue_arns[logical] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
    for logical, resource in queues.items():
        redrive = resource.get("Properties", {}).get("RedrivePolicy")
        if redrive:
            policy = {"deadLetterTargetArn": stack.resolve(redrive["deadLetterTargetArn"]),
                      "maxReceiveCount": int(redrive["maxReceiveCount"])}
            sqs.set_queue_attributes(QueueUrl=stack.queues[logical], Attributes={"RedrivePolicy": json.dumps(policy)})

    for logical, resource in _resources(template, "AWS::KMS::Key").items():
        description = resource["Properties"].get("Description", logical)
        stack.keys[logical] = kms.create_key(Description=description)["KeyMetadata"]["KeyId"]

    _create_mail(stack, session)

    globals_ = template.get("Globals", {}).get("Function", {})
    for logical, resource in _resources(template, "AWS::Serverless::Function").items():
        props = resource["Properties"]
        env = dict(stack.environment)
        env.update({k: stack.resolve(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()})
        spec = FunctionSpec(logical, props["CodeUri"], props["Handler"],
                            int(props.get("Timeout", globals_.get("Timeout", 3))), env)
        for event in props.get("Events", {}).values():
            event_props = event.get("Properties", {})
            if event["Type"] in ("HttpApi", "Api"):
                spec.routes.append(HttpRoute(event_props["Method"].upper(), event_props["Path"]))
            elif event["Type"] == "SQS":
                queue_logical = event_props["Queue"]["Fn::GetAtt"][0]
                spec.queues.append(QueueTrigger(queue_logical, int(event_props.get("BatchSize", 10)),
                                                "ReportBatchItemFailures" in event_props.get(
                                                    "FunctionResponseTypes", [])))
            elif event["Type"] == "ScheduleV2":
                name = event_props.get("Name")
                spec.schedules.append(Schedule(logical if not isinstance(name, str) else name,
                                               event_props["ScheduleExpression"], event_props.get("Input")))
        stack.functions[logical] = spec
    return stack


def _create_mail(stack: Stack, session: boto3.Session) -> None:
    """The mail templates (named after their logical ids, like every resource here), and the alert mail sender's
    identity verified when the stack is given one (``AlertMailSender``): moto's SES refuses unverified senders, as
    SES does."""
    ses = session.client("ses")
    for logical, resource in _resources(stack.template, "AWS::SES::Template").items():
        parts = resource["Properties"]["Template"]
        name = stack.prefix + logical
        ses.create_template(Template={"TemplateName": name, "SubjectPart": parts["SubjectPart"],
                                      **{part: parts[part] for part in ("TextPart", "HtmlPart") if part in parts}})
        stack.mail_templates[logical] = name
    sender = stack.parameters.get("AlertMailSender")
    if sender:
        ses.verify_email_identity(EmailAddress=sender)


def queue_max_receive_count(stack: Stack, queue_logical: str) -> int | None:
    redrive = stack.template["Resources"][queue_logical].get("Properties", {}).get("RedrivePolicy")
    return int(redrive["maxReceiveCount"]) if redrive else None


def dead_letter_queue_of(stack: Stack, queue_logical: str) -> str | None:
    redrive = stack.template["Resources"][queue_logical].get("Properties", {}).get("RedrivePolicy")
    return redrive["deadLetterTargetArn"]["Fn::GetAtt"][0] if redrive else None
