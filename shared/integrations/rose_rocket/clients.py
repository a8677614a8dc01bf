"""The organisation's Rose Rocket client.

It is built from the integration's sealed credentials and cached per warm Lambda by them and by the rate setting;
every client of one organisation draws on one budget in RateBudgetTable (``rose_rocket#{orgId}``, its calls spaced
``60/requestsPerMinute`` seconds apart), whichever Lambda it runs in.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr

from ..core.context import core, on_reset
from ..core.http import INTERACTIVE, UpstreamSession
from ..core.integration_access import credential, sealed_credentials
from ..core.integration_record import Integration
from ..core.ratelimit import SpacedBudget
from . import PLATFORM, UPSTREAM
from .client import RoseRocketClient
from .settings import settings_of


def budget_key(org_id: str) -> str:
    return f"{PLATFORM}#{org_id}"


def client_for(integration: Integration, *, interactive: bool = False) -> RoseRocketClient:
    """The organisation's client, cached per warm Lambda by the sealed credentials and the rate setting."""
    sealed = sealed_credentials(integration)
    rate = settings_of(integration).order.requests_per_minute
    return _client(integration.tenant_id, integration.integration_id, sealed, rate, interactive)


@lru_cache(maxsize=256)
def _client(tenant_id: str, integration_id: str, sealed: str, rate: int, interactive: bool) -> RoseRocketClient:
    opened = core().vault.open(sealed, tenant_id=tenant_id, integration_id=integration_id)
    return new_client(credential(opened, "clientId"), SecretStr(credential(opened, "clientSecret")),
                      credential(opened, "orgId"), credential(opened, "serviceAccountUserId"), rate=rate,
                      interactive=interactive)


def organisation_budget(table_name: str, *, per_minute: int, interactive: bool) -> SpacedBudget:
    """The budget every client of an organisation draws on, whichever Lambda it runs in.

    Rose Rocket's limit is a request rate (an assumed 600/min per organisation, NestJS's throttler; see
    docs/rose-rocket.md "Limits we respect"), so it takes core's budget for request rates: calls spaced
    ``60/per_minute`` s apart across every Lambda, never more than ``per_minute`` in any minute however the
    throttler's window is aligned (a fixed-minute counter could let twice that through across a boundary). No slack:
    the budget is already half the assumed limit, and a call's sub-second jitter cannot matter to a per-minute count.
    A person waiting (an action, the rating widget) waits at most a few seconds for the organisation's turn."""
    return SpacedBudget(table_name, per_second=per_minute / 60, slack=0.0,
                        max_wait=3.0 if interactive else SpacedBudget.MAX_WAIT_SECONDS)


def new_client(client_id: str, secret: SecretStr, org_id: str, user_id: str, *, rate: int,
               interactive: bool) -> RoseRocketClient:
    """A client on the organisation's shared budget (``rate`` calls per minute); ``interactive``: a person waits,
    so few tries and short waits."""
    table = core().settings.rate_budget_table
    budget = organisation_budget(table, per_minute=rate, interactive=interactive) if table else None
    session = UpstreamSession(UPSTREAM, budget=budget, policy=INTERACTIVE if interactive else None)
    return RoseRocketClient(client_id=client_id, client_secret=secret, org_id=org_id, user_id=user_id,
                            session=session, budget_key=budget_key(org_id) if budget else None)


on_reset(_client.cache_clear)
