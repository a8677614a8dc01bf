"""How the service reaches a tenant's WMS: its client, built from the tenant's sealed credentials and cached per warm
Lambda."""

from __future__ import annotations

from functools import lru_cache

from ..core.context import core, on_reset
from ..core.errors import ConfigurationError
from ..core.http import UpstreamSession
from ..core.ratelimit import SlidingWindowBudget
from ..core.stores.tenants import Tenant
from .client import UPSTREAM, CartonCloudClient


class WmsCredentialsMissing(ConfigurationError):
    resolution = "Enter the tenant's CartonCloud API client id and secret in the tenant settings."


def wms_client(tenant: Tenant) -> CartonCloudClient:
    """The tenant's WMS client (cached per warm Lambda so its connection pool and token are reused)."""
    if not tenant.wms_credentials:
        raise WmsCredentialsMissing(f"Tenant {tenant.tenant_id} has no CartonCloud API credentials")
    return _client(tenant.tenant_id, tenant.wms_base_url, tenant.wms_credentials)


@lru_cache(maxsize=256)
def _client(tenant_id: str, base_url: str, sealed_credentials: str) -> CartonCloudClient:
    stores = core()
    credentials = stores.vault.open(sealed_credentials, tenant_id=tenant_id)
    return CartonCloudClient(
        base_url=base_url,
        tenant_id=tenant_id,
        client_id=credentials.reveal("clientId"),
        client_secret=credentials["clientSecret"],
        # The session draws on the budget only for calls that name a budget key: outbound-order creates. A sliding
        # window: never more than the limit in any rolling window, however the WMS aligns its own.
        session=UpstreamSession(UPSTREAM, budget=SlidingWindowBudget(
            stores.settings.rate_budget_table, limit=stores.settings.wms_creates_per_window,
            window_seconds=stores.settings.wms_create_window_seconds,
            name="The WMS's order creates for this tenant's API client")),
    )


@on_reset
def reset() -> None:
    _client.cache_clear()
