"""TenantsTable: one item per 3PL (its WMS API client, notification secret, price, self-managing customers)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import Field

from .. import aws
from ..alerts.model import AlertSettings
from ..errors import TenantNotFound
from ..records import CamelModel
from ..timeutil import utc_iso
from .dynamo import from_item, is_condition_failure, to_item

#: Where a price history starts: the price a tenant had before its first recorded change applied since always.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


class PriceChange(CamelModel):
    """The weekly price from ``effective_from`` on (until the next change)."""

    effective_from: datetime
    weekly_price_cents: int


class Tenant(CamelModel):
    tenant_id: str
    name: str = ""
    wms_base_url: str
    #: KMS ciphertext of ``{"clientId", "clientSecret"}`` (encryption context tenantId + integrationId=tenant).
    wms_credentials: str | None = None
    #: KMS ciphertext of ``{"secret"}``: the HMAC key of the WMS's change notifications.
    notification_secret: str | None = None
    weekly_price_cents: int = 1000
    #: Every change of ``weekly_price_cents``, oldest first, so a week is charged the price in force when it ended
    #: however late its charge is written (docs/billing.md "Which price"). Empty until the first change.
    price_changes: list[PriceChange] = Field(default_factory=list)
    self_managed_customer_ids: list[str] = Field(default_factory=list)
    #: Where alerts go and when a condition becomes one (docs/alerts.md); defaults until the tenant sets them.
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    def price_at(self, moment: datetime) -> int:
        """The weekly price in force just before ``moment`` (a change made at ``moment`` itself applies after it)."""
        if not self.price_changes:  # never changed: the price has always been this one
            return self.weekly_price_cents
        changes = sorted(self.price_changes, key=lambda change: change.effective_from)
        in_force = [change for change in changes if change.effective_from < moment] or changes[:1]
        return in_force[-1].weekly_price_cents


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
        # No empty history on the item: the first price change starts it with the price before (change_price).
        item = tenant.model_dump(by_alias=True, mode="json", exclude={"price_changes"} if not tenant.price_changes
                                 else None)
        aws.dynamodb().put_item(TableName=self.table_name, Item=to_item(item))
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

    def update_alerts(self, tenant_id: str, values: Mapping[tuple[str, ...], Any], *, _defaulted: bool = False
                      ) -> None:
        """Set parts of the tenant's alert settings, each at its path under ``alerts`` (``("thresholds",)``,
        ``("channels", "customerEmails", customer_id)``), in one write that leaves every other part as it is: two
        customers' users saving their addresses at once both keep theirs. A tenant whose item holds no ``alerts``
        map yet (saved before alerts existed) gets the defaults first."""
        if not values:
            return
        names: dict[str, str] = {}
        assignments = []
        for index, (path, _) in enumerate(values.items()):
            aliases = []
            for depth, part in enumerate(("alerts", *path)):
                names[f"#p{index}_{depth}"] = part
                aliases.append(f"#p{index}_{depth}")
            assignments.append(f"{'.'.join(aliases)} = :v{index}")
        self._cache.pop(tenant_id, None)
        try:
            aws.dynamodb().update_item(
                TableName=self.table_name, Key={"tenantId": {"S": tenant_id}},
                UpdateExpression="SET " + ", ".join(assignments),
                # every map a path runs through exists when these do (AlertSettings always has both)
                ConditionExpression="attribute_exists(alerts.thresholds) AND attribute_exists(alerts.channels)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item({f":v{i}": value for i, value in enumerate(values.values())}))
        except ClientError as exc:
            if _defaulted or not is_condition_failure(exc):
                raise
            # The settings as the model reads them (defaults where the item has none), the item's own kept.
            current = self.get(tenant_id, fresh=True).alerts.model_dump(by_alias=True, mode="json")
            try:
                aws.dynamodb().update_item(
                    TableName=self.table_name, Key={"tenantId": {"S": tenant_id}},
                    UpdateExpression="SET alerts = :current",
                    ConditionExpression=("attribute_not_exists(alerts.thresholds)"
                                         " OR attribute_not_exists(alerts.channels)"),
                    ExpressionAttributeValues=to_item({":current": current}))
            except ClientError as again:
                if not is_condition_failure(again):  # another save made the map a moment ago: set the parts in it
                    raise
            self.update_alerts(tenant_id, values, _defaulted=True)
        self._cache.pop(tenant_id, None)

    def change_price(self, tenant_id: str, cents: int, *, at: datetime, previous: int) -> None:
        """Set the weekly price from ``at`` on, appending the change to the tenant's price history in the same write.

        The first change also records ``previous`` as the price since :data:`BEGINNING`, so weeks that ended before
        ``at`` keep being charged it. Concurrent changes both land in the history (``list_append`` is atomic).
        """
        self._cache.pop(tenant_id, None)
        change = [{"effectiveFrom": utc_iso(at), "weeklyPriceCents": cents}]
        before = [{"effectiveFrom": utc_iso(BEGINNING), "weeklyPriceCents": previous}]
        aws.dynamodb().update_item(
            TableName=self.table_name,
            Key={"tenantId": {"S": tenant_id}},
            UpdateExpression="SET weeklyPriceCents = :cents, "
                             "priceChanges = list_append(if_not_exists(priceChanges, :before), :change)",
            ConditionExpression="attribute_exists(tenantId)",
            ExpressionAttributeValues=to_item({":cents": cents, ":before": before, ":change": change}),
        )
        self._cache.pop(tenant_id, None)

    def ids(self) -> Iterator[str]:
        """Every tenant id (a paginated scan of keys only; one item per 3PL)."""
        paginator = aws.dynamodb().get_paginator("scan")
        for page in paginator.paginate(TableName=self.table_name, ProjectionExpression="tenantId"):
            for item in page["Items"]:
                yield item["tenantId"]["S"]
