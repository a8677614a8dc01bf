"""What the WooCommerce connector assumes about a store (core.assumptions), and the live check that probes them.

WooCommerce is open source and its REST API documented, so most of these are the vendor's own word (WC-DOCS:
woocommerce/woocommerce-rest-api-docs; WC-SRC: woocommerce/woocommerce). What a store adds — hosting that strips
headers, permalinks, the Shipment Tracking extension, its time zone — differs per store, so the check reads it from
the store itself. No question here is open in a way a sandbox could answer otherwise, so the sandbox has no dialects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core.assumptions import DECIDED, Assumption

if TYPE_CHECKING:  # the declaration is read by every function: the probes' imports wait for a check to run
    from pydantic import BaseModel

    from ..core.live_check import Finding

REST_API = "rest-api"
ORDERS_READ = "orders-read"
WEBHOOKS_READ = "webhooks-read"
TRACKING_EXTENSION = "tracking-extension"
STORE_TIME_ZONE = "store-time-zone"

ASSUMPTIONS = (
    Assumption(REST_API, "The store answers GET /wp-json/ with the wc/v3 namespace (WooCommerce 3.5+, pretty "
               "permalinks)", "WC-DOCS Introduction, Authentication",
               "The authentication step is refused naming storeUrl (plain permalinks, not a WooCommerce site).",
               check="GET /wp-json/ lists wc/v3"),
    Assumption(ORDERS_READ, "The key reads orders: GET /wc/v3/orders with HTTP Basic over HTTPS, or with the key in "
               "the query string where the host strips the Authorization header", "WC-DOCS Authentication",
               "Orders can't be read: the credentials are refused naming consumerKey; nothing syncs until a "
               "Read/Write key is saved.", check="GET /wc/v3/orders?per_page=1"),
    Assumption(WEBHOOKS_READ, "The key lists the store's webhooks (GET /wc/v3/webhooks), so each poll can see ours "
               "and re-create or re-activate them", "WC-DOCS Webhooks",
               "The poll can't heal webhooks; orders still arrive by the poll within about 5 minutes.",
               check="GET /wc/v3/webhooks?per_page=1"),
    Assumption(TRACKING_EXTENSION, "Tracking numbers are written through the Shipment Tracking extension "
               "(wc-shipment-tracking/v3) when the store has it", "woocommerce.com Shipment Tracking REST API",
               "Without the extension, tracking goes on the order as a note the customer sees; nothing is lost.",
               check="GET /wp-json/ lists wc-shipment-tracking/v3"),
    Assumption(STORE_TIME_ZONE, "The store reports its time zone (timezone_string or gmt_offset in /wp-json/), and "
               "order dates are asked for in UTC (dates_are_gmt=true, WooCommerce 5.8+)", "WC-DOCS Orders",
               "Dates are read as UTC; a store older than 5.8 ignores dates_are_gmt and its poll window shifts by "
               "its UTC offset — the poll overlaps windows, so orders are late, never missed.",
               check="GET /wp-json/ gives timezone_string or gmt_offset"),
    Assumption("webhook-signature", "Deliveries are signed: X-WC-Webhook-Signature = base64 HMAC-SHA256 of the raw "
               "body with the webhook's secret; the first delivery of a new webhook is an unsigned form-encoded "
               "ping (webhook_id=N)", "WC-SRC WC_Webhook::generate_signature, ::deliver_ping",
               "Every delivery would be refused (401) and WooCommerce would disable the webhook after 5 failures; "
               "the poll still brings every order within about 5 minutes and re-activates the webhook."),
    Assumption("disabled-after-failures", "WooCommerce disables a webhook after 5 consecutive failed deliveries",
               "WC-SRC WC_Webhook::failed_delivery", "The poll looks at our webhooks every run and re-activates a "
               "disabled one; orders still arrive by the poll."),
    Assumption("requests-per-second", "A store takes about 3 requests a second from us without slowing down "
               "(shared hosting serves ~2–5)", DECIDED,
               "A slower store answers 429/5xx or times out: calls are retried with backoff honouring Retry-After, "
               "never lost."),
)


def check_live(credentials: BaseModel, platform_state: Mapping[str, Any]) -> list[Finding]:
    """Read-only: the REST index and one page of orders and of webhooks (no write probe, unlike the step check)."""
    from pydantic import SecretStr

    from ..core.errors import UpstreamError
    from ..core.live_check import confirmed, could_not_check, refuted
    from .client import API, WooCommerceClient
    from .integration_type import _session
    from .models import TRACKING_NAMESPACE, WooCommerceCredentials, normalise_store_url

    given = WooCommerceCredentials.model_validate(credentials.model_dump(by_alias=True))
    client = WooCommerceClient(store_url=normalise_store_url(given.store_url), consumer_key=given.consumer_key,
                               consumer_secret=SecretStr(given.consumer_secret), session=_session(),
                               query_string_auth=bool(platform_state.get("queryStringAuth")))
    findings: list[Finding] = []
    try:
        index = client.index()
    except UpstreamError as exc:
        findings.append(could_not_check(REST_API, f"GET /wp-json/ failed: {exc}", exc.resolution))
    else:
        namespaces = ", ".join(index.namespaces[:12])
        findings.append(confirmed(REST_API, f"/wp-json/ lists {API}") if index.has_woocommerce
                        else refuted(REST_API, f"/wp-json/ lists no {API} (namespaces: {namespaces})"))
        findings.append(confirmed(TRACKING_EXTENSION, f"/wp-json/ lists {TRACKING_NAMESPACE}")
                        if index.tracking_namespace else
                        refuted(TRACKING_EXTENSION, f"/wp-json/ lists no {TRACKING_NAMESPACE}: the Shipment "
                                "Tracking extension is not active", "Tracking numbers go on the order as a note "
                                "the customer sees. Activate the extension in WordPress to show them as tracking."))
        zone = index.timezone_string or (f"UTC{index.gmt_offset:+g}" if index.gmt_offset is not None else "")
        findings.append(confirmed(STORE_TIME_ZONE, f"the store's time zone is {zone}") if zone else
                        refuted(STORE_TIME_ZONE, "/wp-json/ reports neither timezone_string nor gmt_offset"))
    for key, route in ((ORDERS_READ, f"/{API}/orders"), (WEBHOOKS_READ, f"/{API}/webhooks")):
        try:
            client.call("GET", route, params={"per_page": 1})
        except UpstreamError as exc:
            findings.append(refuted(key, f"GET {route} failed: {exc}", exc.resolution) if not exc.retryable
                            else could_not_check(key, f"GET {route} failed: {exc}", exc.resolution))
        else:
            findings.append(confirmed(key, f"GET {route} answered with the key"))
    return findings
