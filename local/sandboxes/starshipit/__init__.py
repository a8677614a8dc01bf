"""A stateful fake of Starshipit's REST API (``https://api.starshipit.com/api``): the subset our connector uses,
faithful to platform-apis.md §4, platform-apis-followup.md ("Starshipit") and the examples in
``tests/fixtures/vendor/starshipit/`` (SOURCES.md). Where those are silent the choice is marked GUESS.

- **The gateway** (Azure API Management) in front of the API: ``Ocp-Apim-Subscription-Key`` missing or unknown →
  401 ``{"statusCode", "message"}`` in APIM's own words; a sliding second of ``rateLimitPerSecond`` calls per
  subscription (2 Developer, 20 Production) → 429 ``"Rate limit is exceeded. Try again in N seconds."`` with
  ``Retry-After`` (switchable off: whether Starshipit sends one is unconfirmed). Then ``StarShipIT-Api-Key`` selects
  the account (GUESS: a wrong one is 401 in the API's envelope).
- **Orders**: ``POST /api/orders {"order"}`` validated as a whole against the create-order page's field table
  (order number 1–50 characters, reference ≤ 50, the destination with its name, street and country, text limits,
  item quantities, the account's couriers; the envelope ``{"success": false, "errors": [{"message", "details"}]}``,
  one entry per field, ``details`` naming it — GUESS), order numbers unique per account; the order is kept
  **whole** (every field sent, as sent) with Starshipit's additions (``order_id``, carrier, ``item_id``,
  ``quantity_to_ship``, a default package, ``declared_value``, status); ``PUT /api/orders`` (unshipped: every field
  but the read-only ones; printed or shipped: ``status`` only); ``GET /api/orders?order_id=|order_number=`` (404
  when none — GUESS) or the list; ``GET /api/orders/search?phrase=&limit=&page=`` (printed orders in the search
  example's shape; the parameter's name is a GUESS); ``DELETE`` (unshipped only); ``GET /api/orders/unshipped`` and
  ``/api/orders/shipped`` with ``since_last_updated`` (UTC; default the last 24 h), ``limit`` ≤ 250, ``page``,
  ``ids_only``. Statuses Unshipped → Printed → Shipped; a printed order is listed as shipped (GUESS).
- **Labels**: ``POST /api/orders/shipment`` prints: a tracking number per package, one real PDF label (base64),
  status Printed; printing again is refused (GUESS) and ``reprint: true`` returns the label made before, never a
  second shipment. ``carrier``/``carrier_service_code``/``packages`` sent with it are used.
- **Tracking webhooks** on print, ship and every tracking move, to the account's notification URL, signed in
  ``X-Starshipit-Signature`` = hex HMAC-SHA256 of the body with its secret (the follow-up research's reading).
- **Dialects** (``dialect={…}``, ``GET/PUT /_control/dialect``; the connector's assumptions): ``retry-after``
  sent|absent (the 429's header), ``webhook-signature`` hex|base64,
  ``order-lookup-missing`` 404|empty|unsuccessful (what ``GET /api/orders`` answers for no such order: 404, a 200
  with ``"order": null``, or a 200 with ``success: false``), ``print-label-carrier`` optional|required.
- **Request bodies**: every vendor request is kept with its query and JSON body (:meth:`~.state.StarshipitState.sent`;
  ``GET /_control/requests?bodies=true``); the base ``request_log`` keeps its 3-tuples.
- **Control API** (``/_control/accounts…``) acts as the account's user, warehouse and courier, and as Starshipit:

  - ``POST /_control/accounts {id?, name?, apiKey?, subscriptionKey?, tier?, rateLimitPerSecond?, retryAfter?,
    webhookUrl?, webhookSecret?}``; ``GET|PATCH /_control/accounts/{id}`` (``rateLimitPerSecond``, ``retryAfter``,
    ``defaultCarrier``);
  - ``PUT /_control/accounts/{id}/webhook {url, secret?}`` / ``DELETE …/webhook``; ``POST …/api-key {apiKey?}``;
  - ``POST /_control/accounts/{id}/orders`` with Starshipit's own JSON **as it is** — ``{"order": {…}}`` (the
    create-order request or answer, the update-order request) or ``{"orders": […]}`` (a list or search answer) —
    each order stored whole (an order without ``order_id`` gets one; nothing else added) → ``201 {"orders": […]}``;
    ``GET …/orders`` and ``GET …/orders/{orderId}`` serve them back unchanged;
  - ``POST /_control/accounts/{id}/webhook-deliveries`` with a tracking webhook's JSON as it is: sent byte for byte
    to the notification URL, signed when the account has a secret → the delivery and its status;
  - ``POST …/orders/{orderId}/ship {trackingNumber?, carrier?, carrierServiceCode?}``,
    ``POST …/orders/{orderId}/tracking {status}``;
  - plus the base frame's faults, request log (``?bodies=true``), webhooks list and dialect.

Run standalone: ``python -m local.sandboxes.starshipit --port 0`` prints the base URL.

Layout: :mod:`.sandbox` lists the routes; :mod:`.state` holds accounts and the gateway; :mod:`.orders` and
:mod:`.shipments` are the API (and the courier's side); :mod:`.control` is the ``/_control/`` API; :mod:`.pdf` makes
the labels; :mod:`.model` holds the vocabulary; :mod:`.demo` is the local stack's plug-in.
"""

from .demo import DEMO_ACCOUNT, DEMO_API_KEY, DEMO_SUBSCRIPTION_KEY, DEMO_WEBHOOK_SECRET, plugin
from .model import (
    API_KEY_HEADER,
    COURIERS,
    PRINTED,
    RATE_LIMITS,
    SHIPPED,
    SIGNATURE_HEADER,
    SUBSCRIPTION_HEADER,
    TRACKING_STATUSES,
    UNSHIPPED,
)
from .pdf import label_pdf
from .sandbox import StarshipitSandbox
from .state import Account

__all__ = [
    "API_KEY_HEADER",
    "COURIERS",
    "DEMO_ACCOUNT",
    "DEMO_API_KEY",
    "DEMO_SUBSCRIPTION_KEY",
    "DEMO_WEBHOOK_SECRET",
    "PRINTED",
    "RATE_LIMITS",
    "SHIPPED",
    "SIGNATURE_HEADER",
    "SUBSCRIPTION_HEADER",
    "TRACKING_STATUSES",
    "UNSHIPPED",
    "Account",
    "StarshipitSandbox",
    "label_pdf",
    "plugin",
]
