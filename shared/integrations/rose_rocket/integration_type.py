"""The Rose Rocket integration type: its configuration steps (help pages 000 and 004).

Credentials are a Rose Rocket OAuth application's client id and secret plus the org id. Rose Rocket's token
request for a service account (Auth0 at ``a.roserocket.com``: which ``audience``, whether ``org_id``/``user_id``
go in the request) is not confirmed by a primary source (docs/platform notes, RR-V2), so a "check" could only
guess. Rather than accept unchecked credentials, the authentication step answers "not available yet" until the
Rose Rocket connector is built against a Rose Rocket sandbox. Customers are matched by the WMS customer UUID.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from ..core.integration_types import (
    IntegrationContext,
    IntegrationType,
    PlatformNotAvailable,
    StepModel,
)
from ..core.stores.tenants import Tenant


class RoseRocketCredentials(StepModel):
    """Rose Rocket → Settings → API Settings → OAuth Applications, and the organisation id."""

    client_id: str = Field(min_length=1, max_length=200)
    client_secret: str = Field(min_length=1, max_length=500)
    org_id: str = Field(min_length=1, max_length=100)


class RoseRocketOrderCreation(StepModel):
    customer_matching: Literal["ccCustomerUuid"] = Field(
        default="ccCustomerUuid", description="Rose Rocket customers are matched by the WMS customer UUID")
    create_orders_from_consignments: bool = Field(default=True, description="WMS consignments create Rose Rocket "
                                                                            "orders when created")
    create_consignments_on_delivered: bool = Field(default=True, description="Rose Rocket orders moved to "
                                                                             "Delivered create WMS consignments")


class RoseRocketFulfilment(StepModel):
    sync_invoice_status: bool = Field(default=True, description="Write WMS invoice status to Rose Rocket "
                                                                "(docs/ mapping table)")


class RoseRocketType(IntegrationType):
    key: ClassVar[str] = "rose_rocket"
    title: ClassVar[str] = "Rose Rocket"
    credentials_model: ClassVar[type[BaseModel]] = RoseRocketCredentials
    order_settings_model: ClassVar[type[BaseModel]] = RoseRocketOrderCreation
    fulfilment_settings_model: ClassVar[type[BaseModel]] = RoseRocketFulfilment

    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        raise PlatformNotAvailable(
            "Rose Rocket credentials can't be checked yet, so they are not accepted", field="authentication",
            resolution="Rose Rocket integrations become available with the Rose Rocket connector; until then "
                       "CartonCloud's own Rose Rocket module (Settings → Module Settings) can be used.")

    def start(self, context: IntegrationContext) -> dict[str, Any]:
        raise PlatformNotAvailable(
            "Rose Rocket sync is not available yet, so the integration can't go live", field="status",
            resolution="Keep the integration as a draft until the Rose Rocket connector is released.")

    def stop(self, context: IntegrationContext) -> None:
        """Nothing was registered with Rose Rocket (start never succeeds yet)."""


INTEGRATION_TYPE = RoseRocketType()
