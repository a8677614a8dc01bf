"""CursorsTable: poll cursors, the newest source modified time fully processed, in UTC (``timeutil.utc_iso``)."""

from __future__ import annotations

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
        return item["position"]["S"] if item else None

    def advance(self, key: str, position: str) -> bool:
        """Move the cursor forward; a slower concurrent run never moves it back. Returns whether it moved."""
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name,
                Key={"cursorKey": {"S": key}},
                UpdateExpression="SET #position = :p, updatedAt = :now",
                ConditionExpression="attribute_not_exists(#position) OR #position < :p",
                ExpressionAttributeNames={"#position": "position"},
                ExpressionAttributeValues={":p": {"S": position}, ":now": {"S": utc_iso(utcnow())}},
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True
