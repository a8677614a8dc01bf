"""Lazily created, per-process AWS clients.

Clients are made on first use, not at import, so a cold start pays only for the clients it needs and tests can
swap the environment (moto, a local endpoint via ``AWS_ENDPOINT_URL``) before anything talks to AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_sqs import SQSClient

# Lambda talks to AWS inside the region; fail fast and let the queue retry rather than hang a batch.
_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})


#: Called with (service, operation) before every AWS request: metrics, and tests that count requests per order.
RequestListener = Callable[[str, str], None]
_listeners: list[RequestListener] = []


def add_request_listener(listener: RequestListener) -> None:
    _listeners.append(listener)


def remove_request_listener(listener: RequestListener) -> None:
    _listeners.remove(listener)


def _notify(model: Any, **_: Any) -> None:
    for listener in list(_listeners):
        listener(model.service_model.service_name, model.name)


@cache
def _session() -> boto3.session.Session:
    # One session per process: it caches botocore's parsed service models (large JSON files), so re-creating
    # clients after reset() (new endpoint or credentials) doesn't parse them again.
    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    made = _session().client(service, config=_CONFIG)  # type: ignore[call-overload]
    made.meta.events.register("before-call", _notify)
    return made


def dynamodb() -> DynamoDBClient:
    return client("dynamodb")  # type: ignore[no-any-return]


def sqs() -> SQSClient:
    return client("sqs")  # type: ignore[no-any-return]


def kms() -> KMSClient:
    return client("kms")  # type: ignore[no-any-return]


def ses() -> Any:
    """Amazon SES v1 (alert mails). ``Any``: no mypy-boto3-ses stubs are pinned; the one call is
    ``send_templated_email`` (core/alerts/mail.py)."""
    return client("ses")


def reset() -> None:
    """Forget every client (tests and the local stack call this after pointing the process elsewhere)."""
    client.cache_clear()
