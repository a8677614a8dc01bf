"""The ``woocommerce`` integration type: what the management API asks for and does at each step.

- *Authentication* (:meth:`WooCommerceType.check_credentials`): the REST index (``GET /wp-json/``) tells a bad URL,
  plain permalinks and a missing WooCommerce apart, and lists the Shipment Tracking namespace if the extension is
  active; a read (``GET /wc/v3/orders?per_page=1``) checks the key and secret; an empty batch (which changes
  nothing) tells a read-only key. Each failure names the field to fix and how.
- *Order creation*: the warehouse field is marked ``x-wms-warehouse``, so the management frame checks the
  customer may use it.
- *Finish* / *reconfigure* (:meth:`WooCommerceType.start`): register our order webhooks (idempotent) with a secret
  we generate and keep sealed in ``platformState``.
- *Delete* (:meth:`WooCommerceType.stop`): remove them.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, SecretStr

from ..core.context import core
from ..core.errors import UpstreamAuthFailed, UpstreamError, UpstreamNotFound, UpstreamUnavailable
from ..core.http import INTERACTIVE, UpstreamSession
from ..core.integration_access import credential
from ..core.integration_types import CredentialsRejected, IntegrationContext, IntegrationType
from ..core.stores.tenants import Tenant
from ..core.timeutil import utc_iso, utcnow
from . import PLATFORM
from .client import API, StoreIndex, WooCommerceClient, client_from, store_budget
from .errors import BAD_KEY_RESOLUTION, CAPABILITY_RESOLUTION, READ_ONLY_RESOLUTION, UPSTREAM

if TYPE_CHECKING:
    from ..core.live_check import Finding
from .models import (
    StoreUrlInvalid,
    WooCommerceCredentials,
    WooCommerceFulfilmentSettings,
    WooCommerceOrderSettings,
    normalise_store_url,
)
from .refs import delivery_url
from .settings import webhook_secret
from .webhooks import ensure_webhooks, remove_webhooks


def _session() -> UpstreamSession:
    """A person is waiting: few tries, short waits — and still the store's shared budget, so a check made while
    workers use the store never pushes it over its rate."""
    return UpstreamSession(UPSTREAM, policy=INTERACTIVE, budget=store_budget(interactive=True))


def discover(credentials: WooCommerceCredentials, *, session: UpstreamSession | None = None) -> dict[str, Any]:
    """Check a store URL and key the way docs/woocommerce.md "Configure" describes; return what we learnt."""
    try:
        store_url = normalise_store_url(credentials.store_url)
    except StoreUrlInvalid as exc:
        raise CredentialsRejected(f"The store URL {exc}", field="storeUrl",
                                  resolution="Enter the store's address, e.g. https://shop.example.com.") from None
    make = session or _session()
    client = WooCommerceClient(store_url=store_url, consumer_key=credentials.consumer_key,
                               consumer_secret=SecretStr(credentials.consumer_secret), session=make)
    index = _index(client)
    query_string_auth = _check_read(client)
    if query_string_auth:
        client.query_string_auth = True
    _check_write(client)
    return {
        "storeUrl": store_url,
        "home": index.home,
        "trackingNamespace": index.tracking_namespace,
        "timezone": index.timezone_string,
        "gmtOffset": index.gmt_offset,
        "queryStringAuth": query_string_auth,
        "checkedAt": utc_iso(utcnow()),
    }


def _index(client: WooCommerceClient) -> StoreIndex:
    url = client.store_url
    try:
        index = client.index()
    except UpstreamUnavailable as exc:
        raise CredentialsRejected(
            f"Could not reach a web site at {url} ({exc})", field="storeUrl",
            resolution="Check the store URL is the address WordPress is installed at and that the site is up.",
        ) from None
    except UpstreamError:
        plain = WooCommerceClient(store_url=url, consumer_key=client.consumer_key,
                                  consumer_secret=SecretStr("-"), session=client.http, plain_permalinks=True)
        try:
            plain.index()
        except UpstreamError:
            raise CredentialsRejected(
                f"{url} does not answer as a WordPress site with its REST API (/wp-json/ was not found)",
                field="storeUrl",
                resolution="Enter the address WordPress is installed at (e.g. https://shop.example.com, or "
                           "https://example.com/shop for a store in a folder), and check no security plugin "
                           "blocks the REST API.",
            ) from None
        raise CredentialsRejected(
            f"{url} uses plain permalinks, which turn off the WooCommerce REST API's /wp-json/ addresses",
            field="storeUrl",
            resolution="In WordPress go to Settings → Permalinks, choose any structure other than Plain "
                       "(e.g. Post name), save, then check the connection again.",
        ) from None
    if not index.has_woocommerce:
        raise CredentialsRejected(
            f"{url} is a WordPress site without WooCommerce's REST API ({API})", field="storeUrl",
            resolution="Check the address is the WooCommerce store's, and that WooCommerce 3.5 or later is "
                       "installed and active there.",
        )
    return index


def _check_read(client: WooCommerceClient) -> bool:
    """A read with the key; returns True when it only works with the key in the query string."""
    try:
        client.call("GET", f"/{API}/orders", params={"per_page": 1})
        return False
    except UpstreamAuthFailed as exc:
        text = str(exc)
        if "Consumer secret is invalid" in text:
            raise CredentialsRejected("WooCommerce refused the consumer secret", field="consumerSecret",
                                      resolution=BAD_KEY_RESOLUTION) from None
        if "woocommerce_rest_cannot_" not in text or exc.status == 403:
            field = "consumerKey"
            resolution = CAPABILITY_RESOLUTION if exc.status == 403 else BAD_KEY_RESOLUTION
            raise CredentialsRejected(f"WooCommerce refused the key: {text.split(': ', 1)[-1]}", field=field,
                                      resolution=resolution) from None
    # Not authenticated at all: some hosts strip the Authorization header. WooCommerce also takes the key in the
    # query string over HTTPS (WC-DOCS "Authentication"); use that for this store if it works.
    fallback = WooCommerceClient(store_url=client.store_url, consumer_key=client.consumer_key,
                                 consumer_secret=client._secret, session=client.http, query_string_auth=True)
    try:
        fallback.call("GET", f"/{API}/orders", params={"per_page": 1})
    except UpstreamAuthFailed:
        raise CredentialsRejected(
            "WooCommerce did not accept the key (the request arrived unauthenticated)", field="consumerKey",
            resolution=BAD_KEY_RESOLUTION) from None
    return True


def _check_write(client: WooCommerceClient) -> None:
    try:
        client.probe_write()
    except UpstreamAuthFailed as exc:
        if "write permission" in str(exc):
            raise CredentialsRejected("The REST API key is read-only; the integration must update orders",
                                      field="consumerKey", resolution=READ_ONLY_RESOLUTION) from None
        raise CredentialsRejected(f"WooCommerce refused a write with this key: {exc}", field="consumerKey",
                                  resolution=CAPABILITY_RESOLUTION) from None


class WooCommerceType(IntegrationType):
    key: ClassVar[str] = PLATFORM
    title: ClassVar[str] = "WooCommerce"
    credentials_model: ClassVar[type[BaseModel]] = WooCommerceCredentials
    order_settings_model: ClassVar[type[BaseModel]] = WooCommerceOrderSettings
    fulfilment_settings_model: ClassVar[type[BaseModel]] = WooCommerceFulfilmentSettings
    state_secrets: ClassVar[tuple[str, ...]] = ("webhookSecret",)

    def account_identity(self, credentials: BaseModel, facts: dict[str, Any]) -> str | None:
        """The store, by the address WordPress reports for it (``home``), else the normalised URL we checked."""
        return str(facts.get("home") or facts.get("storeUrl") or "").rstrip("/").lower() or None

    def check_live(self, credentials: BaseModel, platform_state: Mapping[str, Any]) -> list[Finding]:
        from .assumptions import check_live

        return check_live(credentials, platform_state)

    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        model = credentials if isinstance(credentials, WooCommerceCredentials) else \
            WooCommerceCredentials.model_validate(credentials.model_dump())
        return discover(model)

    def start(self, context: IntegrationContext) -> dict[str, Any]:
        integration = context.integration
        state = integration.platform_state
        client = client_from(context.credentials, query_string_auth=bool(state.get("queryStringAuth")))
        store_url = credential(context.credentials, "storeUrl")
        vault = core().vault
        secret = webhook_secret(integration) if state.get("webhookStoreUrl") == store_url else None
        if secret is None:
            # A new store (or the first start) gets a new secret: a previous store's leftover webhooks then fail
            # their signature check, and WooCommerce disables them.
            secret = secrets.token_urlsafe(32)
        sealed = vault.seal({"secret": secret}, tenant_id=integration.tenant_id,
                            integration_id=integration.integration_id)
        url = delivery_url(context.api_base_url, integration.integration_id)
        registered = ensure_webhooks(client, integration_id=integration.integration_id, delivery_url=url,
                                     secret=SecretStr(secret))
        try:
            tracking = client.index().tracking_namespace
        except UpstreamError:
            tracking = state.get("trackingNamespace")
        core().integrations.forget(integration.integration_id)
        return {
            "webhookSecret": sealed,
            "webhookStoreUrl": store_url,
            "deliveryUrl": url,
            "webhooks": registered,
            "trackingNamespace": tracking,
            "startedAt": utc_iso(utcnow()),
        }

    def stop(self, context: IntegrationContext) -> None:
        integration = context.integration
        url = integration.platform_state.get("deliveryUrl") or delivery_url(context.api_base_url,
                                                                            integration.integration_id)
        client = client_from(context.credentials,
                             query_string_auth=bool(integration.platform_state.get("queryStringAuth")))
        # A revoked key or a store that is gone can't be cleaned: leftover webhooks get 410 from our door from now
        # on, and WooCommerce disables a webhook after repeated failed deliveries.
        with suppress(UpstreamAuthFailed, UpstreamNotFound):
            remove_webhooks(client, delivery_url=url)
        core().integrations.forget(integration.integration_id)


INTEGRATION_TYPE = WooCommerceType()
