"""The ``starshipit`` integration type: what the management API asks for and does at each step.

- *Authentication* (:meth:`StarshipitType.check_credentials`): one real read both keys must pass
  (``GET /api/orders/unshipped?limit=1``). Azure API Management answers a bad subscription key itself
  (``{"statusCode": 401, "message": "Access denied due to invalid subscription key…"}``), the API a bad API key, so
  the refusal names the key at fault. An unreachable host or a 5xx is refused too, naming the API key, with what to
  check: a setup step is interactive and is never "retried automatically". The optional webhook secret is the one
  the user sets in Starshipit's tracking notification settings; Starshipit offers no API to check it.
- *Order creation*: the trigger status, the warehouses covered (marked ``x-wms-warehouse``: the frame checks the
  customer may use them), carrier defaults and mappings, the account's rate.
- *Finish* / *reconfigure* (:meth:`StarshipitType.start`): nothing to register — Starshipit's tracking webhook
  URL is set by hand in its settings (no API exists for it); ``platformState.deliveryUrl`` records the URL to set.
- *Delete* (:meth:`StarshipitType.stop`): nothing to remove on Starshipit; our door answers 410 to a deleted
  integration's webhooks, and the URL should be removed from Starshipit's settings by hand.
- *The live check* (:meth:`StarshipitType.check_live`): three reads (:mod:`.live`) against the connector's
  assumptions, at the credentials check's rate and budget.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, SecretStr

from ..core.errors import UpstreamAuthFailed, UpstreamError
from ..core.http import INTERACTIVE, UpstreamSession
from ..core.integration_types import CredentialsRejected, IntegrationContext, IntegrationType
from ..core.settings import settings
from ..core.stores.tenants import Tenant
from ..core.timeutil import utc_iso, utcnow
from . import PLATFORM, UPSTREAM
from .budget import account_budget, budget_key
from .client import StarshipitClient
from .errors import SubscriptionKeyRefused
from .models import StarshipitCredentials, StarshipitFulfilment, StarshipitOrderCreation
from .refs import delivery_url

if TYPE_CHECKING:
    from ..core.live_check import Finding

KEYS_RESOLUTION = "Copy both keys again from Starshipit: Settings → API (Regenerate if the API key is blank)."
#: The rate a credentials check assumes (the account's own setting comes in a later step): the Developer tier's.
CHECK_RATE = 2


#: How long the live check's calls wait for the account's turn: longer than a setup step's 3 s, because the check runs
#: on demand on a live account whose workers may be using every request it allows (the management API answers within
#: its 20 s; the probes are a handful of GETs).
LIVE_CHECK_MAX_WAIT = 8.0


def _interactive_session(max_wait: float = 3.0) -> UpstreamSession:
    """A person is waiting: few tries, short waits — and still the account's shared budget, so a check made while
    workers use the account never pushes it over its rate."""
    table = settings().rate_budget_table
    budget = account_budget(table, per_second=CHECK_RATE, max_wait=max_wait) if table else None
    return UpstreamSession(UPSTREAM, policy=INTERACTIVE, budget=budget)


class StarshipitType(IntegrationType):
    key: ClassVar[str] = PLATFORM
    title: ClassVar[str] = "Starshipit"
    credentials_model: ClassVar[type[BaseModel]] = StarshipitCredentials
    order_settings_model: ClassVar[type[BaseModel]] = StarshipitOrderCreation
    fulfilment_settings_model: ClassVar[type[BaseModel]] = StarshipitFulfilment

    def __init__(self, session: UpstreamSession | None = None) -> None:
        self.session = session

    def _client(self, credentials: BaseModel, *, max_wait: float = 3.0) -> StarshipitClient:
        """A client for keys a person just gave: few tries, short waits, the account's shared budget."""
        model = credentials if isinstance(credentials, StarshipitCredentials) else \
            StarshipitCredentials.model_validate(credentials.model_dump())
        return StarshipitClient(api_key=SecretStr(model.api_key), subscription_key=SecretStr(model.subscription_key),
                                session=self.session or _interactive_session(max_wait),
                                budget_key=budget_key(model.api_key))

    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        model = credentials if isinstance(credentials, StarshipitCredentials) else \
            StarshipitCredentials.model_validate(credentials.model_dump())
        client = self._client(model)
        try:
            client.check()
        except UpstreamAuthFailed as exc:
            subscription = isinstance(exc, SubscriptionKeyRefused)
            raise CredentialsRejected(
                f"Starshipit refused the {'subscription key' if subscription else 'API key'} ({exc.status})",
                field="subscriptionKey" if subscription else "apiKey", resolution=KEYS_RESOLUTION) from None
        except UpstreamError as exc:
            if exc.retryable:
                raise  # down or unreachable: the frame's 422 "could not check", saying what to check
            raise CredentialsRejected(
                f"Starshipit could not check the keys: {exc}", field="apiKey",
                resolution="Starshipit did not answer as expected; check https://status.starshipit.com and try this "
                           "step again in a few minutes.") from None
        return {"credentialsCheckedAt": utc_iso(utcnow()), "webhookSecretSet": bool(model.webhook_secret)}

    def check_live(self, credentials: BaseModel, platform_state: Mapping[str, Any]) -> list[Finding]:
        """Read-only probes of the account (:mod:`.live`): GETs only, never a write."""
        from .live import probe  # the check's own module, loaded only when a check runs

        return probe(self._client(credentials, max_wait=LIVE_CHECK_MAX_WAIT))

    def account_identity(self, credentials: BaseModel, facts: dict[str, Any]) -> str | None:
        """The account the API key selects (Starshipit has one API key per account; regenerating it retires the old
        one). Kept as a digest: the key itself is a credential."""
        api_key = getattr(credentials, "api_key", None)
        if not api_key:
            return None
        return f"{PLATFORM}:{hashlib.sha256(str(api_key).encode('utf-8')).hexdigest()[:32]}"

    def start(self, context: IntegrationContext) -> dict[str, Any]:
        """Idempotent: nothing is registered with Starshipit; the delivery URL to set there is recorded."""
        return {"deliveryUrl": delivery_url(context.api_base_url, context.integration.integration_id),
                "startedAt": utc_iso(utcnow())}

    def stop(self, context: IntegrationContext) -> None:
        """Nothing of ours lives on Starshipit (its webhook URL is the user's setting), so nothing can be missing."""


INTEGRATION_TYPE = StarshipitType()
