"""What every Starshipit flow shares: record keys, the integration's settings, its client, and its work items.

The client is built from the integration's sealed credentials and cached per warm Lambda by them and by the rate
setting (a new key or a new rate makes a new client), so its connection pool is reused across orders of one account.
Every client of one account draws on one budget in RateBudgetTable (:mod:`.budget`), whichever Lambda it runs in:
its calls are spaced so no second ever holds more than the account's ``requestsPerSecond``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pydantic import SecretStr, ValidationError

from ..core.context import core, on_reset
from ..core.http import HttpPolicy, UpstreamSession
from ..core.integration_types import Integration
from ..core.records import RecordRef, WmsRef
from ..core.services import IntegrationUnusable, credential, open_credentials
from ..core.workitems import WorkItem
from . import PLATFORM, UPSTREAM
from .budget import MAX_WAIT_SECONDS, account_budget, budget_key
from .client import StarshipitClient
from .models import StarshipitFulfilment, StarshipitOrderCreation

#: Work item kinds on StarshipitQueue (the poll, backfill and WMS-event kinds come from the frame).
TRACKING_CHANGED = "starshipit.tracking.changed"
WMS_EVENT = "starshipit.wms-event"
OUTBOUND_ORDER = "OUTBOUND_ORDER"
#: Calls made while a person waits (the labels API): few tries, short waits, a budget wait of a few seconds.
LABELS_POLICY = HttpPolicy(connect_timeout=3.05, read_timeout=15.0, max_attempts=3, max_delay=2.0,
                           max_inline_wait=3.0)


def wms_order_ref(integration_id: str, tenant_id: str, wms_order_id: str) -> RecordRef:
    """The WMS outbound order as this integration sees it: where its export link lives (and its sync log)."""
    return WmsRef(tenant_id=tenant_id, entity_type=OUTBOUND_ORDER, entity_id=wms_order_id).seen_by(integration_id)


def order_ref(integration_id: str, order_id: int | str) -> RecordRef:
    """A Starshipit order: the export link's counterpart (its pointer leads back to the WMS order's link)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="order", record_id=str(order_id))


def number_ref(integration_id: str, order_number: str) -> RecordRef:
    """A Starshipit order number this integration gave one of its orders: an alias of that WMS order's link (what a
    tracking webhook, which names only the number, is traced back by)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="number", record_id=order_number)


def integration_ref(integration_id: str, what: str) -> RecordRef:
    """A sync log for the integration itself (its polls, its webhooks)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="integration", record_id=what)


def delivery_url(api_base_url: str, integration_id: str) -> str:
    return f"{api_base_url.rstrip('/')}/webhooks/starshipit/{integration_id}"


# --- settings ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    order: StarshipitOrderCreation
    fulfilment: StarshipitFulfilment


def settings_of(integration: Integration) -> Settings:
    try:
        order = StarshipitOrderCreation.model_validate(integration.order_settings)
    except ValidationError:
        raise IntegrationUnusable(f"Integration {integration.integration_id} has no usable order creation settings",
                                  resolution="Complete the integration's order creation step (the status that "
                                             "creates Starshipit orders), then retry from the sync log.") from None
    fulfilment = StarshipitFulfilment.model_validate(integration.fulfilment_settings or {})
    return Settings(order=order, fulfilment=fulfilment)


# --- the client -------------------------------------------------------------------------------------------------


def client_for(integration: Integration, *, interactive: bool = False) -> StarshipitClient:
    """The account's client, cached per warm Lambda by the sealed credentials and the rate setting."""
    if not integration.credentials:
        raise IntegrationUnusable(f"Integration {integration.integration_id} has no credentials")
    rate = settings_of(integration).order.requests_per_second
    return _client(integration.tenant_id, integration.integration_id, integration.credentials, rate, interactive)


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


def webhook_secret(integration: Integration) -> str | None:
    """The secret Starshipit signs this integration's tracking webhooks with (an optional credential)."""
    if not integration.credentials:
        return None
    try:
        return credential(open_credentials(integration), "webhookSecret") or None
    except IntegrationUnusable:
        return None


# --- work items -------------------------------------------------------------------------------------------------


def digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def tracking_item(integration: Integration, wms_order_id: str, *, version: str, source: str,
                  order_id: int | None = None, numbers: Sequence[str] = ()) -> WorkItem:
    """"Look at this order's tracking again": the poll, a webhook and a printed label each make one. The key holds
    what the signal saw (``version``), so copies of one signal are worked once; the worker re-reads the order and
    compares with the WMS before writing, so different signals about the same tracking write it once."""
    return WorkItem(
        kind=TRACKING_CHANGED, tenant_id=integration.tenant_id, integration_id=integration.integration_id,
        customer_id=integration.customer_id,
        idempotency_key=f"{PLATFORM}:{integration.integration_id}:tracking:{wms_order_id}:{version}",
        record=wms_order_ref(integration.integration_id, integration.tenant_id, wms_order_id),
        payload={"wmsOrderId": wms_order_id, "orderId": order_id, "trackingNumbers": list(numbers)},
        source=source)
