"""Customer matches (R1): which Rose Rocket customer is which WMS customer (by UUID), kept in SyncTable.

An import replaces the integration's whole match set at once, however many rows it has: the new set is written as a
fresh *generation* of items, then one conditional write moves the ``CURRENT`` pointer to it (a concurrent import
loses that write and is told to upload again), then the old generation is deleted. A reader follows the pointer, so
it sees the old set or the new one, never half of an import.

Items (SyncTable; none carries ``scope``, so no record list shows them):

- ``{integration}#rose_rocket#customer-matches`` / ``CURRENT``: ``generation``, ``count``, ``importedAt``,
  ``importedBy``;
- ``{integration}#rose_rocket#customer-matches#{generation}`` / ``WMS#{uuid}`` (the Rose Rocket customer) and
  ``RR#{id}`` (the WMS UUID): one lookup either way;
- ``{integration}#rose_rocket#waiting-for-match#{side}:{customer}`` / ``{record key}``: records that failed for want
  of that customer's match, re-checked when it arrives (kept 400 days like the sync log).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from botocore.exceptions import ClientError

from ..core import aws
from ..core.context import core
from ..core.errors import PermanentError
from ..core.stores.dynamo import from_item, is_condition_failure, to_item
from ..core.timeutil import utc_iso, utcnow
from . import PLATFORM

CURRENT: Final = "CURRENT"
WAIT_TTL = timedelta(days=400)
WMS_SIDE, ROSE_ROCKET_SIDE = "wms", "rose_rocket"


class MatchesChanged(PermanentError):
    """Another import was applied between reading the matches and writing these."""

    http_status = 409
    http_title = "Matches changed meanwhile"
    http_field = "body"

    resolution = "Another import was applied a moment ago: download the matches again and upload your file again."


@dataclass(frozen=True)
class Match:
    wms_customer_id: str
    wms_name: str
    rose_rocket_id: str
    rose_rocket_full_id: str
    rose_rocket_name: str

    def to_json(self) -> dict[str, str]:
        return {"wmsCustomerId": self.wms_customer_id, "wmsName": self.wms_name,
                "roseRocketCustomerId": self.rose_rocket_id, "roseRocketFullId": self.rose_rocket_full_id,
                "roseRocketName": self.rose_rocket_name}


@dataclass(frozen=True)
class Generation:
    generation: str
    count: int
    imported_at: str
    imported_by: str


class MatchStore:
    def __init__(self, integration_id: str) -> None:
        self.integration_id = integration_id
        self.table = core().settings.sync_table
        self.pointer_key = f"{integration_id}#{PLATFORM}#customer-matches"

    def _set_key(self, generation: str) -> str:
        return f"{self.pointer_key}#{generation}"

    # --- reads ----------------------------------------------------------------------------------------------------

    def current(self) -> Generation | None:
        item = aws.dynamodb().get_item(TableName=self.table, ConsistentRead=True,
                                       Key={"pk": {"S": self.pointer_key}, "sk": {"S": CURRENT}}).get("Item")
        if not item:
            return None
        values = from_item(item)
        return Generation(str(values["generation"]), int(values.get("count", 0)), str(values.get("importedAt", "")),
                          str(values.get("importedBy", "")))

    def for_wms(self, wms_customer_id: str) -> Match | None:
        return self._lookup(f"WMS#{wms_customer_id}")

    def for_rose_rocket(self, rose_rocket_id: str) -> Match | None:
        return self._lookup(f"RR#{rose_rocket_id}")

    def _lookup(self, sk: str) -> Match | None:
        current = self.current()
        if current is None:
            return None
        item = aws.dynamodb().get_item(TableName=self.table, ConsistentRead=True,
                                       Key={"pk": {"S": self._set_key(current.generation)}, "sk": {"S": sk}}
                                       ).get("Item")
        return _match(from_item(item)) if item else None

    def all(self) -> list[Match]:
        current = self.current()
        return [] if current is None else list(self._items(current.generation))

    def _items(self, generation: str) -> Iterator[Match]:
        paginator = aws.dynamodb().get_paginator("query")
        for page in paginator.paginate(TableName=self.table, ConsistentRead=True,
                                       KeyConditionExpression="pk = :pk AND begins_with(sk, :wms)",
                                       ExpressionAttributeValues={":pk": {"S": self._set_key(generation)},
                                                                  ":wms": {"S": "WMS#"}}):
            for item in page["Items"]:
                yield _match(from_item(item))

    # --- writes ---------------------------------------------------------------------------------------------------

    def replace(self, matches: list[Match], *, previous: Generation | None, by: str) -> Generation:
        """Make ``matches`` the whole set, atomically for readers; :class:`MatchesChanged` if ``previous`` is no
        longer the current set."""
        generation = Generation(uuid.uuid4().hex[:12], len(matches), utc_iso(utcnow()), by)
        key = self._set_key(generation.generation)
        items = []
        for match in matches:
            values = {"wmsCustomerId": match.wms_customer_id, "wmsName": match.wms_name,
                      "roseRocketCustomerId": match.rose_rocket_id, "roseRocketFullId": match.rose_rocket_full_id,
                      "roseRocketName": match.rose_rocket_name}
            items += [{"pk": key, "sk": f"WMS#{match.wms_customer_id}", **values},
                      {"pk": key, "sk": f"RR#{match.rose_rocket_id}", **values}]
        self._batch([{"PutRequest": {"Item": to_item(item)}} for item in items])
        pointer: dict[str, Any] = {
            "TableName": self.table,
            "Item": to_item({"pk": self.pointer_key, "sk": CURRENT, "generation": generation.generation,
                             "count": generation.count, "importedAt": generation.imported_at,
                             "importedBy": generation.imported_by}),
            "ConditionExpression": "attribute_not_exists(pk)" if previous is None else "generation = :previous"}
        if previous is not None:
            pointer["ExpressionAttributeValues"] = {":previous": {"S": previous.generation}}
        try:
            aws.dynamodb().put_item(**pointer)
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise
            self._delete_generation(generation.generation)
            raise MatchesChanged("The customer matches changed while this import was being applied") from None
        if previous is not None:
            self._delete_generation(previous.generation)
        return generation

    def _delete_generation(self, generation: str) -> None:
        keys = []
        paginator = aws.dynamodb().get_paginator("query")
        for page in paginator.paginate(TableName=self.table, KeyConditionExpression="pk = :pk",
                                       ExpressionAttributeValues={":pk": {"S": self._set_key(generation)}},
                                       ProjectionExpression="pk, sk"):
            keys += [{"DeleteRequest": {"Key": item}} for item in page["Items"]]
        self._batch(keys)

    def _batch(self, requests: list[dict[str, Any]]) -> None:
        for start in range(0, len(requests), 25):
            pending: dict[str, Any] = {self.table: requests[start:start + 25]}
            while pending:
                pending = aws.dynamodb().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    # --- records waiting for a match ----------------------------------------------------------------------------

    def _waiting_key(self, side: str, customer_id: str) -> str:
        return f"{self.integration_id}#{PLATFORM}#waiting-for-match#{side}:{customer_id}"

    def wait(self, side: str, customer_id: str, record_key: str) -> None:
        now = utcnow()
        aws.dynamodb().put_item(TableName=self.table, Item=to_item({
            "pk": self._waiting_key(side, customer_id), "sk": record_key, "since": utc_iso(now),
            "expiresAt": int((now + WAIT_TTL).timestamp())}))

    def waiting(self, side: str, customer_id: str) -> list[str]:
        found: list[str] = []
        paginator = aws.dynamodb().get_paginator("query")
        for page in paginator.paginate(TableName=self.table, KeyConditionExpression="pk = :pk",
                                       ExpressionAttributeValues={":pk": {"S": self._waiting_key(side,
                                                                                                 customer_id)}}):
            found += [item["sk"]["S"] for item in page["Items"]]
        return found

    def done_waiting(self, side: str, customer_id: str, record_key: str) -> None:
        aws.dynamodb().delete_item(TableName=self.table, Key={"pk": {"S": self._waiting_key(side, customer_id)},
                                                              "sk": {"S": record_key}})


def _match(values: dict[str, Any]) -> Match:
    return Match(str(values["wmsCustomerId"]), str(values.get("wmsName", "")), str(values["roseRocketCustomerId"]),
                 str(values.get("roseRocketFullId", "")), str(values.get("roseRocketName", "")))
