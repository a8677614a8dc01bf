"""A stateful fake of Rose Rocket's Platform Model API (v2, ``/api/v2/platformModel``) and its Auth0 token endpoint:
the subset our connector uses, faithful to platform-apis.md §5.2, platform-apis-followup.md ("Rose Rocket") and the
examples in ``tests/fixtures/vendor/rose_rocket/`` (SOURCES.md). Where those are silent the choice is marked GUESS
and listed in docs/rose-rocket.md ("Decisions").

- **Auth**: ``POST /oauth/token`` — client credentials for a service account (``org_id``, ``user_id``, audience
  ``https://roserocket.com``) → a bearer token; rotating the application's secret revokes it at once.
- **Objects**: ``objectKey`` + ``json`` records (customer, order, task, stop, address, commodity, service type,
  quote, financial line item, invoice, webhook destination/subscription) with ``id``, ``fullId`` (``CUST-9``,
  ``O-19``), ``externalId``, ``status``, ``version``, ``createdAt``/``updatedAt``; create, upsert by ``externalId``,
  read (``?paths=`` expands connected objects), update, delete, search a board; NestJS errors.
- **Webhooks**: "Order Status Changed" in the v2 envelope, unsigned, to each destination created through the API;
  sometimes twice, never retried.
- **Limits and faults**: a per-organisation rate limit (429 with ``Retry-After``) and the base frame's faults.
- **Control API** (``/_control/orgs…``) acts as the organisation's admin and as a dispatcher: customers, orders
  (create, move to Delivered, edit, delete), secret rotation, webhook duplication.

Run standalone: ``python -m local.sandboxes.rose_rocket --port 0`` prints the base URL.

Layout: :mod:`.sandbox` lists the routes; :mod:`.state` holds organisations, tokens, the limit and webhooks;
:mod:`.records` the objects; :mod:`.api` is the vendor API; :mod:`.control` the ``/_control/`` API; :mod:`.model` the
vocabulary; :mod:`.demo` the local stack's plug-in.
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
