"""What Lambda and its event sources do around our handlers, for tests and the local stack.

- :class:`LambdaContext` — the context object handlers and Powertools read;
- :func:`load_handler` — import a function's ``app.py`` as Lambda would (fresh copies for tests);
- :func:`http_event` — an API Gateway HTTP API (payload format 2.0) event, as the real service sends it;
- :class:`QueuePump` — an SQS event source mapping: receive in batches, invoke, delete what succeeded, leave
  ``batchItemFailures`` for redelivery (SQS itself moves them to the DLQ after ``maxReceiveCount`` receives).
"""

from __future__ import annotations

import base64
import gc
import hashlib
import importlib.util
import json
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from .resources import ROOT, FunctionSpec, Schedule

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    function_name: str = "local-function"
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 30
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:ap-southeast-2:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


def load_handler(spec: FunctionSpec, *, fresh: bool = False) -> Handler:
    """Import ``CodeUri/app.py`` under a unique module name (every function's module is called ``app``)."""
    path = ROOT / spec.code_uri / (spec.handler.rsplit(".", 1)[0] + ".py")
    name = f"lambda_{spec.logical_id}" + (f"_{uuid.uuid4().hex[:8]}" if fresh else "")
    if not fresh and name in sys.modules:
        return getattr(sys.modules[name], spec.attribute)  # type: ignore[no-any-return]
    module_spec = importlib.util.spec_from_file_location(name, path)
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    finally:
        # The app's init paused the collector and then froze every object of the process out of its reach
        # (integrations.core.coldstart): right for a Lambda sandbox, which is that one function's process. Here
        # functions and tests share a process whose own objects must stay collectable, even if init failed.
        gc.unfreeze()
        gc.enable()
    return getattr(module, spec.attribute)  # type: ignore[no-any-return]


def invoke(handler: Handler, event: dict[str, Any], spec: FunctionSpec) -> Any:
    return handler(event, LambdaContext(function_name=spec.logical_id, timeout_seconds=spec.timeout))


def route_template_matches(template: str, path: str) -> dict[str, str] | None:
    """Match ``/wms/{tenantId}/notifications`` against a concrete path; returns the path parameters."""
    want, got = template.strip("/").split("/"), path.strip("/").split("/")
    if len(want) != len(got):
        if want and want[-1].endswith("+}") and len(got) >= len(want):
            got = got[: len(want) - 1] + ["/".join(got[len(want) - 1 :])]
        else:
            return None
    params = {}
    for pattern, part in zip(want, got, strict=True):
        if pattern.startswith("{") and pattern.endswith("}"):
            if not part:
                return None
            params[pattern[1:-1].rstrip("+")] = part
        elif pattern != part:
            return None
    return params


def http_event(
    method: str,
    path: str,
    *,
    route: str,
    path_parameters: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    query: str = "",
    body: bytes = b"",
    stage: str = "$default",
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An HTTP API payload-v2 event. Text bodies are sent as text, anything else base64 (as API Gateway does)."""
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    content_type = lowered.get("content-type", "")
    textual = content_type.startswith(("application/json", "text/", "application/x-www-form-urlencoded",
                                       "application/problem+json")) or not body
    try:
        text = body.decode("utf-8") if textual else None
    except UnicodeDecodeError:
        text = None
    now = time.time()
    # With a named stage API Gateway keeps the stage in rawPath (/dev/wms/…); Powertools strips it again.
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method.upper()} {route}",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": lowered,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "domainPrefix": "local",
            "http": {"method": method.upper(), "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": lowered.get("user-agent", "")},
            "requestId": uuid.uuid4().hex,
            "routeKey": f"{method.upper()} {route}",
            "stage": stage,
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": text is None,
    }
    if query:
        params: dict[str, list[str]] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            params.setdefault(key, []).append(value)
        event["queryStringParameters"] = {key: ",".join(values) for key, values in params.items()}
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if body:
        event["body"] = text if text is not None else base64.b64encode(body).decode("ascii")
    if "cookie" in lowered:
        event["cookies"] = [c.strip() for c in lowered["cookie"].split(";")]
    return event


def scheduler_input(schedule: Schedule, *, scheduled_at: datetime | None = None, attempt: int = 1) -> dict[str, Any]:
    """The event EventBridge Scheduler sends: the schedule's Input with its context placeholders filled in."""
    moment = (scheduled_at or datetime.now(UTC)).replace(microsecond=0)
    text = schedule.input or "{}"
    for placeholder, value in {
        "<aws.scheduler.scheduled-time>": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<aws.scheduler.execution-id>": str(uuid.uuid4()),
        "<aws.scheduler.attempt-number>": str(attempt),
        "<aws.scheduler.schedule-arn>":
            f"arn:aws:scheduler:ap-southeast-2:123456789012:schedule/default/{schedule.name}",
    }.items():
        text = text.replace(placeholder, value)
    return json.loads(text)  # type: ignore[no-any-return]


@dataclass
class PumpResult:
    received: int = 0
    failed: int = 0


class QueuePump:
    """One SQS event source mapping. ``fast_retry`` makes failed items visible again at once (tests fast-forward
    the backoff instead of waiting for it; SQS still counts every receive toward the DLQ); otherwise the worker's
    own backoff applies (the local stack's ``--fast-retry`` shortens that one: ``RETRY_DELAY_SECONDS``)."""

    def __init__(self, sqs: Any, queue_url: str, queue_arn: str, handler: Handler, spec: FunctionSpec, *,
                 batch_size: int = 10, fast_retry: bool = False) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.handler = handler
        self.spec = spec
        self.batch_size = batch_size
        self.fast_retry = fast_retry
        self.retry_visibility = 0 if fast_retry else None

    def pump_once(self, *, wait_seconds: int = 0) -> PumpResult:
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=self.spec.timeout * 6,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return PumpResult()
        event = {"Records": [self._record(message) for message in messages]}
        try:
            response = invoke(self.handler, event, self.spec) or {}
            failed_ids = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        except Exception:  # a whole-batch failure: every message returns to the queue
            failed_ids = {message["MessageId"] for message in messages}
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start:start + 10])])
        if self.retry_visibility is not None:
            for message in messages:
                if message["MessageId"] in failed_ids:
                    self.sqs.change_message_visibility(QueueUrl=self.queue_url,
                                                       ReceiptHandle=message["ReceiptHandle"],
                                                       VisibilityTimeout=self.retry_visibility)
        return PumpResult(received=len(messages), failed=len(failed_ids))

    def drain(self, *, max_rounds: int = 100) -> PumpResult:
        """Pump until a receive finds nothing (in-flight items with a backoff stay in flight)."""
        total = PumpResult()
        for _ in range(max_rounds):
            result = self.pump_once()
            if not result.received:
                break
            total.received += result.received
            total.failed += result.failed
        return total

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        attributes = message.get("Attributes", {})
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": {
                "ApproximateReceiveCount": attributes.get("ApproximateReceiveCount", "1"),
                "SentTimestamp": attributes.get("SentTimestamp", str(int(time.time() * 1000))),
                "SenderId": attributes.get("SenderId", "AIDLOCAL"),
                "ApproximateFirstReceiveTimestamp": attributes.get("ApproximateFirstReceiveTimestamp",
                                                                   str(int(time.time() * 1000))),
            },
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": hashlib.md5(message["Body"].encode(), usedforsecurity=False).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": "ap-southeast-2",
        }


def function_path(spec: FunctionSpec) -> Path:
    return ROOT / spec.code_uri
