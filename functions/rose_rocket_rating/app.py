"""Rating Rose Rocket orders with the WMS's rating engine (docs/rose-rocket.md "Rating", openapi/rose-rocket.yaml):

- ``POST /tenants/{tenantId}/integrations/{integrationId}/orders/{roseRocketOrderId}/rates`` — the rates, as line
  items, under a ``quoteId``;
- ``POST …/orders/{roseRocketOrderId}/rates/{quoteId}/save`` — those rates (all, or ``{"lineItemIds": [...]}``)
  written onto the order's sell quote.

A thin door for the Rose Rocket widget: authenticated with the integration's **rating credential**
(``Authorization: Bearer rrrate_…``; never a management token), compared as a hash in constant time — anything else
is 401 before anything is read. Requirements the order lacks are one 422 naming each; "no matching rate" in the WMS
is a 422 too; an invoiced order is 409; Rose Rocket or the WMS unavailable is 503 with ``Retry-After``.
"""

# Init runs with the garbage collector paused: what it builds lives as long as the sandbox, so collecting during
# imports frees nothing and cost 25-60 ms (integrations.core.coldstart). The last statement resumes it.
import gc

gc.disable()

# boto3 first, at the top level, as the bench's bare imports do: imported deep inside the layer's import chain,
# urllib3's regexes compile at a deep Python stack, which CPython 3.11 can make ~10× slower (20–40 ms measured).
import re

import boto3  # noqa: F401
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.cartoncloud.client import QuoteUnavailable
from integrations.core.coldstart import end_of_init
from integrations.core.doors import BadBody, UnsupportedMediaType, json_body, problem, raw_body, require_media_type
from integrations.core.errors import IntegrationError, RetryableError, SignatureInvalid, UpstreamError
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.rose_rocket import rating

logger = Logger()
tracer = tracer_for_this_function()
metrics = Metrics()
app = APIGatewayHttpResolver()
JSON = "application/json"
BASE = "/tenants/<tenant_id>/integrations/<integration_id>/orders/<order_id>/rates"
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
QUOTE_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_BODY_BYTES = 16 * 1024


class BadRequest(Exception):
    def __init__(self, field: str, reason: str, status: int = 400) -> None:
        super().__init__(f"{field} {reason}")
        self.field = field
        self.reason = reason
        self.status = status


def checked(tenant_id: str, integration_id: str, order_id: str):  # type: ignore[no-untyped-def]
    integration = rating.authenticate(tenant_id, integration_id, app.current_event.headers.get("authorization"))
    if not UUID.fullmatch(order_id):
        raise BadRequest("roseRocketOrderId", "must be a Rose Rocket record id (a UUID)")
    return integration


@app.post(BASE)
@tracer.capture_method
def rate(tenant_id: str, integration_id: str, order_id: str) -> Response:
    integration = checked(tenant_id, integration_id, order_id)
    stored = rating.rate(integration, order_id)
    metrics.add_metric(name="RoseRocketOrdersRated", unit=MetricUnit.Count, value=1)
    return Response(status_code=200, content_type=JSON, body=stored.to_json(), headers={"Cache-Control": "no-store"})


@app.post(f"{BASE}/<quote_id>/save")
@tracer.capture_method
def save(tenant_id: str, integration_id: str, order_id: str, quote_id: str) -> Response:
    integration = checked(tenant_id, integration_id, order_id)
    if not QUOTE_ID.fullmatch(quote_id):
        raise BadRequest("quoteId", "must be the quoteId the rates answered")
    saved = rating.save(integration, order_id, quote_id, chosen_lines())
    metrics.add_metric(name="RoseRocketRatesSaved", unit=MetricUnit.Count, value=1)
    return Response(status_code=200, content_type=JSON, body=saved)


def chosen_lines() -> list[str] | None:
    """``{"lineItemIds": ["1", "3"]}``, or no body (every line)."""
    event = app.current_event
    body = raw_body(event.body, event.is_base64_encoded)
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("body", f"may be at most {MAX_BODY_BYTES} bytes")
    if not body.strip():
        return None
    try:
        require_media_type(event.headers.get("content-type"))
        payload = json_body(body)
    except BadBody as exc:
        raise BadRequest(exc.field, exc.reason, 415 if isinstance(exc, UnsupportedMediaType) else 400) from None
    if not isinstance(payload, dict) or set(payload) - {"lineItemIds"}:
        raise BadRequest("body", "must be an object with only lineItemIds")
    ids = payload.get("lineItemIds")
    if ids is None:
        return None
    if not isinstance(ids, list) or len(ids) > 100 or not all(isinstance(i, str) and 0 < len(i) <= 16 for i in ids):
        raise BadRequest("lineItemIds", "must be a list of line ids (strings) as the rates answered them")
    return ids


@app.exception_handler(Exception)
def to_problem(exc: Exception) -> Response:
    if isinstance(exc, SignatureInvalid):
        logger.warning("Refused a rating call", extra={"reason": str(exc)})
        metrics.add_metric(name="RoseRocketRatingRefused", unit=MetricUnit.Count, value=1)
        return problem(401, "Rating credential required", "Send the integration's rating credential as "
                       "'Authorization: Bearer <credential>'", [{"field": "Authorization",
                                                                 "reason": "not this integration's rating credential"}],
                       headers={"WWW-Authenticate": 'Bearer realm="rose-rocket-rating"'})
    if isinstance(exc, BadRequest):
        return problem(exc.status, "Invalid request" if exc.status == 400 else "Unsupported media type", str(exc),
                       [{"field": exc.field, "reason": exc.reason}])
    if isinstance(exc, rating.RatingRefused):
        return problem(exc.status, _TITLES.get(exc.status, "Can't rate this order"), str(exc), exc.errors,
                       extensions={"resolution": exc.resolution})
    if isinstance(exc, QuoteUnavailable):
        said = "; ".join(str(e.get("message")) for e in exc.errors if e.get("message")) or exc.message
        return problem(422, "No rate in the WMS", f"The WMS's rating engine has no rate for this order: {said}",
                       [{"field": "rates", "reason": said}], extensions={"resolution": exc.resolution})
    if isinstance(exc, UpstreamError):
        logger.warning("Upstream failed", extra={"upstream": exc.upstream, "status": exc.status, "error": str(exc)})
        if exc.retryable:  # a person is waiting: nothing retries this for them
            return problem(503, f"{exc.upstream} is unavailable", str(exc),
                           extensions={"resolution": f"{exc.upstream} is unavailable right now: rate again in a few "
                                                     "seconds."},
                           headers={"Retry-After": str(int(getattr(exc, "retry_after", None) or 5))})
        return problem(502, f"{exc.upstream} refused the request", str(exc),
                       extensions={"resolution": exc.resolution})
    if isinstance(exc, RetryableError):
        return problem(503, "Temporarily unavailable", str(exc), extensions={"resolution": "Rate again in a few "
                                                                                         "seconds."},
                       headers={"Retry-After": str(int(exc.retry_after or 5))})
    if isinstance(exc, IntegrationError):
        return problem(409, "Not possible now", str(exc), extensions={"resolution": exc.resolution})
    logger.exception("Unhandled error in the Rose Rocket rating door")
    return problem(500, "Internal error", "Something failed on our side; it has been logged.")


_TITLES = {404: "Not found", 409: "Order invoiced", 410: "Rates expired", 422: "Can't rate this order yet"}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


end_of_init()
