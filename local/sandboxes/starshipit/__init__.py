"""A stateful fake of Starshipit's REST API (``https://api.starshipit.com/api``): the subset our connector uses,
faithful to platform-apis.md §4, platform-apis-followup.md ("Starshipit") and the examples in
``tests/fixtures/vendor/starshipit/`` (SOURCES.md). Where those are silent the choice is marked GUESS.

- **The gateway** (Azure API Management) in front of the API: ``Ocp-Apim-Subscription-Key`` missing or unknown →
  401 ``{"statusCode", "message"}`` in APIM's own words; a sliding second of ``rateLimitPerSecond`` calls per
  subscription (2 Developer, 20 Production) → 429 ``"Rate limit is exceeded. Try again in N seconds."`` with
  ``Retry-After`` (switchable off: whether Starshipit sends one is unconfirmed). Then ``StarShipIT-Api-Key`` selects
  the account (GUESS: a wrong one is 401 in the API's envelope).
- **Orders**: ``POST /api/orders {"order"}`` validated as a whole (the envelope ``{"success": false, "errors":
  [{"message", "details"}]}``, one entry per field, ``details`` naming it — GUESS), order numbers unique per account;
  ``GET /api/orders?order_id=|order_number=`` (404 when none — GUESS) or the list; ``DELETE`` (unshipped only);
  ``GET /api/orders/unshipped`` and ``/api/orders/shipped`` with ``since_last_updated`` (UTC; default the last 24 h),
  ``limit`` ≤ 250, ``page``, ``ids_only``. Statuses Unshipped → Printed → Shipped; a printed order is listed as
  shipped (GUESS).
- **Labels**: ``POST /api/orders/shipment`` prints: a tracking number per package, one real PDF label (base64),
  status Printed; printing again is refused (GUESS) and ``reprint: true`` returns the label made before, never a
  second shipment.
- **Tracking webhooks** on print, ship and every tracking move, to the account's notification URL, signed in
  ``X-Starshipit-Signature`` = hex HMAC-SHA256 of the body with its secret (the follow-up research's reading).
- **Control API** (``/_control/accounts…``) acts as the account's user, warehouse and courier: add accounts, set the
  notification URL and secret, regenerate the API key, set the rate limit, list orders, ship an order (with a given
  tracking number and carrier), move its tracking status; plus the base frame's faults and request log.

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
