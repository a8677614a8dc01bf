"""A stateful fake of Unleashed: the API our connector uses, its signature check, quota, webhook subscriptions and
signed deliveries, and a control API acting as the Unleashed user.

Faithful to UL-DOC (apidocs.unleashedsoftware.com: AuthenticationHelp, Pagination, SalesOrders, SalesShipments,
Webhooks), the captured responses in ``tests/fixtures/vendor/unleashed/`` (SOURCES.md) and platform-apis-followup.md;
where those are silent the choice is marked GUESS (each an assumption in docs/unleashed.md "Assumptions"; the open
questions are dialect switches: ``subscription-api``, ``serial-batch``).

- **Accounts** on one host, each with its API ID and key, company and time zone, warehouses, products, shipping
  companies, **Order Management on or off**, and a monthly **call limit** (every call refused at 100 % until the 1st);
- **Auth**: ``api-auth-signature`` = Base64(HMAC-SHA256(key, the raw query string)), else ``403``;
- **Sales orders and shipments** in Unleashed's field names, ``Pagination`` + ``Items`` envelopes, ``\\/Date(ms)\\/``
  dates (calendar dates at 00:00 UTC), shipments per order, lines' batch and serial numbers only with
  ``serialBatch=true``, the whole-object ``PUT`` of a shipment with Unleashed's rules (what is left out is wiped;
  lines required, only comments and tracking after dispatch, no status with Order Management off, known shipping
  companies only); products (``NeverDiminishing``), shipping companies, the organisation;
- **Unleashed's own records kept whole**: its SalesOrder JSON (or a page of them) loads through the control API as it
  is and is served back unchanged (:mod:`.records`);
- **Webhooks**: at most 5 subscriptions per account; ``salesorder.created|updated`` deliveries signed over
  timestamp and body with the subscription's key;
- the base frame's **faults**, request log and webhook log (``/_control/faults``, ``/_control/requests`` — with
  ``?bodies=1`` each request's query and body —, ``/_control/webhooks``, ``/_control/dialect``). The control routes
  are listed in :mod:`.sandbox` and docs/unleashed.md "The sandbox".

Run standalone: ``python -m local.sandboxes.unleashed --port 0`` prints the base URL.

Layout: :mod:`.model` (constants, wire forms, the account), :mod:`.state` (the gate: auth and quota; answers),
:mod:`.orders` (orders, shipments, the organisation), :mod:`.webhooks` (subscriptions, deliveries),
:mod:`.control` (the ``/_control/`` API), :mod:`.records` (vendor records kept whole), :mod:`.sandbox` (the routes),
:mod:`.demo` (the local stack's plug-in).
"""

from .demo import DEMO_API_ID, DEMO_API_KEY, plugin
from .model import Account, UnleashedError, body_json, parse_wire, wire, wire_day
from .sandbox import UnleashedSandbox
from .state import signature
from .webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

__all__ = [
    "DEMO_API_ID",
    "DEMO_API_KEY",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Account",
    "UnleashedError",
    "UnleashedSandbox",
    "body_json",
    "parse_wire",
    "plugin",
    "sign",
    "signature",
    "wire",
    "wire_day",
]
