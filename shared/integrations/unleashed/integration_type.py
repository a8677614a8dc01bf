"""The Unleashed integration type: its configuration steps (help page 001) and a real credentials check.

Authentication is Unleashed's own scheme (UL-DOC "AuthenticationHelp"): ``api-auth-id`` plus ``api-auth-signature``
= Base64(HMAC-SHA256(API key, query string)); a wrong id or signature answers 403. The check reads one page of one
sales order (``GET /SalesOrders/1?pageSize=1``), the resource the integration needs, so a key without that access
is refused too. Order sync and fulfilment write-back are not built yet: finishing refuses with "not available yet"
rather than going live (and being billed) without doing anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any, ClassVar

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from ..core.http import INTERACTIVE, UpstreamSession, error_for_status
from ..core.integration_types import (
    CredentialsRejected,
    IntegrationContext,
    IntegrationType,
    PlatformNotAvailable,
    StepModel,
    WarehouseId,
)
from ..core.stores.tenants import Tenant
from ..core.timeutil import utc_iso, utcnow

UPSTREAM = "Unleashed"
DEFAULT_BASE_URL = "https://api.unleashedsoftware.com"
#: Unleashed asks integrators to name themselves (lowercase, no spaces; "not explicitly enforced").
CLIENT_TYPE = "cartoncloud/selfmanaged"


def base_url() -> str:
    return os.environ.get("UNLEASHED_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def signature(query: str, api_key: str) -> str:
    """Base64 HMAC-SHA256 of the query string (without ``?``; ``""`` when there is none), keyed by the API key."""
    digest = hmac.new(api_key.encode("utf-8"), query.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class UnleashedCredentials(StepModel):
    """Unleashed → Integration → Unleashed API Access: the API ID and API Key."""

    api_id: str = Field(min_length=1, max_length=100, description="Unleashed API ID")
    api_key: str = Field(min_length=1, max_length=300, description="Unleashed API Key")


class WarehouseMapping(StepModel):
    unleashed_warehouse_code: str = Field(min_length=1, max_length=50,
                                          description="Unleashed warehouse code on the Sales Shipment")
    warehouse_id: WarehouseId


class UnleashedOrderCreation(StepModel):
    """Placed Sales Orders become WMS sale orders; customer reference ``{order number} | {shipment number}``."""

    include_comments: bool = Field(default=True, description="Pass order and shipment comments to packing "
                                                             "instructions")
    default_warehouse_id: WarehouseId | None = Field(
        default=None, description="WMS warehouse for shipments without a matching mapping; leave out to take only "
                                  "mapped shipments")
    warehouse_mappings: list[WarehouseMapping] = Field(default_factory=list, max_length=200,
                                                       validate_default=True)

    @field_validator("warehouse_mappings")
    @classmethod
    def _warehouses(cls, mappings: list[WarehouseMapping], info: ValidationInfo) -> list[WarehouseMapping]:
        if info.data.get("default_warehouse_id") is None and not mappings and "default_warehouse_id" in info.data:
            raise ValueError("set a defaultWarehouseId, warehouseMappings, or both: otherwise no order can be placed")
        codes = [m.unleashed_warehouse_code.casefold() for m in mappings]
        if len(set(codes)) != len(codes):
            raise ValueError("each Unleashed warehouse code may be mapped once")
        return mappings


class UnleashedFulfilment(StepModel):
    complete_shipments: bool = Field(
        default=True, description="Mark Sales Shipments dispatched (with tracking) when the WMS sale order is "
                                  "dispatched; with Order Management off only date and packages are updated")


class UnleashedType(IntegrationType):
    key: ClassVar[str] = "unleashed"
    title: ClassVar[str] = "Unleashed"
    credentials_model: ClassVar[type[BaseModel]] = UnleashedCredentials
    order_settings_model: ClassVar[type[BaseModel]] = UnleashedOrderCreation
    fulfilment_settings_model: ClassVar[type[BaseModel]] = UnleashedFulfilment

    def __init__(self, session: UpstreamSession | None = None) -> None:
        self.session = session

    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        assert isinstance(credentials, UnleashedCredentials)
        query = "pageSize=1"
        session = self.session or UpstreamSession(UPSTREAM, policy=INTERACTIVE)
        url = f"{base_url()}/SalesOrders/1?{query}"
        response = session.request("GET", url, headers={
            "Accept": "application/json",
            "Content-Type": "application/json",
            "api-auth-id": credentials.api_id,
            "api-auth-signature": signature(query, credentials.api_key),
            "client-type": CLIENT_TYPE,
        })
        if response.status_code in (401, 403):
            raise CredentialsRejected(
                f"Unleashed refused the API ID and key ({response.status_code})", field="apiKey",
                resolution="Copy the API ID and API Key again from Unleashed: Integration → Unleashed API Access.")
        if response.status_code != 200:
            raise error_for_status(UPSTREAM, response.status_code, "GET", url)
        return {"credentialsCheckedAt": utc_iso(utcnow())}

    def start(self, context: IntegrationContext) -> dict[str, Any]:
        raise PlatformNotAvailable(
            "Unleashed order sync is not available yet, so the integration can't go live", field="status",
            resolution="Keep the integration as a draft; finish it once the Unleashed connector is released.")

    def stop(self, context: IntegrationContext) -> None:
        """Nothing was registered with Unleashed (start never succeeds yet)."""


INTEGRATION_TYPE = UnleashedType()
