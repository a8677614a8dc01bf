"""The account's Starshipit client.

It is built from the integration's sealed credentials and cached per warm Lambda by them and by the rate setting (a
new key or a new rate makes a new client), so its connection pool is reused across orders of one account. Every
client of one account draws on one budget in RateBudgetTable (:mod:`.budget`), whichever Lambda it runs in: its
calls are spaced so no second ever holds more than the account's ``requestsPerSecond``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr

from ..core.context import core, on_reset
from ..core.http import HttpPolicy, UpstreamSession
from ..core.integration_access import credential, sealed_credentials
from ..core.integration_record import Integration
from . import UPSTREAM
from .budget import MAX_WAIT_SECONDS, account_budget, budget_key
from .client import StarshipitClient
from .settings import settings_of

#: Calls made while a person waits (the labels API): few tries, short waits, a budget wait of a few seconds.
LABELS_POLICY = HttpPolicy(connect_timeout=3.05, read_timeout=15.0, max_attempts=3, max_delay=2.0,
                           max_inline_wait=3.0)


def client_for(integration: Integration, *, interactive: bool = False) -> StarshipitClient:
    """The account's client, cached per warm Lambda by the sealed credentials and the rate setting."""
    sealed = sealed_credentials(integration)
    rate = settings_of(integration).order.requests_per_second
    return _client(integration.tenant_id, integration.integration_id, sealed, rate, interactive)


@lru_cache(maxsize=512)
def _client(tenant_id: str, integration_id: str, sealed: str, rate: int, interactive: bool) -> StarshipitClient:
    credentials = core().vault.open(sealed, tenant_id=tenant_id, integration_id=integration_id)
    api_key = credential(credentials, "apiKey")
    budget = account_budget(core().settings.rate_budget_table, per_second=rate,
                            max_wait=3.0 if interactive else MAX_WAIT_SECONDS)
    session = UpstreamSession(UPSTREAM, budget=budget, policy=LABELS_POLICY if interactive else None)
    return StarshipitClient(api_key=SecretStr(api_key),
                            subscription_key=SecretStr(credential(credentials, "subscriptionKey")),
                            session=session, budget_key=budget_key(api_key))


on_reset(_client.cache_clear)
