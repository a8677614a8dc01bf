"""CursorsTable: poll cursors, the newest source modified time fully processed, in UTC (``timeutil.utc_iso``), and
when the poll last ran (``polledAt``: a poll that finds nothing moves no cursor, yet the console's health view must
say the safety net is running)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from .. import aws
from ..timeutil import utc_iso, utcnow
from .dynamo import is_condition_failure


class CursorStore:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def get(self, key: str) -> str | None:
        response = aws.dynamodb().get_item(
            TableName=self.table_name, Key={"cursorKey": {"S": key}}, ConsistentRead=True
        )
        item = response.get("Item")
        # A poll that never advanced the cursor leaves an item with only ``polledAt``.
        return item["position"]["S"] if item and "position" in item else None

    def advance(self, key: str, position: str) -> bool:
        """Move the cursor forward; a slower concurrent run never moves it back. Returns whether it moved. Only a
        poll moves a cursor, so this also notes the poll's run (no second write for a poll that finds something)."""
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name,
                Key={"cursorKey": {"S": key}},
                UpdateExpression="SET #position = :p, updatedAt = :now, polledAt = :now",
                ConditionExpression="attribute_not_exists(#position) OR #position < :p",
                ExpressionAttributeNames={"#position": "position"},
                ExpressionAttributeValues={":p": {"S": position}, ":now": {"S": utc_iso(utcnow())}},
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def mark_polled(self, key: str) -> None:
        """Note that a poll of ``key`` just completed without moving the cursor (the position is left alone)."""
        aws.dynamodb().update_item(
            TableName=self.table_name, Key={"cursorKey": {"S": key}}, UpdateExpression="SET polledAt = :now",
            ExpressionAttributeValues={":now": {"S": utc_iso(utcnow())}},
        )

    def read(self, key: str) -> dict[str, Any] | None:
        """The cursor item: ``position``, ``updatedAt`` (when it last moved) and ``polledAt``, as far as written."""
        response = aws.dynamodb().get_item(TableName=self.table_name, Key={"cursorKey": {"S": key}})
        item = response.get("Item")
        return {name: value["S"] for name, value in item.items() if "S" in value} if item else None
