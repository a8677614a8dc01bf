"""A stateful fake of WooCommerce stores: the REST API (``wc/v3``) our connector uses, webhooks as WooCommerce
delivers them, and the Shipment Tracking extension (``wc-shipment-tracking/v3``), on or off per store.

Faithful to WC-DOCS (woocommerce/woocommerce-rest-api-docs ``wp-api-v3``), WooCommerce's webhook code
(``class-wc-webhook.php``: delivery headers, signature, ping, no retry, disable after failures) and the examples in
``tests/fixtures/vendor/woocommerce/`` (SOURCES.md). Where those are silent the choice is marked GUESS.

- **Stores** live under a path prefix: store ``shop`` is ``{sandbox base URL}/shop`` (a WordPress site in a folder),
  so one sandbox serves many stores in-process (``responses``) and over HTTP alike. Its REST API is at
  ``/shop/wp-json/…`` and, as WordPress also serves it, ``/shop/?rest_route=/…``. A store in *plain permalinks*
  mode answers ``/wp-json/`` with WordPress's HTML 404 page (the REST API is then reachable only by ``rest_route``).
- **Keys**: HTTP Basic ``consumer_key:consumer_secret`` (or the same in the query string); Read, Write or
  Read/Write permissions checked by HTTP method before the route runs, with WooCommerce's own error codes and
  messages (``woocommerce_rest_authentication_error`` …), errors shaped ``{"code", "message", "data": {"status"}}``.
  GUESS/simplification: Basic auth is accepted over plain HTTP too (WooCommerce wants OAuth 1.0a there).
- **Orders**: list (``page``, ``per_page`` ≤ 100, ``status``, ``modified_after``/``before``, ``after``/``before``,
  ``dates_are_gmt``, ``orderby``, ``order``; ``X-WP-Total``/``X-WP-TotalPages``/``Link``), get, update, notes.
  Each store has a time zone (default Australia/Brisbane), so dates and their ``*_gmt`` twins differ and a client
  that forgets ``dates_are_gmt=true`` filters by the wrong time.
- **Webhooks**: CRUD (``secret`` write-only; delete needs ``force=true``); deliveries ``POST`` the order as the REST
  API shows it *when sent*, with the ``X-WC-Webhook-*`` headers and ``X-WC-Webhook-Signature`` = base64
  HMAC-SHA256 of the body (PHP ``wp_json_encode`` output: ``\\/`` and ``\\uXXXX`` escapes), never retried; a 2xx–302
  answer resets ``failure_count``, anything else increments it and a failure when it is already above
  ``max_failures`` (5) disables the webhook (so the 7th consecutive failure, as WooCommerce's code does it). Creating
  or activating a webhook sends the unsigned ping (form body ``webhook_id=N``). ``order.created`` is followed by
  ``order.updated`` for the same order (woocommerce#19764). Deliveries can be *held* and released later in any
  order, with payloads built at release (late payloads, out of order) and duplicates of a held delivery collapsed
  (Action Scheduler).
- **Control API** (``/_control/stores…``) acts as the shop: add stores and keys, place, edit and move orders,
  pause/disable/delete webhooks, hold and release deliveries, switch the tracking extension or permalinks.

Run standalone: ``python -m local.sandboxes.woocommerce --port 0`` prints the base URL.

Layout: :mod:`.sandbox` mixes the surfaces into :class:`WooCommerceSandbox` and lists its routes; :mod:`.state` holds
the stores, the clock and the error shape; :mod:`.rest` routes, authenticates and permits REST calls (and answers the
index); :mod:`.orders` (orders and notes), :mod:`.webhooks` (CRUD, deliveries, hold/release) and :mod:`.tracking`
(Shipment Tracking) are the surfaces; :mod:`.control` is the ``/_control/`` API; :mod:`.demo` is the local stack's
plug-in; :mod:`.model` holds the constants, the stored shapes and WordPress-style JSON.
"""

from .demo import DEMO_CONSUMER_KEY, DEMO_CONSUMER_SECRET, DEMO_STORE, plugin
from .model import (
    BASE_NAMESPACES,
    CANNOT,
    NOT_FOUND_HTML,
    ORDER_STATUSES,
    ORDERBY,
    PROVIDERS,
    TRACKING_NAMESPACE,
    USER_AGENT,
    WC_VERSION,
    WEBHOOK_STATUSES,
    WEBHOOK_TOPICS,
    WP_VERSION,
    ApiKey,
    RestHandler,
    Store,
    WcError,
    form_or_json,
    php_json,
)
from .sandbox import WooCommerceSandbox

__all__ = [
    "BASE_NAMESPACES",
    "CANNOT",
    "DEMO_CONSUMER_KEY",
    "DEMO_CONSUMER_SECRET",
    "DEMO_STORE",
    "NOT_FOUND_HTML",
    "ORDERBY",
    "ORDER_STATUSES",
    "PROVIDERS",
    "TRACKING_NAMESPACE",
    "USER_AGENT",
    "WC_VERSION",
    "WEBHOOK_STATUSES",
    "WEBHOOK_TOPICS",
    "WP_VERSION",
    "ApiKey",
    "RestHandler",
    "Store",
    "WcError",
    "WooCommerceSandbox",
    "form_or_json",
    "php_json",
    "plugin",
]
