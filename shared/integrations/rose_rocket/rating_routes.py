"""Rating Rose Rocket orders with the WMS's rating engine (docs/rose-rocket.md "Rating", openapi/rose-rocket.yaml),
served by functions/rose_rocket_rating:

- ``POST /tenants/{tenantId}/integrations/{integrationId}/orders/{roseRocketOrderId}/rates`` — the rates, as line
  items, under a ``quoteId``;
- ``POST …/orders/{roseRocketOrderId}/rates/{quoteId}/save`` — those rates (all, or ``{"lineItemIds": [...]}``)
  written onto the order's sell quote.

For the Rose Rocket widget: authenticated with the integration's **rating credential** (``Authorization: Bearer
rrrate_…``; never a management token), compared as a hash in constant time — anything else is 401 before anything is
read. Requirements the order lacks are one 422 naming each; "no matching rate" in the WMS is a 422 too; an invoiced
order is 409; Rose Rocket or the WMS unavailable is 503 with ``Retry-After`` (the errors' own answers:
``integrations.management.http.problem_for``).
"""

from __future__ import annotations

import re
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from ..core.doors import BadBody, json_body, raw_body
from ..core.integration_record import Integration
from ..management.errors import InvalidRequest
from ..management.http import Routes, require_media
from . import rating

logger = Logger(child=True)
metrics = Metrics()
JSON = "application/json"
BASE = "/tenants/<tenant_id>/integrations/<integration_id>/orders/<order_id>/rates"
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
QUOTE_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_BODY_BYTES = 16 * 1024


def refused(field: str, reason: str) -> InvalidRequest:
    return InvalidRequest(f"{field} {reason}", field=field)


class RatingRoutes(Routes):
    """The rating routes on one resolver (authenticated by the rating credential, not a management token)."""

    routes = (
        ("POST", BASE, "rate"),
        ("POST", f"{BASE}/<quote_id>/save", "save"),
    )

    def checked(self, tenant_id: str, integration_id: str, order_id: str) -> Integration:
        """The integration whose rating credential was sent (401 otherwise, logged and counted), for an order id."""
        try:
            integration = rating.authenticate(tenant_id, integration_id, self.event.headers.get("authorization"))
        except rating.RatingCredentialRefused as exc:
            logger.warning("Refused a rating call", extra={"reason": str(exc)})
            metrics.add_metric(name="RoseRocketRatingRefused", unit=MetricUnit.Count, value=1)
            raise
        if not UUID.fullmatch(order_id):
            raise refused("roseRocketOrderId", "must be a Rose Rocket record id (a UUID)")
        return integration

    def rate(self, tenant_id: str, integration_id: str, order_id: str) -> Response[Any]:
        integration = self.checked(tenant_id, integration_id, order_id)
        stored = rating.rate(integration, order_id)
        metrics.add_metric(name="RoseRocketOrdersRated", unit=MetricUnit.Count, value=1)
        return Response(status_code=200, content_type=JSON, body=stored.to_json(),
                        headers={"Cache-Control": "no-store"})

    def save(self, tenant_id: str, integration_id: str, order_id: str, quote_id: str) -> Response[Any]:
        integration = self.checked(tenant_id, integration_id, order_id)
        if not QUOTE_ID.fullmatch(quote_id):
            raise refused("quoteId", "must be the quoteId the rates answered")
        saved = rating.save(integration, order_id, quote_id, self.chosen_lines())
        metrics.add_metric(name="RoseRocketRatesSaved", unit=MetricUnit.Count, value=1)
        return Response(status_code=200, content_type=JSON, body=saved)

    def chosen_lines(self) -> list[str] | None:
        """``{"lineItemIds": ["1", "3"]}``, or no body (every line)."""
        event = self.event
        body = raw_body(event.body, bool(event.is_base64_encoded))
        if len(body) > MAX_BODY_BYTES:
            raise refused("body", f"may be at most {MAX_BODY_BYTES} bytes")
        if not body.strip():
            return None
        require_media(event)  # 415 naming Content-Type
        try:
            payload = json_body(body)
        except BadBody as exc:
            raise refused(exc.field, exc.reason) from None
        if not isinstance(payload, dict) or set(payload) - {"lineItemIds"}:
            raise refused("body", "must be an object with only lineItemIds")
        ids = payload.get("lineItemIds")
        if ids is None:
            return None
        if not isinstance(ids, list) or len(ids) > 100 or not all(isinstance(i, str) and 0 < len(i) <= 16
                                                                  for i in ids):
            raise refused("lineItemIds", "must be a list of line ids (strings) as the rates answered them")
        return [str(i) for i in ids]
