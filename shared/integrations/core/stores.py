"""DynamoDB stores: tenants, sync links with their sync log, and poll cursors. Access patterns: docs/architecture.md."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from . import aws
from .errors import TenantNotFound
from .timeutil import utc_iso, utcnow

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

#: How long sync-log entries are kept: a year of history plus a quarter for audits (docs/architecture.md).
SYNC_LOG_RETENTION_SECONDS = 400 * 24 * 3600


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; integral ones become int so JSON and models stay simple."""
    from decimal import Decimal

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


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


# --- Tenants ----------------------------------------------------------------------------------------------------


class Tenant(CamelModel):
    tenant_id: str
    name: str = ""
    wms_base_url: str
    #: KMS ciphertext of ``{"clientId", "clientSecret"}`` (encryption context tenantId + integrationId=tenant).
    wms_credentials: str | None = None
    #: KMS ciphertext of ``{"secret"}``: the HMAC key of the WMS's change notifications.
    notification_secret: str | None = None
    weekly_price_cents: int = 1000
    self_managed_customer_ids: list[str] = Field(default_factory=list)


class TenantStore:
    """Tenants by id, cached per warm Lambda for ``ttl`` seconds (they change rarely; every item needs one)."""

    def __init__(self, table_name: str, *, ttl: float = 60.0) -> None:
        self.table_name = table_name
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Tenant]] = {}

    def get(self, tenant_id: str, *, fresh: bool = False) -> Tenant:
        """The tenant; ``fresh`` bypasses this Lambda's cache (e.g. when a just-rotated secret doesn't match)."""
        cached = self._cache.get(tenant_id)
        if cached and not fresh and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        response = aws.dynamodb().get_item(TableName=self.table_name, Key={"tenantId": {"S": tenant_id}})
        if "Item" not in response:
            raise TenantNotFound(f"Tenant {tenant_id} is not registered")
        tenant = Tenant.model_validate(from_item(response["Item"]))
        self._cache[tenant_id] = (time.monotonic(), tenant)
        return tenant

    def put(self, tenant: Tenant) -> None:
        aws.dynamodb().put_item(TableName=self.table_name, Item=to_item(tenant.model_dump(by_alias=True)))
        self._cache.pop(tenant.tenant_id, None)

    def update(self, tenant_id: str, values: Mapping[str, Any]) -> None:
        """Set only these attributes (camelCase names), creating the tenant if needed: attributes other features
        keep on the item, which the :class:`Tenant` model may not know, are left as they are."""
        if not values:
            return
        self._cache.pop(tenant_id, None)
        names = {f"#a{i}": name for i, name in enumerate(values)}
        aws.dynamodb().update_item(
            TableName=self.table_name,
            Key={"tenantId": {"S": tenant_id}},
            UpdateExpression="SET " + ", ".join(f"{alias} = :v{alias[2:]}" for alias in names),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_item({f":v{i}": value for i, value in enumerate(values.values())}),
        )
        self._cache.pop(tenant_id, None)

    def ids(self) -> Iterator[str]:
        """Every tenant id (a paginated scan of keys only; one item per 3PL)."""
        paginator = aws.dynamodb().get_paginator("scan")
        for page in paginator.paginate(TableName=self.table_name, ProjectionExpression="tenantId"):
            for item in page["Items"]:
                yield item["tenantId"]["S"]


# --- Sync links and the sync log -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRef:
    """A platform record under a scope (an integration, or ``tenant:{id}`` for the WMS's own records).

    Its ``key`` is the business key every idempotent effect is guarded by.
    """

    scope: str
    platform: str
    record_type: str
    record_id: str

    @classmethod
    def of_tenant(cls, tenant_id: str, platform: str, record_type: str, record_id: str) -> RecordRef:
        return cls(f"tenant:{tenant_id}", platform, record_type, record_id)

    @property
    def key(self) -> str:
        return f"{self.scope}#{self.platform}#{self.record_type}#{self.record_id}"


@dataclass(frozen=True)
class Observation:
    #: True when this call recorded a new state; False when the stored state is the same or newer.
    changed: bool
    #: The snapshot this call replaced (``changed``), if any.
    previous: dict[str, Any] | None
    #: The stored link that won (not ``changed``), as DynamoDB returned it with the failed condition.
    current: dict[str, Any] | None = None


@dataclass(frozen=True)
class Claim:
    """The outcome of :meth:`SyncLog.claim`."""

    #: True: this worker may create the WMS record now (and must :meth:`SyncLog.bind` or :meth:`SyncLog.release`).
    won: bool
    #: When refused: the link as stored (bound to a WMS record already, or claimed by a live worker).
    current: dict[str, Any] | None = None


class LinkStatus:
    SYNCED = "SYNCED"
    PENDING = "PENDING"
    RETRYING = "RETRYING"
    NEEDS_ATTENTION = "NEEDS_ATTENTION"
    SKIPPED = "SKIPPED"


class SyncLog:
    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def append(
        self,
        key: str,
        event: str,
        message: str,
        *,
        error: str | None = None,
        resolution: str | None = None,
        attempt: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Add one readable entry to a record's log."""
        now = utcnow()
        aws.dynamodb().put_item(
            TableName=self.table_name,
            Item=to_item(
                {
                    "pk": key,
                    "sk": f"LOG#{utc_iso(now)}#{secrets.token_hex(4)}",
                    "event": event,
                    "message": message,
                    "error": error,
                    "resolution": resolution,
                    "attempt": attempt,
                    "details": json.dumps(dict(details), default=str) if details else None,
                    "at": utc_iso(now),
                    "expiresAt": int(now.timestamp()) + SYNC_LOG_RETENTION_SECONDS,
                }
            ),
        )

    def link(self, key: str) -> dict[str, Any] | None:
        response = aws.dynamodb().get_item(
            TableName=self.table_name, Key={"pk": {"S": key}, "sk": {"S": "LINK"}}, ConsistentRead=True
        )
        return from_item(response["Item"]) if "Item" in response else None

    def history(self, key: str, *, limit: int = 200) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """The link and its log entries, oldest first: one query renders a record's whole story."""
        response = aws.dynamodb().query(
            TableName=self.table_name,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": key}},
            Limit=limit + 1,
        )
        link, entries = None, []
        for raw in response["Items"]:
            item = from_item(raw)
            if item["sk"] == "LINK":
                link = item
            else:
                entries.append(item)
        return link, entries

    def observe(
        self,
        ref: RecordRef,
        *,
        tenant_id: str,
        integration_id: str | None,
        fingerprint: str,
        snapshot: Mapping[str, Any],
        source_modified_at: str,
        wms_record_key: str | None = None,
    ) -> Observation:
        """Record the state just read from a platform, if it is new and not older than what we hold.

        One conditional write decides, so concurrent and out-of-order workers agree on a single change.
        """
        try:
            response = aws.dynamodb().update_item(
                TableName=self.table_name,
                Key={"pk": {"S": ref.key}, "sk": {"S": "LINK"}},
                UpdateExpression=(
                    # SET reads the item as it was before this update: previousSnapshot keeps the replaced state
                    # so a worker that recovers an unpublished change can still say what it changed from.
                    "SET previousSnapshot = if_not_exists(#snapshot, :none), fingerprint = :fp, #snapshot = :snapshot,"
                    " sourceModifiedAt = :modified, updatedAt = :now,"
                    " tenantId = :tenant, #scope = :scope, platform = :platform, recordType = :type,"
                    " recordId = :id, #status = :synced"
                    + (", integrationId = :integration" if integration_id else "")
                    + (", wmsRecordKey = :wms" if wms_record_key else "")
                ),
                ConditionExpression=(
                    "attribute_not_exists(fingerprint) OR (fingerprint <> :fp AND sourceModifiedAt <= :modified)"
                ),
                ExpressionAttributeNames={"#scope": "scope", "#status": "status", "#snapshot": "snapshot"},
                ExpressionAttributeValues=to_item(
                    {
                        ":fp": fingerprint,
                        ":snapshot": dict(snapshot),
                        ":none": {},
                        ":modified": source_modified_at,
                        ":now": utc_iso(utcnow()),
                        ":tenant": tenant_id,
                        ":scope": ref.scope,
                        ":platform": ref.platform,
                        ":type": ref.record_type,
                        ":id": ref.record_id,
                        ":synced": LinkStatus.SYNCED,
                        ":integration": integration_id,
                        ":wms": wms_record_key,
                    }
                ),
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                stored: Any = exc.response.get("Item")
                current = from_item(stored) if stored else self.link(ref.key)
                return Observation(changed=False, previous=None, current=current)
            raise
        old = from_item(response.get("Attributes", {}))
        return Observation(changed=True, previous=old.get("snapshot"))

    def set_status(
        self,
        key: str,
        status: str,
        *,
        error: str | None = None,
        resolution: str | None = None,
        attempts: int | None = None,
        work_item: str | None = None,
    ) -> None:
        """Set a link's status (creating the link if needed) with its last error and resolution."""
        values: dict[str, Any] = {
            ":status": status,
            ":now": utc_iso(utcnow()),
            ":error": error or "",
            ":resolution": resolution or "",
        }
        expression = "SET #status = :status, updatedAt = :now, lastError = :error, resolution = :resolution"
        if attempts is not None:
            expression += ", attempts = :attempts"
            values[":attempts"] = attempts
        if work_item is not None:
            expression += ", lastWorkItem = :item"
            values[":item"] = work_item
        aws.dynamodb().update_item(
            TableName=self.table_name,
            Key={"pk": {"S": key}, "sk": {"S": "LINK"}},
            UpdateExpression=expression,
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=to_item(values),
        )

    def mark_published(self, key: str, fingerprint: str) -> None:
        """Note that the change with ``fingerprint`` reached its subscribers' queue (see cartoncloud.status)."""
        aws.dynamodb().update_item(
            TableName=self.table_name,
            Key={"pk": {"S": key}, "sk": {"S": "LINK"}},
            UpdateExpression="SET publishedFingerprint = :fp",
            ExpressionAttributeValues={":fp": {"S": fingerprint}},
        )

    def links_to_wms_record(self, wms_record_key: str) -> list[dict[str, Any]]:
        """Every platform record bound to one WMS record (GSI ``byWmsRecord``)."""
        paginator = aws.dynamodb().get_paginator("query")
        links: list[dict[str, Any]] = []
        for page in paginator.paginate(
            TableName=self.table_name,
            IndexName="byWmsRecord",
            KeyConditionExpression="wmsRecordKey = :key",
            ExpressionAttributeValues={":key": {"S": wms_record_key}},
        ):
            links.extend(from_item(item) for item in page["Items"])
        return links

    # --- creating a WMS record for a platform record exactly once (claim → create → bind) -------------------------

    def claim(self, ref: RecordRef, *, token: str, tenant_id: str, integration_id: str | None,
              stale_before: str) -> Claim:
        """Take the right to create this record's WMS counterpart, with one conditional write: of any number of
        concurrent workers exactly one wins. Refused while the link is bound to a WMS record (``wmsRecordKey``), or
        claimed by another worker at or after ``stale_before`` (UTC ISO; a worker that died mid-create leaves a
        claim that goes stale, and the WMS's duplicate check on the business reference makes taking it over safe).
        """
        now = utc_iso(utcnow())
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name,
                Key={"pk": {"S": ref.key}, "sk": {"S": "LINK"}},
                UpdateExpression=(
                    "SET claimToken = :token, claimedAt = :now, #status = :pending, updatedAt = :now,"
                    " tenantId = :tenant, #scope = :scope, platform = :platform, recordType = :type, recordId = :id"
                    + (", integrationId = :integration" if integration_id else "")
                ),
                ConditionExpression=(
                    "attribute_not_exists(wmsRecordKey) AND (attribute_not_exists(claimedAt) OR claimedAt < :stale)"
                ),
                ExpressionAttributeNames={"#scope": "scope", "#status": "status"},
                ExpressionAttributeValues=to_item({
                    ":token": token, ":now": now, ":pending": LinkStatus.PENDING, ":tenant": tenant_id,
                    ":scope": ref.scope, ":platform": ref.platform, ":type": ref.record_type, ":id": ref.record_id,
                    ":integration": integration_id, ":stale": stale_before,
                }),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                stored: Any = exc.response.get("Item")
                return Claim(won=False, current=from_item(stored) if stored else self.link(ref.key))
            raise
        return Claim(won=True)

    def bind(self, key: str, *, token: str, wms_record_key: str, fingerprint: str, snapshot: Mapping[str, Any],
             source_modified_at: str, status: str = LinkStatus.SYNCED, error: str | None = None,
             resolution: str | None = None, extra: Mapping[str, Any] | None = None) -> bool:
        """Bind a claimed link to its WMS record and drop the claim. False when another worker bound it first
        (this worker's claim went stale and was taken over)."""
        values: dict[str, Any] = {
            ":token": token, ":wms": wms_record_key, ":fp": fingerprint, ":snapshot": dict(snapshot),
            ":modified": source_modified_at, ":status": status, ":now": utc_iso(utcnow()),
            ":error": error or "", ":resolution": resolution or "",
        }
        expression = ("SET wmsRecordKey = :wms, fingerprint = :fp, #snapshot = :snapshot,"
                      " sourceModifiedAt = :modified, #status = :status, updatedAt = :now, lastError = :error,"
                      " resolution = :resolution")
        for index, (name, value) in enumerate((extra or {}).items()):
            expression += f", {name} = :extra{index}"
            values[f":extra{index}"] = value
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name,
                Key={"pk": {"S": key}, "sk": {"S": "LINK"}},
                UpdateExpression=expression + " REMOVE claimToken, claimedAt",
                ConditionExpression="claimToken = :token OR attribute_not_exists(wmsRecordKey)",
                ExpressionAttributeNames={"#status": "status", "#snapshot": "snapshot"},
                ExpressionAttributeValues=to_item(values),
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True

    def release(self, key: str, token: str) -> None:
        """Give a claim back (the create failed); a claim already taken over is left alone."""
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name,
                Key={"pk": {"S": key}, "sk": {"S": "LINK"}},
                UpdateExpression="REMOVE claimToken, claimedAt",
                ConditionExpression="claimToken = :token",
                ExpressionAttributeValues={":token": {"S": token}},
            )
        except ClientError as exc:
            if not is_condition_failure(exc):
                raise

    def mark(self, ref: RecordRef, status: str, *, tenant_id: str, integration_id: str | None,
             error: str | None = None, resolution: str | None = None, work_item: str | None = None) -> None:
        """:meth:`set_status` that also writes the link's identity, so a link first written by a skip or a failure
        still shows in its integration's list (GSI ``byScope``)."""
        values: dict[str, Any] = {
            ":status": status, ":now": utc_iso(utcnow()), ":error": error or "", ":resolution": resolution or "",
            ":tenant": tenant_id, ":scope": ref.scope, ":platform": ref.platform, ":type": ref.record_type,
            ":id": ref.record_id, ":integration": integration_id, ":item": work_item,
        }
        aws.dynamodb().update_item(
            TableName=self.table_name,
            Key={"pk": {"S": ref.key}, "sk": {"S": "LINK"}},
            UpdateExpression=(
                "SET #status = :status, updatedAt = :now, lastError = :error, resolution = :resolution,"
                " tenantId = :tenant, #scope = :scope, platform = :platform, recordType = :type, recordId = :id"
                + (", integrationId = :integration" if integration_id else "")
                + (", lastWorkItem = :item" if work_item else "")
            ),
            ExpressionAttributeNames={"#status": "status", "#scope": "scope"},
            ExpressionAttributeValues=to_item(values),
        )

    def set_once(self, key: str, name: str, value: Any) -> bool:
        """Set one link attribute unless it already holds ``value``; True when it changed (say it once in the log)."""
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name,
                Key={"pk": {"S": key}, "sk": {"S": "LINK"}},
                UpdateExpression="SET #name = :value",
                ConditionExpression="attribute_not_exists(#name) OR #name <> :value",
                ExpressionAttributeNames={"#name": name},
                ExpressionAttributeValues=to_item({":value": value}),
            )
        except ClientError as exc:
            if is_condition_failure(exc):
                return False
            raise
        return True


# --- Poll cursors -------------------------------------------------------------------------------------------------


class CursorStore:
    """Poll cursors: the newest source modified time fully processed, in UTC (``timeutil.utc_iso``)."""

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
