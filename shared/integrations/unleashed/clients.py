"""The account's Unleashed client, cached per warm Lambda by the sealed credentials, and calls metered against
the integration's monthly budget (:mod:`.usage`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache

from pydantic import SecretStr

from ..core.context import core, on_reset
from ..core.integration_access import credential, sealed_credentials
from ..core.integration_record import Integration
from . import usage
from .client import UnleashedClient
from .refs import usage_ref
from .settings import settings_of


def unleashed_client(integration: Integration) -> UnleashedClient:
    return _client(integration.tenant_id, integration.integration_id, sealed_credentials(integration))


@lru_cache(maxsize=512)
def _client(tenant_id: str, integration_id: str, sealed: str) -> UnleashedClient:
    return client_from(core().vault.open(sealed, tenant_id=tenant_id, integration_id=integration_id))


on_reset(_client.cache_clear)


def client_from(credentials: Mapping[str, SecretStr]) -> UnleashedClient:
    return UnleashedClient(api_id=credential(credentials, "apiId"), api_key=SecretStr(credential(credentials,
                                                                                                   "apiKey")))


@contextmanager
def calls(integration: Integration) -> Iterator[UnleashedClient]:
    """The account's client, every call of the block counted against the integration's monthly budget under one
    concurrency lease (:mod:`.usage`); crossing 50/80/95/100 % is said in the integration's usage log."""
    client = unleashed_client(integration)
    budget = settings_of(integration).order.api_calls_per_month
    with usage.metered(client.account, budget=budget, on_flush=lambda meter: _report(integration, meter)):
        yield client


def _report(integration: Integration, meter: usage.Meter) -> None:
    for share in meter.crossed():
        every = usage.poll_every(share)
        pace = ("polling stopped: orders now come by webhook only, and dispatches are still written back"
                if every is None else f"polling every {every * 5} minutes")
        core().sync_log.append(
            usage_ref(integration.integration_id).key, "api-usage",
            f"Unleashed API calls in {meter.month} reached {share:.0%} of this integration's budget "
            f"({meter.used_after} of {meter.budget}); {pace}",
            resolution=usage.MonthlyBudgetSpent.resolution if share >= 0.8 else None)
