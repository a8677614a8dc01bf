"""A stateful fake of Rose Rocket's Platform Model API (v2, ``/api/v2/platformModel``) and its Auth0 token endpoint:
the subset our connector uses, faithful to platform-apis.md §5.2, platform-apis-followup.md ("Rose Rocket") and the
examples in ``tests/fixtures/vendor/rose_rocket/`` (SOURCES.md). Where those are silent the choice is marked GUESS;
where the connector relies on the answer it is an assumption (docs/rose-rocket.md "Assumptions") and the sandbox
offers each answer as a dialect.

- **Auth**: ``POST /oauth/token`` — client credentials for a service account (``org_id``, ``user_id``, audience
  ``https://roserocket.com``, or the API's base URL in ``token-audience: api-base-url``) → a bearer token; rotating
  the application's secret revokes it at once.
- **Objects**: ``objectKey`` + ``json`` records (customer, order, task, stop, address, commodity, service type,
  quote, financial line item, invoice, webhook destination/subscription) with ``id``, ``fullId`` (``CUST-9``,
  ``O-19``), ``externalId``, ``status``, ``version``, ``createdAt``/``updatedAt``; create, upsert by ``externalId``,
  read (``?paths=`` expands connected objects; an unknown path is a 400 naming it), update, delete, search a board;
  NestJS errors. Unknown fields, bad enum values and read-only fields are refused, every problem listed.
- **Webhooks**: "Order Status Changed" in the v2 envelope, unsigned, to each destination created through the API;
  sometimes twice; a failed delivery retried 3 times 30 s apart (or never: dialect ``webhook-retries``).
- **Limits and faults**: a per-organisation rate limit (429 with ``Retry-After``) and the base frame's faults.
- **Dialects** (``GET|PUT /_control/dialect``, or ``RoseRocketSandbox(dialect={...})``): ``token-audience``
  (``roserocket-com`` | ``api-base-url``), ``status-spelling`` (``lowercase`` | ``capitalised``: order statuses in
  answers, webhooks and search filters, and the spelling writes must use), ``connected-paths`` (``accepted`` |
  ``refused``: the order paths its page doesn't list — ``serviceType``, ``invoice…``, ``tasks.stops.address``),
  ``service-type-object`` (``present`` | ``absent``: no ``serviceType`` object, nor the field on orders),
  ``webhook-retries`` (``three-times-30s`` | ``none``).

Control API (``/_control/…``: acts as the organisation's admin and as a dispatcher; never faulted or limited):

- ``POST /_control/orgs`` ``{id?, name?, clientId?, clientSecret?, serviceAccountUserId?, rateLimitPerMinute?}``;
  ``GET|PATCH /_control/orgs/{org}`` ``{rateLimitPerMinute?, retryAfter?, duplicateWebhookPercent?}``;
  ``POST …/client-secret`` ``{clientSecret?}`` (rotate); ``POST /_control/tokens/expire``;
- ``POST …/customers`` ``{name, externalId?}``; ``GET …/objects?objectKey=order``;
- ``POST …/orders`` ``{customerId, refNum?, pickup, delivery, deliveryInstructions?, commodities, serviceTypeId?}``;
  ``GET|PATCH|DELETE …/orders/{id}``; ``POST …/orders/{id}/status`` ``{status}`` (either spelling; sends "Order
  Status Changed"); ``POST …/orders/{id}/sell-quote/line-items``; ``POST …/objects`` ``{objectKey, json}``;
  ``PATCH …/invoices/{id}`` ``{status?, voided?, notes?}``;
- **Rose Rocket's own examples, as they are**: ``POST /_control/orgs/{org}/examples[?customerId=…]`` with the
  example's JSON unchanged as the body — a v1 order (``GET /api/v1/customers/{c}/orders/{o}``'s answer, converted
  to the platform model: :mod:`.examples`) or a platform-model create body ``{objectKey, json}`` (``customerId``
  replaces a placeholder customer such as ``"<customerId>"``) → ``201 {id, objectKey, fullId, loadedAs, record}``;
  ``GET /_control/orgs/{org}/examples/{id}`` → ``{original, record}``: the example exactly as loaded, and the record
  as the API shows it now (also readable at ``GET /objects/{id}``). Loading sends no webhook;
- ``GET /_control/request-bodies?path=<regex>&method=`` → ``[{method, path, query, status, body}]``: every vendor
  request with its body (JSON parsed; ``client_secret`` masked) beside the request log;
- ``POST /_control/webhooks/retries`` → ``{sent, pending}``: every pending webhook retry sent now (as if its
  30 seconds had passed; served over HTTP, a timer sends them);
- and the base frame's ``/_control/faults``, ``/_control/requests``, ``/_control/reset``, ``/_control/webhooks``.

Run standalone: ``python -m local.sandboxes.rose_rocket --port 0`` prints the base URL.

Layout: :mod:`.sandbox` lists the routes; :mod:`.state` holds organisations, tokens, the limit, webhooks, retries and
request bodies; :mod:`.records` the objects; :mod:`.api` is the vendor API and the dialects at its edge;
:mod:`.control` the ``/_control/`` API; :mod:`.examples` loads vendor examples; :mod:`.model` the vocabulary and
the dialects; :mod:`.demo` the local stack's plug-in.
"""

from .demo import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_ORG_ID, DEMO_SERVICE_USER, plugin
from .model import API_PREFIX, AUDIENCE, ORDER_PATHS, ORDER_STATUSES
from .sandbox import RoseRocketSandbox
from .state import Organization

__all__ = [
    "API_PREFIX",
    "AUDIENCE",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_ORG_ID",
    "DEMO_SERVICE_USER",
    "ORDER_PATHS",
    "ORDER_STATUSES",
    "Organization",
    "RoseRocketSandbox",
    "plugin",
]
