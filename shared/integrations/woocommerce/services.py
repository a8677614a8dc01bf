"""What every WooCommerce flow shares: the sync key of an order, its version, its work item, the store client,
the integration's settings and webhook secret.

The store client is built from the integration's sealed credentials and cached per warm Lambda by them (a new key
makes a new client, so its connection pool is reused across orders of one store); the store's rate budget is shared
by every client of the store, in RateBudgetTable (``client.store_budget``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.integration_types import Integration
from ..core.records import RecordRef
from ..core.services import IntegrationUnusable, sealed_secret
from ..core.workitems import WorkItem
from . import PLATFORM
from .models import WooCommerceFulfilmentSettings, WooCommerceOrderSettings, WooOrder
from .snapshot import content_fingerprint, order_snapshot

#: Work item kinds on WooCommerceQueue (the poll, backfill and WMS-event kinds come from the frame).
ORDER_CHANGED = "woocommerce.order.changed"
POLL = "woocommerce.poll"


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
    """The re-fetch work item for one order. Webhooks, the poller and backfill key it the same way
    (:func:`order_version`), so a webhook and a poll (or ``order.created`` + ``order.updated`` with one payload,
    woocommerce#19764) that saw the same version of the order do the work once."""
    return WorkItem(
        kind=ORDER_CHANGED,
        tenant_id=integration.tenant_id,
        integration_id=integration.integration_id,
        customer_id=integration.customer_id,
        idempotency_key=f"woocommerce:{integration.integration_id}:order:{order_id}:{version}",
        record=order_ref(integration.integration_id, order_id),
        payload={"orderId": int(order_id), "version": version},
        source=source,
    )


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
    return sealed_secret(integration, "webhookSecret")


def delivery_url(api_base_url: str, integration_id: str) -> str:
    return f"{api_base_url.rstrip('/')}/webhooks/woocommerce/{integration_id}"
