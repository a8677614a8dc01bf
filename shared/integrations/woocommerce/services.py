"""What every WooCommerce flow shares: the integration record, its store client, its settings, the sync key of an
order, and the work queue.

Integrations are read from IntegrationsTable (written by the management API) and cached per warm Lambda for
:data:`INTEGRATION_TTL` seconds: webhooks for one store arrive in bursts, and a changed setting is seen within a
minute. The store client is built from the integration's sealed credentials (opened once per warm Lambda).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from pydantic import SecretStr

from ..core import aws
from ..core.context import core, on_reset
from ..core.crypto import Credentials
from ..core.errors import ConfigurationError
from ..core.integration_types import Integration, IntegrationStatus
from ..core.retry import register_queue
from ..core.stores import RecordRef
from ..core.workitems import WorkItem
from . import PLATFORM
from .client import WooCommerceClient
from .mapper import content_fingerprint, order_snapshot
from .models import WooCommerceFulfilmentSettings, WooCommerceOrderSettings, WooOrder

#: Work item kinds on WooCommerceQueue.
ORDER_CHANGED = "woocommerce.order.changed"
POLL = "woocommerce.poll"
WRITE_BACK = "woocommerce.order.write-back"
INTEGRATION_TTL = 60.0


class IntegrationUnusable(ConfigurationError):
    """The integration is missing something a flow needs (credentials, a setting)."""

    resolution = "Reconfigure the WooCommerce integration (authentication and order creation steps)."


def queue_url() -> str:
    url = os.environ.get("WOOCOMMERCE_QUEUE_URL", "")
    if not url:
        raise ConfigurationError("WOOCOMMERCE_QUEUE_URL is not set (template.yaml Globals)")
    return url


# A WooCommerce record's kept work item goes back on the WooCommerce queue (core.retry; the management API's retry).
register_queue(f"{PLATFORM}.", queue_url)


def order_ref(integration_id: str, order_id: int | str) -> RecordRef:
    """The business key of a WooCommerce order: integration + order id (ids never change; numbers may)."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="order", record_id=str(order_id))


def integration_ref(integration_id: str, what: str) -> RecordRef:
    """A sync log for the integration itself (its webhooks, its polls): readable like an order's."""
    return RecordRef(scope=integration_id, platform=PLATFORM, record_type="integration", record_id=what)


def order_version(order: WooOrder) -> str:
    """What tells two versions of an order apart: its modified time, its status and a digest of its content.
    WooCommerce's times are whole seconds, so the time alone can't separate a checkout from its payment, or an edit
    made in the same second."""
    digest = content_fingerprint(order_snapshot(order))[:12]
    return f"{order.date_modified_gmt or '-'}:{order.status}:{digest}"


def order_work_item(integration: Integration, order_id: int | str, *, version: str, source: str) -> WorkItem:
    """The re-fetch work item for one order. Webhooks and the poller key it the same way (:func:`order_version`),
    so a webhook and a poll (or ``order.created`` + ``order.updated`` with one payload, woocommerce#19764) that saw
    the same version of the order do the work once."""
    return WorkItem(
        kind=ORDER_CHANGED,
        tenant_id=integration.tenant_id,
        integration_id=integration.integration_id,
        idempotency_key=f"woocommerce:{integration.integration_id}:order:{order_id}:{version}",
        sync_key=order_ref(integration.integration_id, order_id).key,
        payload={"orderId": int(order_id), "version": version},
        source=source,
    )


# --- integrations -----------------------------------------------------------------------------------------------


class IntegrationStore:
    """WooCommerce integrations by id, cached per warm Lambda for ``ttl`` seconds (read through the core's store),
    and the ids of the live ones (GSI ``byLiveType``)."""

    def __init__(self, table_name: str, *, ttl: float = INTEGRATION_TTL) -> None:
        self.table_name = table_name
        self.ttl = ttl
        self._cache: dict[str, tuple[float, Integration | None]] = {}

    def get(self, integration_id: str, *, fresh: bool = False) -> Integration | None:
        cached = self._cache.get(integration_id)
        if cached and not fresh and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        integration = core().integrations.get(integration_id)
        if integration is not None and integration.type != PLATFORM:
            integration = None
        self._cache[integration_id] = (time.monotonic(), integration)
        return integration

    def forget(self, integration_id: str) -> None:
        self._cache.pop(integration_id, None)

    def live_ids(self) -> Iterator[str]:
        """Every live WooCommerce integration (a query of the sparse index, keys only; never a scan)."""
        paginator = aws.dynamodb().get_paginator("query")
        for page in paginator.paginate(
            TableName=self.table_name,
            IndexName="byLiveType",
            KeyConditionExpression="liveType = :type",
            ExpressionAttributeValues={":type": {"S": PLATFORM}},
        ):
            for item in page["Items"]:
                yield item["integrationId"]["S"]


@lru_cache(maxsize=1)
def integrations() -> IntegrationStore:
    return IntegrationStore(core().settings.integrations_table)


on_reset(integrations.cache_clear)


def is_live(integration: Integration | None) -> bool:
    return integration is not None and integration.status == IntegrationStatus.LIVE


# --- credentials, settings, clients ---------------------------------------------------------------------------


def credential(credentials: Mapping[str, SecretStr], name: str) -> str:
    """A credential field by its API name (``consumerKey``) or its Python name (``consumer_key``)."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
    for candidate in (name, snake):
        if candidate in credentials:
            return credentials[candidate].get_secret_value()
    raise IntegrationUnusable(f"The integration's credentials have no {name}")


def open_credentials(integration: Integration) -> Credentials:
    if not integration.credentials:
        raise IntegrationUnusable(f"Integration {integration.integration_id} has no credentials")
    return core().vault.open(integration.credentials, tenant_id=integration.tenant_id,
                             integration_id=integration.integration_id)


def store_client(integration: Integration) -> WooCommerceClient:
    """The store's client, cached per warm Lambda by the sealed credentials (a new key makes a new client)."""
    if not integration.credentials:
        raise IntegrationUnusable(f"Integration {integration.integration_id} has no credentials")
    state = integration.platform_state
    return _client(integration.tenant_id, integration.integration_id, integration.credentials,
                   bool(state.get("queryStringAuth")))


@lru_cache(maxsize=512)
def _client(tenant_id: str, integration_id: str, sealed: str, query_string_auth: bool) -> WooCommerceClient:
    credentials = core().vault.open(sealed, tenant_id=tenant_id, integration_id=integration_id)
    return client_from(credentials, query_string_auth=query_string_auth)


on_reset(_client.cache_clear)


def client_from(credentials: Mapping[str, SecretStr], *, query_string_auth: bool = False) -> WooCommerceClient:
    return WooCommerceClient(store_url=credential(credentials, "storeUrl"),
                             consumer_key=credential(credentials, "consumerKey"),
                             consumer_secret=SecretStr(credential(credentials, "consumerSecret")),
                             query_string_auth=query_string_auth)


@dataclass(frozen=True)
class Settings:
    order: WooCommerceOrderSettings
    fulfilment: WooCommerceFulfilmentSettings


def settings_of(integration: Integration) -> Settings:
    try:
        order = WooCommerceOrderSettings.model_validate(integration.order_settings)
    except ValueError:
        raise IntegrationUnusable(f"Integration {integration.integration_id} has no warehouse set",
                                  resolution="Choose the CartonCloud warehouse in the integration's order creation "
                                             "step, then retry from the sync log.") from None
    fulfilment = WooCommerceFulfilmentSettings.model_validate(integration.fulfilment_settings or {})
    return Settings(order=order, fulfilment=fulfilment)


def webhook_secret(integration: Integration) -> str | None:
    """The secret WooCommerce signs this integration's deliveries with (sealed in ``platformState``)."""
    sealed = integration.platform_state.get("webhookSecret")
    if not isinstance(sealed, str) or not sealed:
        return None
    return core().vault.open(sealed, tenant_id=integration.tenant_id,
                             integration_id=integration.integration_id).reveal("secret")


def delivery_url(api_base_url: str, integration_id: str) -> str:
    return f"{api_base_url.rstrip('/')}/webhooks/woocommerce/{integration_id}"
