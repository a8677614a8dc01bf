"""DynamoDB item conversion shared by every store."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """Attribute values of a plain mapping; ``None`` values are left out (DynamoDB has no use for them)."""
    return {k: _serializer.serialize(_storable(v)) for k, v in values.items() if v is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _storable(value: Any) -> Any:
    """boto3 refuses floats: store them as Decimal (recursively)."""
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    return value


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; integral ones become int so JSON and models stay simple."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    return value


def is_condition_failure(exc: ClientError) -> bool:
    return exc.response["Error"]["Code"] == "ConditionalCheckFailedException"


def cancelled_by_condition(exc: ClientError) -> list[bool]:
    """For a cancelled ``TransactWriteItems``: per item, whether its condition failed (raises ``exc`` otherwise)."""
    if exc.response["Error"]["Code"] != "TransactionCanceledException":
        raise exc
    reasons = exc.response.get("CancellationReasons") or []
    return [reason.get("Code") == "ConditionalCheckFailed" for reason in reasons]
