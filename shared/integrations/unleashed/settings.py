"""The integration's steps as the product's screens have them (help page 001), camelCase on the API.

- Authentication: the API ID and API Key (Unleashed → Integration → Unleashed API Access);
- Order creation: include comments, a default WMS warehouse and/or warehouse mappings (Unleashed warehouse code →
  WMS warehouse; without a default only mapped shipments come across), and the monthly API-call budget this
  integration may spend on the Unleashed account;
- Fulfilment: mark shipments dispatched (with tracking and packages) when the WMS sale order is dispatched.

Flows read them back with :data:`settings_of`; :func:`signing_key` is the key deliveries are signed with.
"""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from ..core.integration_access import sealed_secret
from ..core.integration_record import Integration
from ..core.integration_settings import IntegrationSettings
from ..core.step_models import StepModel, WarehouseId, header_safe

#: Unleashed's smallest plan includes 125,000 calls a month, shared by every app on the account
#: (support.unleashedsoftware.com "Unleashed API Access"); by default we take about half of it.
DEFAULT_MONTHLY_CALLS = 60_000


class UnleashedCredentials(StepModel):
    """Unleashed → Integration → Unleashed API Access: the API ID and API Key."""

    api_id: str = header_safe(100, "Unleashed API ID (sent in the api-auth-id header)")
    api_key: str = Field(min_length=1, max_length=300, description="Unleashed API Key")


class WarehouseMapping(StepModel):
    unleashed_warehouse_code: str = Field(min_length=1, max_length=50,
                                          description="Unleashed warehouse code on the Sales Shipment")
    warehouse_id: WarehouseId


class UnleashedOrderCreation(StepModel):
    """Placed Sales Orders' shipments become WMS sale orders; customer reference ``{order number} | {shipment
    number}``."""

    include_comments: bool = Field(default=True, description="Pass order and shipment comments to packing "
                                                             "instructions")
    default_warehouse_id: WarehouseId | None = Field(
        default=None, description="WMS warehouse for shipments without a matching mapping; leave out to take only "
                                  "mapped shipments")
    warehouse_mappings: list[WarehouseMapping] = Field(default_factory=list, max_length=200,
                                                       validate_default=True)
    api_calls_per_month: int = Field(
        default=DEFAULT_MONTHLY_CALLS, ge=1_000, le=10_000_000,
        description="Unleashed API calls this integration may make per calendar month (UTC). Unleashed blocks every "
                    "app on the account once the account's monthly limit is reached; polling slows as this budget "
                    "fills and stops at 95 %.")

    @field_validator("warehouse_mappings")
    @classmethod
    def _warehouses(cls, mappings: list[WarehouseMapping], info: ValidationInfo) -> list[WarehouseMapping]:
        if info.data.get("default_warehouse_id") is None and not mappings and "default_warehouse_id" in info.data:
            raise ValueError("set a defaultWarehouseId, warehouseMappings, or both: otherwise no order can be placed")
        codes = [m.unleashed_warehouse_code.casefold() for m in mappings]
        if len(set(codes)) != len(codes):
            raise ValueError("each Unleashed warehouse code may be mapped once")
        return mappings

    def warehouse_for(self, code: str | None) -> str | None:
        """The WMS warehouse a shipment from Unleashed warehouse ``code`` goes to (None: not mapped, no default)."""
        wanted = (code or "").strip().casefold()
        for mapping in self.warehouse_mappings:
            if mapping.unleashed_warehouse_code.strip().casefold() == wanted:
                return mapping.warehouse_id
        return self.default_warehouse_id


class UnleashedFulfilment(StepModel):
    complete_shipments: bool = Field(
        default=True, description="Mark Sales Shipments dispatched (with tracking) when the WMS sale order is "
                                  "dispatched; with Order Management off only date, packages and tracking are updated")


settings_of = IntegrationSettings(
    UnleashedOrderCreation, UnleashedFulfilment, unusable="has no warehouse set",
    resolution="Choose a default warehouse or warehouse mappings in the integration's order creation step, then retry "
               "from the sync log.")


def signing_key(integration: Integration) -> str | None:
    """The key Unleashed signs this integration's deliveries with (sealed in ``platformState``)."""
    return sealed_secret(integration, "webhookSigningKey")
