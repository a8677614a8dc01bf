"""Integrations, their per-customer name guards, and the live-period index billing reads.

Access patterns (docs/architecture.md):

- IntegrationsTable ``integrationId`` → one integration (``customerKey`` and, while live, ``liveType`` feed the
  ``byTenantCustomer`` and ``byLiveType`` indexes). A second kind of item, ``integrationId = NAME#{tenant}#
  {customer}#{name}``, reserves a name per customer; it carries neither index attribute, so no index sees it.
  A tenant-level integration (no customer) stands where the customer id would as ``TENANT``: ``customerKey`` is
  ``TENANT#{integrationId}`` (one query lists a tenant's tenant-level integrations), its name and account guards
  are per tenant.
- LivePeriodsTable ``tenantId`` + ``periodKey``: ``OPEN#{start}#{integrationId}`` while an integration is live,
  and one ``WEEK#{isoWeek}#{integrationId}`` per week a closed period touched. The billing run for week W queries
  ``OPEN#`` up to W's end and ``WEEK#W#``: exactly the integrations live in W, never a scan.

Every write of an integration is conditional on its ``version``, in one transaction with the guard and index items
it changes, so a rename can't take a name twice and a status change can't leave the index behind.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

from botocore.exceptions import ClientError

from .. import aws
from ..errors import PermanentError, RetryableError
from ..integration_record import Integration, IntegrationStatus, LivePeriod
from ..timeutil import utc_iso
from ..weeks import IsoWeek, weeks_touched
from .dynamo import cancelled_by_condition, from_item, to_item

NAME_PREFIX: Final = "NAME#"
ACCOUNT_PREFIX: Final = "ACCOUNT#"
OPEN_PREFIX: Final = "OPEN#"
WEEK_PREFIX: Final = "WEEK#"
#: What stands for the customer in the keys of a tenant-level integration (customer ids are UUIDs: no clash).
TENANT_LEVEL: Final = "TENANT"


class IntegrationNameTaken(PermanentError):
    """Another integration of the same customer already has this name."""

    resolution = "Choose a name this customer's other integrations don't use."


class AccountTaken(PermanentError):
    """Another live integration of the same customer already reaches this platform account."""

    resolution = "Use the integration that is already live for this account, or delete it first."

    def __init__(self, message: str, *, owner: str) -> None:
        super().__init__(message)
        #: The id of the live integration holding the account.
        self.owner = owner


class IntegrationChanged(RetryableError):
    """Someone changed the integration between our read and our write (optimistic concurrency)."""

    resolution = "Reload the integration and apply your change again."


def normalise_name(name: str) -> str:
    """Names compare case- and space-insensitively ("Main  Store" = "main store")."""
    return " ".join(name.split()).casefold()


def customer_key(customer_id: str, integration_id: str) -> str:
    return f"{customer_id}#{integration_id}"


def owner_part(integration: Integration) -> str:
    """Who the integration belongs to, as its keys spell it: the customer id, or ``TENANT`` for a tenant-level one."""
    return TENANT_LEVEL if integration.is_tenant_level else integration.customer_id


def name_key(tenant_id: str, customer_id: str, name: str) -> str:
    return f"{NAME_PREFIX}{tenant_id}#{customer_id}#{normalise_name(name)}"


def account_key(integration: Integration) -> str | None:
    """The guard of an integration's platform account while it is live (None: no account to guard)."""
    if not integration.account or integration.status is not IntegrationStatus.LIVE:
        return None
    return (f"{ACCOUNT_PREFIX}{integration.tenant_id}#{owner_part(integration)}#{integration.type}#"
            f"{integration.account}")


def open_key(start: datetime, integration_id: str) -> str:
    return f"{OPEN_PREFIX}{utc_iso(start)}#{integration_id}"


def week_key(week: IsoWeek, integration_id: str) -> str:
    return f"{WEEK_PREFIX}{week}#{integration_id}"


@dataclass(frozen=True)
class LiveEntry:
    """One item of the live-period index: what billing needs without reading the integration."""

    tenant_id: str
    integration_id: str
    customer_id: str
    customer_name: str
    name: str
    type: str
    start: datetime
    end: datetime | None
    period_key: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> LiveEntry:
        values = from_item(item)
        return cls(
            tenant_id=values["tenantId"],
            integration_id=values["integrationId"],
            customer_id=values.get("customerId", ""),
            customer_name=values.get("customerName", ""),
            name=values.get("name", ""),
            type=values.get("type", ""),
            start=datetime.fromisoformat(values["start"].replace("Z", "+00:00")),
            end=datetime.fromisoformat(values["end"].replace("Z", "+00:00")) if values.get("end") else None,
            period_key=values["periodKey"],
        )


@dataclass(frozen=True)
class Page:
    entries: list[LiveEntry]
    #: ``periodKey`` to continue after, or None when the query is exhausted.
    last_key: str | None


def _dynamo_values(value: Any) -> Any:
    """JSON-safe values with floats as Decimal (boto3 refuses floats)."""
    return json.loads(json.dumps(value, default=str), parse_float=Decimal)


def _open_period(integration: Integration) -> LivePeriod | None:
    return next((period for period in integration.live_periods if period.end is None), None)


class IntegrationStore:
    """Integrations by id; :meth:`cached` keeps them for ``ttl`` seconds per warm Lambda (webhooks for one store
    arrive in bursts; a changed setting is seen within a minute, and a door re-reads before it refuses anything)."""

    def __init__(self, table_name: str, live_periods_table: str, *, ttl: float = 60.0) -> None:
        self.table_name = table_name
        self.live_periods_table = live_periods_table
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Integration | None]] = {}

    # --- reads ---------------------------------------------------------------------------------------------------

    def get(self, integration_id: str) -> Integration | None:
        """The integration as stored now (a consistent read)."""
        if integration_id.startswith((NAME_PREFIX, ACCOUNT_PREFIX)):
            return None
        response = aws.dynamodb().get_item(
            TableName=self.table_name, Key={"integrationId": {"S": integration_id}}, ConsistentRead=True
        )
        item = response.get("Item")
        found = Integration.model_validate(from_item(item)) if item else None
        self._cache[integration_id] = (time.monotonic(), found)
        return found

    def cached(self, integration_id: str) -> Integration | None:
        """The integration as this Lambda last read it, if that was less than ``ttl`` seconds ago."""
        held = self._cache.get(integration_id)
        if held and time.monotonic() - held[0] < self.ttl:
            return held[1]
        return self.get(integration_id)

    def forget(self, integration_id: str) -> None:
        self._cache.pop(integration_id, None)

    def live_ids(self, integration_type: str) -> Iterator[str]:
        """Every live integration of a type (a query of the sparse index ``byLiveType``, keys only; never a scan)."""
        paginator = aws.dynamodb().get_paginator("query")
        for page in paginator.paginate(TableName=self.table_name, IndexName="byLiveType",
                                       KeyConditionExpression="liveType = :type",
                                       ExpressionAttributeValues={":type": {"S": integration_type}}):
            for item in page["Items"]:
                yield item["integrationId"]["S"]

    def list_for_customer(self, tenant_id: str, customer_id: str) -> list[Integration]:
        """A customer's integrations, deleted ones included (GSI ``byTenantCustomer``, key prefix)."""
        return list(self._query_customers(tenant_id, f"{customer_id}#"))

    def list_for_tenant(self, tenant_id: str) -> list[Integration]:
        return list(self._query_customers(tenant_id, None))

    def list_tenant_level(self, tenant_id: str) -> list[Integration]:
        """The tenant's own integrations (no customer), deleted ones included (GSI ``byTenantCustomer``)."""
        return list(self._query_customers(tenant_id, f"{TENANT_LEVEL}#"))

    def _query_customers(self, tenant_id: str, prefix: str | None) -> Iterator[Integration]:
        condition = "tenantId = :t" + (" AND begins_with(customerKey, :p)" if prefix else "")
        values = {":t": {"S": tenant_id}, **({":p": {"S": prefix}} if prefix else {})}
        paginator = aws.dynamodb().get_paginator("query")
        for page in paginator.paginate(TableName=self.table_name, IndexName="byTenantCustomer",
                                       KeyConditionExpression=condition, ExpressionAttributeValues=values):
            for item in page["Items"]:
                yield Integration.model_validate(from_item(item))

    def live_counts(self, tenant_id: str) -> dict[str, int]:
        """Live integrations per customer id: one query over the tenant's open periods (tenant-level ones, which
        belong to no customer, are not counted)."""
        counts: dict[str, int] = {}
        paginator = aws.dynamodb().get_paginator("query")
        for page in paginator.paginate(
            TableName=self.live_periods_table,
            KeyConditionExpression="tenantId = :t AND begins_with(periodKey, :open)",
            ExpressionAttributeValues={":t": {"S": tenant_id}, ":open": {"S": OPEN_PREFIX}},
            ProjectionExpression="customerId",
        ):
            for item in page["Items"]:
                customer = item.get("customerId", {}).get("S")
                if customer:
                    counts[customer] = counts.get(customer, 0) + 1
        return counts

    def open_in_week(self, tenant_id: str, week: IsoWeek, *, after: str | None = None, limit: int = 500) -> Page:
        """Periods still open that started before the week ended: all of them were live in it."""
        return self._page(tenant_id, "periodKey BETWEEN :lo AND :hi",
                          {":lo": {"S": OPEN_PREFIX}, ":hi": {"S": f"{OPEN_PREFIX}{utc_iso(week.end)}"}},
                          after=after, limit=limit)

    def closed_in_week(self, tenant_id: str, week: IsoWeek, *, after: str | None = None, limit: int = 500) -> Page:
        """Closed periods that touched the week (one ``WEEK#`` item each, written when the period closed)."""
        return self._page(tenant_id, "begins_with(periodKey, :w)", {":w": {"S": f"{WEEK_PREFIX}{week}#"}},
                          after=after, limit=limit)

    def _page(self, tenant_id: str, condition: str, values: dict[str, Any], *, after: str | None, limit: int
              ) -> Page:
        args: dict[str, Any] = {
            "TableName": self.live_periods_table,
            "KeyConditionExpression": f"tenantId = :t AND {condition}",
            "ExpressionAttributeValues": {":t": {"S": tenant_id}, **values},
            "Limit": limit,
        }
        if after:
            args["ExclusiveStartKey"] = {"tenantId": {"S": tenant_id}, "periodKey": {"S": after}}
        response = aws.dynamodb().query(**args)
        last = response.get("LastEvaluatedKey")
        return Page([LiveEntry.from_item(item) for item in response["Items"]],
                    last["periodKey"]["S"] if last else None)

    # --- writes --------------------------------------------------------------------------------------------------

    def create(self, integration: Integration) -> None:
        """Store a new integration and reserve its name for the customer, or raise :class:`IntegrationNameTaken`."""
        self._transact(
            [
                ("integration", {"Put": {
                    "TableName": self.table_name,
                    "Item": self._integration_item(integration),
                    "ConditionExpression": "attribute_not_exists(integrationId)",
                }}),
                ("name", self._reserve_name(integration)),
            ]
        )

    def save(self, integration: Integration, *, previous: Integration) -> Integration:
        """Write ``integration`` over ``previous`` (which must still be what is stored) and keep its name guard and
        live-period index in step. Returns what was stored (``version`` bumped)."""
        stored = integration.model_copy(update={"version": previous.version + 1})
        operations: list[tuple[str, dict[str, Any]]] = [
            ("integration", {"Put": {
                "TableName": self.table_name,
                "Item": self._integration_item(stored),
                "ConditionExpression": "attribute_exists(integrationId) AND version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(previous.version)}},
            }}),
        ]
        deleted_now = stored.status is IntegrationStatus.DELETED and previous.status is not IntegrationStatus.DELETED
        renamed = normalise_name(stored.name) != normalise_name(previous.name)
        if deleted_now or (renamed and previous.status is not IntegrationStatus.DELETED):
            operations.append(("old-name", {"Delete": {
                "TableName": self.table_name,
                "Key": {"integrationId": {"S": name_key(previous.tenant_id, owner_part(previous), previous.name)}},
            }}))
        if renamed and stored.status is not IntegrationStatus.DELETED:
            operations.append(("name", self._reserve_name(stored)))
        operations += self._account_changes(stored, previous)
        operations += self._index_changes(stored, previous, renamed=stored.name != previous.name)
        self._transact(operations)
        self._cache[stored.integration_id] = (time.monotonic(), stored)
        return stored

    def _account_changes(self, stored: Integration, previous: Integration) -> list[tuple[str, dict[str, Any]]]:
        """Hold the platform account's guard while live (one live integration per account per customer)."""
        held, wanted = account_key(previous), account_key(stored)
        if held == wanted:
            return []
        changes: list[tuple[str, dict[str, Any]]] = []
        if held is not None:
            changes.append(("old-account", {"Delete": {
                "TableName": self.table_name, "Key": {"integrationId": {"S": held}},
                "ConditionExpression": "attribute_not_exists(integrationId) OR ownerId = :me",
                "ExpressionAttributeValues": {":me": {"S": stored.integration_id}},
            }}))
        if wanted is not None:
            changes.append(("account", {"Put": {
                "TableName": self.table_name,
                "Item": to_item({"integrationId": wanted, "ownerId": stored.integration_id}),
                "ConditionExpression": "attribute_not_exists(integrationId) OR ownerId = :me",
                "ExpressionAttributeValues": {":me": {"S": stored.integration_id}},
            }}))
        return changes

    def account_owner(self, integration: Integration) -> str | None:
        """The live integration holding ``integration``'s account if it were live now (None: free, or itself)."""
        key = account_key(integration.model_copy(update={"status": IntegrationStatus.LIVE}))
        if key is None:
            return None
        response = aws.dynamodb().get_item(TableName=self.table_name, Key={"integrationId": {"S": key}},
                                           ConsistentRead=True)
        owner = response.get("Item", {}).get("ownerId", {}).get("S")
        return owner if owner and owner != integration.integration_id else None

    def _index_changes(self, stored: Integration, previous: Integration, *, renamed: bool
                       ) -> list[tuple[str, dict[str, Any]]]:
        was_open, now_open = _open_period(previous), _open_period(stored)
        changes: list[tuple[str, dict[str, Any]]] = []
        if was_open is not None and (now_open is None or now_open.start != was_open.start):
            closed = next((p for p in stored.live_periods if p.start == was_open.start and p.end is not None), None)
            if closed is not None and closed.end is not None:
                # Written first and idempotent: each says only "live in that week", true even if the save below
                # loses a race (the integration was live up to now).
                self._put_week_items(stored, closed.start, closed.end)
            changes.append(("close", {"Delete": {
                "TableName": self.live_periods_table,
                "Key": {"tenantId": {"S": stored.tenant_id},
                        "periodKey": {"S": open_key(was_open.start, stored.integration_id)}},
            }}))
        if now_open is not None and (was_open is None or now_open.start != was_open.start or renamed):
            changes.append(("open", {"Put": {
                "TableName": self.live_periods_table,
                "Item": to_item(self._entry(stored, now_open.start, None,
                                            open_key(now_open.start, stored.integration_id))),
            }}))
        return changes

    def _put_week_items(self, integration: Integration, start: datetime, end: datetime) -> None:
        requests = [
            {"PutRequest": {"Item": to_item({**self._entry(integration, start, end, week_key(week,
                                                                                          integration.integration_id)),
                                             "week": str(week)})}}
            for week in weeks_touched(start, end)
        ]
        for chunk in range(0, len(requests), 25):
            pending: dict[str, Any] = {self.live_periods_table: requests[chunk:chunk + 25]}
            while pending:
                response = aws.dynamodb().batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems") or {}

    @staticmethod
    def _entry(integration: Integration, start: datetime, end: datetime | None, period_key: str) -> dict[str, Any]:
        return {
            "tenantId": integration.tenant_id,
            "periodKey": period_key,
            "integrationId": integration.integration_id,
            "customerId": integration.customer_id or None,
            "customerName": integration.customer_name or None,
            "name": integration.name,
            "type": integration.type,
            "start": utc_iso(start),
            "end": utc_iso(end) if end else None,
        }

    def _reserve_name(self, integration: Integration) -> dict[str, Any]:
        return {"Put": {
            "TableName": self.table_name,
            "Item": to_item({"integrationId": name_key(integration.tenant_id, owner_part(integration),
                                                       integration.name),
                             "ownerId": integration.integration_id}),
            "ConditionExpression": "attribute_not_exists(integrationId) OR ownerId = :me",
            "ExpressionAttributeValues": {":me": {"S": integration.integration_id}},
        }}

    def _integration_item(self, integration: Integration) -> dict[str, Any]:
        values = _dynamo_values(integration.model_dump(by_alias=True, mode="json"))
        values["customerKey"] = customer_key(owner_part(integration), integration.integration_id)
        if integration.status is IntegrationStatus.LIVE:
            values["liveType"] = integration.type
        return to_item(values)

    def _transact(self, operations: list[tuple[str, dict[str, Any]]]) -> None:
        try:
            aws.dynamodb().transact_write_items(TransactItems=[op for _, op in operations])  # type: ignore[misc]
        except ClientError as exc:
            failures = cancelled_by_condition(exc)
            failed = {label for (label, _), failure in zip(operations, failures, strict=False) if failure}
            if "name" in failed:
                raise IntegrationNameTaken("This customer already has an integration with that name") from None
            if "account" in failed:
                guard: dict[str, Any] = next((op["Put"]["Item"] for label, op in operations if label == "account"), {})
                wanted = str(guard.get("integrationId", {}).get("S", ""))
                held = aws.dynamodb().get_item(TableName=self.table_name, Key={"integrationId": {"S": wanted}},
                                               ConsistentRead=True).get("Item", {})
                raise AccountTaken("Another live integration of this customer already uses this platform account",
                                   owner=str(held.get("ownerId", {}).get("S", ""))) from None
            if "integration" in failed:
                raise IntegrationChanged("The integration was changed by another request") from None
            raise IntegrationChanged(f"The write conflicted with another request ({exc})") from None
