"""Functional tests: our real handlers on moto (resources built from template.yaml) and the platform sandboxes.

``stack`` builds every table/queue/key of template.yaml in an in-process moto and points the process at it.
``service`` loads fresh copies of every function and offers the doors a test needs: ``http(...)`` routed as
template.yaml routes it, ``pump(queue)`` as the SQS event source mapping, ``schedule(function)`` as the Scheduler.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
import responses
from integrations.core import context
from integrations.core.records import WmsRef
from integrations.core.signing import sign_timestamped
from integrations.core.stores import Tenant
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from local.lambda_runtime import (
    QueuePump,
    http_event,
    invoke,
    load_handler,
    route_template_matches,
    scheduler_input,
)
from local.resources import Stack, create_stack
from local.sandboxes.base import RecordingSender
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.transports import install_responses

WMS_BASE = "https://api.cartoncloud.test"


_MOTO_WRITE_LOCK = threading.RLock()


def _atomic(method):
    def locked(*args, **kwargs):
        with _MOTO_WRITE_LOCK:
            return method(*args, **kwargs)

    return locked


#: What the functional tests' deployment is configured with as its public URL (PublicApiBaseUrl).
PUBLIC_API_BASE_URL = "https://integrations.test"


@pytest.fixture
def stack(monkeypatch) -> Stack:
    # DynamoDB applies each conditional write atomically, and a transaction all-or-nothing; moto checks then writes
    # without a lock (and rolls back a failed transaction by restoring a copy of the table). Concurrency tests need
    # the real guarantee, so the fake's writes are serialised — nothing else about moto changes.
    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
        if hasattr(DynamoDBBackend, name):
            monkeypatch.setattr(DynamoDBBackend, name, _atomic(getattr(DynamoDBBackend, name)))
    with mock_aws():
        built = create_stack(parameters={"PublicApiBaseUrl": PUBLIC_API_BASE_URL})
        for name, value in built.environment.items():
            monkeypatch.setenv(name, value)
        # The HTTP policy retries at once instead of after jittered sleeps (its pacing is unit-tested in
        # test_http_policy.py; the end-to-end storm runs with real waits).
        monkeypatch.setenv("HTTP_BACKOFF_BASE_SECONDS", "0")
        context.reset()
        yield built
        context.reset()


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


@contextlib.contextmanager
def function_environment(spec):
    """A function's own environment variables (template.yaml), set while it loads and runs, as Lambda gives them."""
    own = {name: value for name, value in spec.environment.items() if os.environ.get(name) != value}
    saved = {name: os.environ.get(name) for name in own}
    os.environ.update(own)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class Service:
    stack: Stack
    handlers: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sqs = boto3.client("sqs")
        self.dynamodb = boto3.client("dynamodb")
        for name, spec in self.stack.functions.items():
            with function_environment(spec):
                self.handlers[name] = load_handler(spec, fresh=True)

    def http(self, method: str, path: str, *, headers: dict[str, str | None] | None = None, body: bytes = b"",
             query: str = "") -> HttpResult:
        """The route's function answering a request; ``Content-Type`` is JSON unless given (``None`` sends a header
        not at all)."""
        given = {name.lower(): value for name, value in (headers or {}).items()}
        sent = {name: value for name, value in {"content-type": "application/json", **given}.items()
                if value is not None}
        for name, spec in self.stack.functions.items():
            for route in spec.routes:
                params = route_template_matches(route.path, path)
                if route.method == method.upper() and params is not None:
                    event = http_event(method, path, route=route.path, path_parameters=params,
                                       headers=sent, body=body,
                                       query=query)
                    with function_environment(spec):
                        result = invoke(self.handlers[name], event, spec)
                    return HttpResult(result["statusCode"], result.get("headers", {}), result.get("body", ""))
        raise AssertionError(f"template.yaml routes nothing to {method} {path}")

    def pump(self, queue: str, *, fast_retry: bool = True, rounds: int = 100) -> int:
        """Deliver ``queue``'s messages to the function template.yaml subscribes to it; returns how many ran."""
        for name, spec in self.stack.functions.items():
            for trigger in spec.queues:
                if trigger.queue == queue:
                    pump = QueuePump(self.sqs, self.stack.queues[queue], self.stack.queue_arns[queue],
                                     self.handlers[name], spec, batch_size=trigger.batch_size, fast_retry=fast_retry)
                    with function_environment(spec):
                        return pump.drain(max_rounds=rounds).received
        raise AssertionError(f"no function consumes {queue}")

    def schedule(self, function: str, event: dict[str, Any] | None = None) -> Any:
        spec = self.stack.functions[function]
        assert spec.schedules, f"{function} has no schedule in template.yaml"
        with function_environment(spec):
            return invoke(self.handlers[function], event or scheduler_input(spec.schedules[0]), spec)

    def messages(self, queue: str) -> list[dict[str, Any]]:
        """Peek at a queue's visible messages; they are made visible again at once, so they stay queued."""
        url = self.stack.queues[queue]
        seen: dict[str, dict[str, Any]] = {}
        handles = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            fresh = [m for m in batch if m["MessageId"] not in seen]
            handles += [m["ReceiptHandle"] for m in batch]
            seen.update({m["MessageId"]: json.loads(m["Body"]) for m in fresh})
            if not fresh:
                break
        for handle in handles:
            self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        return list(seen.values())

    def queue_depth(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.stack.queues[queue],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])

    def scan(self, table: str) -> list[dict[str, Any]]:
        from integrations.core.stores import from_item

        paginator = self.dynamodb.get_paginator("scan")
        return [from_item(i) for page in paginator.paginate(TableName=self.stack.tables[table]) for i in page["Items"]]


@pytest.fixture
def service(stack) -> Service:
    return Service(stack)


@pytest.fixture
def sent_notifications() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def wms(stack, sent_notifications):
    """The CartonCloud sandbox, reached in-process through ``responses`` (no sockets)."""
    # strict_numbers: the sandbox refuses quantities/amounts sent as strings, as a careful reading of the docs says.
    sandbox = CartonCloudSandbox(sender=sent_notifications, strict_numbers=True)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, sandbox, WMS_BASE)
        yield sandbox


@dataclass
class DemoTenant:
    tenant_id: str
    client_id: str
    client_secret: str
    notification_secret: str
    customer_id: str
    warehouse_id: str


@pytest.fixture
def tenant(stack, wms) -> DemoTenant:
    demo = DemoTenant(
        tenant_id=str(uuid.uuid4()),
        client_id="cc-client-" + uuid.uuid4().hex[:6],
        client_secret="cc-secret-" + uuid.uuid4().hex,
        notification_secret="notify-secret-" + uuid.uuid4().hex,
        customer_id="",
        warehouse_id="",
    )
    wms.add_tenant(demo.tenant_id, client_id=demo.client_id, client_secret=demo.client_secret,
                   notification_url=f"https://integrations.test/wms/{demo.tenant_id}/notifications",
                   notification_secret=demo.notification_secret)
    warehouse = wms.add_warehouse(demo.tenant_id, name="Brisbane DC")
    customer = wms.add_customer(demo.tenant_id, name="Steam Chef Store", warehouse_ids=[warehouse["id"]])
    demo.customer_id, demo.warehouse_id = customer["id"], warehouse["id"]
    wms.add_product(demo.tenant_id, customer_id=demo.customer_id, code="SKU-1", name="Steam Pot")
    seed_tenant(demo)
    return demo


def seed_tenant(demo: DemoTenant) -> None:
    shared = context.core()
    shared.tenants.put(Tenant(
        tenant_id=demo.tenant_id,
        name="Demo 3PL",
        wms_base_url=WMS_BASE,
        wms_credentials=shared.vault.seal({"clientId": demo.client_id, "clientSecret": demo.client_secret},
                                          tenant_id=demo.tenant_id),
        notification_secret=shared.vault.seal({"secret": demo.notification_secret}, tenant_id=demo.tenant_id),
    ))


def signed(secret: str, body: dict[str, Any] | bytes, *, at: int | None = None) -> tuple[dict[str, str], bytes]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = at if at is not None else int(time.time())
    return {"X-Notification-Timestamp": str(ts), "X-Notification-Signature": sign_timestamped(secret, ts, raw)}, raw


def log_of(key: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """A record's link and log entries as the API and the local stack show them (camelCase JSON)."""
    link, entries = context.core().sync_log.history(key)
    return (link.to_json() if link is not None else None), [entry.to_json() for entry in entries]


def wms_key(tenant_id: str, entity_type: str, entity_id: str) -> str:
    """The key of a WMS record's own log (notifications, observed states, routing)."""
    return WmsRef(tenant_id=tenant_id, entity_type=entity_type, entity_id=entity_id).key
