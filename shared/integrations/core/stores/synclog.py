"""Sync-log entries in SyncTable: ``pk`` = the record's key, ``sk = LOG#{utc iso}#{random}``, kept 400 days.

One query of a record's partition renders its whole story: the link (``sk = LINK``, which sorts first) and its
entries in time order.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

from .. import aws
from ..records import LogEntry, SyncLink
from ..timeutil import utc_iso, utcnow
from .dynamo import from_item, to_item

#: How long sync-log entries are kept: a year of history plus a quarter for audits (docs/architecture.md).
SYNC_LOG_RETENTION_SECONDS = 400 * 24 * 3600
LINK_SK = "LINK"


def link_from_item(values: Mapping[str, Any]) -> SyncLink | None:
    """The link an item holds; None for a pointer (``linkKey``) or an item without a link's identity."""
    if "linkKey" in values or "scope" not in values or "tenantId" not in values:
        return None
    return SyncLink.model_validate(values)


class DynamoSyncLog:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def append(self, key: str, event: str, message: str, *, error: str | None = None,
               resolution: str | None = None, attempt: int | None = None,
               details: Mapping[str, Any] | None = None, index_as: Mapping[str, str] | None = None) -> None:
        now = utcnow()
        aws.dynamodb().put_item(
            TableName=self.table_name,
            Item=to_item({
                "pk": key,
                "sk": f"LOG#{utc_iso(now)}#{secrets.token_hex(4)}",
                "event": event,
                "message": message,
                "error": error or None,
                "resolution": resolution or None,
                "attempt": attempt,
                "details": json.dumps(dict(details), default=str) if details else None,
                "at": utc_iso(now),
                "expiresAt": int(now.timestamp()) + SYNC_LOG_RETENTION_SECONDS,
                **(index_as or {}),
            }),
        )

    def history(self, key: str, *, limit: int = 200) -> tuple[SyncLink | None, list[LogEntry]]:
        response = aws.dynamodb().query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": key}},
            Limit=limit + 1,
        )
        link, entries = None, []
        for raw in response["Items"]:
            item = from_item(raw)
            if item["sk"] == LINK_SK:
                link = link_from_item(item)
            elif item["sk"].startswith("LOG#"):
                if isinstance(item.get("details"), str):
                    item["details"] = json.loads(item["details"])
                entries.append(LogEntry.model_validate(item))
        return link, entries
