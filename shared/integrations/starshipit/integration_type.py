"""The Starshipit integration type: its configuration steps (help page 002) and a real credentials check.

Every Starshipit call carries two keys from Settings > API (SSI-DEV "API fundamentals"): ``StarShipIT-Api-Key``
selects the account, ``Ocp-Apim-Subscription-Key`` the subscription (Azure API Management, which answers 401
"invalid subscription key" itself). The check lists at most one unshipped order (``GET /api/orders/unshipped
?limit=1``), a read the integration needs anyway. Shipment creation and tracking write-back are not built yet:
finishing refuses with "not available yet" rather than going live without doing anything.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from ..core.http import INTERACTIVE, UpstreamSession, error_for_status
from ..core.integration_types import (
    CredentialsRejected,
    IntegrationContext,
    IntegrationType,
    PlatformNotAvailable,
    StepModel,
)
from ..core.stores.tenants import Tenant
from ..core.timeutil import utc_iso, utcnow

UPSTREAM = "Starshipit"
DEFAULT_BASE_URL = "https://api.starshipit.com"


def base_url() -> str:
    return os.environ.get("STARSHIPIT_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


class StarshipitCredentials(StepModel):
    """Starshipit → Settings → API: the API key and the subscription key."""

    api_key: str = Field(min_length=1, max_length=200, description="StarShipIT-Api-Key")
    subscription_key: str = Field(min_length=1, max_length=200, description="Ocp-Apim-Subscription-Key")


class StarshipitOrderCreation(StepModel):
    create_shipment_at: Literal["PACKED", "DISPATCHED"] = Field(
        description="The WMS sale-order status that creates the order in Starshipit")


class StarshipitFulfilment(StepModel):
    poll_tracking: bool = Field(default=True, description="Check Starshipit for tracking numbers and write them "
                                                          "back to the WMS")


class StarshipitType(IntegrationType):
    key: ClassVar[str] = "starshipit"
    title: ClassVar[str] = "Starshipit"
    credentials_model: ClassVar[type[BaseModel]] = StarshipitCredentials
    order_settings_model: ClassVar[type[BaseModel]] = StarshipitOrderCreation
    fulfilment_settings_model: ClassVar[type[BaseModel]] = StarshipitFulfilment

    def __init__(self, session: UpstreamSession | None = None) -> None:
        self.session = session

    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        assert isinstance(credentials, StarshipitCredentials)
        session = self.session or UpstreamSession(UPSTREAM, policy=INTERACTIVE)
        url = f"{base_url()}/api/orders/unshipped?limit=1"
        response = session.request("GET", url, headers={
            "Content-Type": "application/json",
            "StarShipIT-Api-Key": credentials.api_key,
            "Ocp-Apim-Subscription-Key": credentials.subscription_key,
        })
        if response.status_code in (401, 403):
            subscription = "subscription key" in response.text.lower()
            raise CredentialsRejected(
                f"Starshipit refused the {'subscription key' if subscription else 'API key'} "
                f"({response.status_code})",
                field="subscriptionKey" if subscription else "apiKey",
                resolution="Copy both keys again from Starshipit: Settings → API (Regenerate if the API key is blank).")
        if response.status_code != 200:
            raise error_for_status(UPSTREAM, response.status_code, "GET", url)
        return {"credentialsCheckedAt": utc_iso(utcnow())}

    def start(self, context: IntegrationContext) -> dict[str, Any]:
        raise PlatformNotAvailable(
            "Starshipit shipment creation is not available yet, so the integration can't go live", field="status",
            resolution="Keep the integration as a draft; finish it once the Starshipit connector is released.")

    def stop(self, context: IntegrationContext) -> None:
        """Nothing was registered with Starshipit (start never succeeds yet)."""


INTEGRATION_TYPE = StarshipitType()
