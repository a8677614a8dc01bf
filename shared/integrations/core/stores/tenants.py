"""TenantsTable: one item per 3PL (its WMS API client, notification secret, price, self-managing customers)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import Field

from .. import aws
from ..errors import TenantNotFound
from ..records import CamelModel
from .dynamo import from_item, to_item


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
