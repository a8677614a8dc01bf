"""POST /tenants/{tenantId}/customers/{customerId}/integrations/{integrationId}/labels — print (or reprint) a WMS
order's Starshipit label (docs/starshipit.md "Labels", openapi/starshipit.yaml).

A thin door, authenticated exactly as the management API is: the bearer token becomes a principal
(``integrations.management.permissions``; ``AUTH_ISSUER``, ``AUTH_AUDIENCE``, ``AUTH_JWKS_URL`` read at init, or
``AUTH_HS256_KEY`` locally), authorised before anything is read, then ``integrations.starshipit.labels`` does the
work. The answer is JSON (every label base64), or the PDF itself with ``Accept: application/pdf``. Every named
failure is an RFC 9457 problem naming the field and what to do.
"""

# Init runs with the garbage collector paused: what it builds lives as long as the sandbox, so collecting during
# imports frees nothing and cost 25-60 ms (integrations.core.coldstart). The last statement resumes it.
import gc

gc.disable()

# boto3 first, at the top level, as the bench's bare imports do: imported deep inside the layer's import chain,
# urllib3's regexes compile at a deep Python stack, which CPython 3.11 can make ~10× slower (20–40 ms measured).
import json
import re
from typing import Any

import boto3  # noqa: F401
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.core.coldstart import end_of_init
from integrations.core.doors import field_errors, problem
from integrations.core.errors import IntegrationError, RetryableError, UpstreamError
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.management.errors import ManagementError
from integrations.management.http import named_problem, read_json
from integrations.management.permissions import AuthSettings, Principal, verifier
from integrations.starshipit import labels
from pydantic import ValidationError

logger = Logger()
tracer = tracer_for_this_function()
metrics = Metrics()
app = APIGatewayHttpResolver()
AUTH = AuthSettings.from_environment()
MAX_BODY_BYTES = 16 * 1024
JSON = "application/json"


class BodyInvalid(ManagementError):
    title = "Invalid request body"
    resolution = 'Send a JSON object: {"wmsOrderId": "<the CartonCloud outbound order id>"}.'


def principal() -> Principal:
    return verifier(AUTH.overlaid()).principal(app.current_event.headers.get("authorization"))


def body() -> Any:
    """The request as the management API reads bodies: JSON sent as application/json, UTF-8, depth-limited."""
    parsed = read_json(app.current_event, max_bytes=MAX_BODY_BYTES)
    if not isinstance(parsed, dict):
        raise BodyInvalid("The body must be a JSON object", field="body")
    return parsed


@app.post("/tenants/<tenant_id>/customers/<customer_id>/integrations/<integration_id>/labels")
@tracer.capture_method
def print_label(tenant_id: str, customer_id: str, integration_id: str) -> Response:
    accept = (app.current_event.headers.get("accept") or "").lower()  # read before any call (the event is global)
    caller = principal()
    labels.authorized(caller, tenant_id, customer_id)
    request = labels.LabelRequest.model_validate(body())
    label = labels.print_label(caller, tenant_id, customer_id, integration_id, request)
    logger.info("Starshipit label", extra={"integration_id": integration_id, "wms_order_id": request.wms_order_id,
                                           "reprint": label.reprint, "by": caller.subject})
    metrics.add_metric(name="StarshipitLabelsReprinted" if label.reprint else "StarshipitLabelsPrinted",
                       unit=MetricUnit.Count, value=1)
    if labels.PDF in accept and JSON not in accept:
        pdf = label.pdf()
        if pdf is None:
            return problem(406, "Not one PDF", f"Starshipit made {len(label.labels)} label files for this order",
                           [{"field": "Accept", "reason": "ask for application/json to get every label"}])
        return Response(status_code=200, content_type=labels.PDF, body=pdf, headers={
            "Content-Disposition": f'inline; filename="label-{label.order_number}.pdf"',
            "X-Tracking-Numbers": ",".join(label.tracking_numbers), "X-Reprint": str(label.reprint).lower()})
    return Response(status_code=200, content_type=JSON, body=json.dumps(label.to_json()))


@app.exception_handler(Exception)
def tonamed_problem(exc: Exception) -> Response:
    """Every failure as a problem body, as the management API answers them; unknown ones are logged and 500."""
    if isinstance(exc, ValidationError):
        errors = [{**e, "field": re.sub(r"_([a-z])", lambda m: m[1].upper(), e["field"])} for e in field_errors(exc)]
        return problem(400, "Invalid request body",
                       f"These fields are missing or invalid: {', '.join(e['field'] for e in errors)}", errors,
                       extensions={"resolution": BodyInvalid.resolution})
    if isinstance(exc, ManagementError):
        headers = {"WWW-Authenticate": 'Bearer realm="integrations"'} if exc.status == 401 else None
        return named_problem(exc.status, exc.title, exc, headers=headers)
    if isinstance(exc, labels.LabelRefused):
        return named_problem(422, "Starshipit refused to print the label", exc, field="wmsOrderId")
    if isinstance(exc, UpstreamError):
        logger.warning("Upstream failed", extra={"upstream": exc.upstream, "status": exc.status, "error": str(exc)})
        if exc.retryable:
            return named_problem(503, f"{exc.upstream} is unavailable", exc,
                            headers={"Retry-After": str(int(getattr(exc, "retry_after", None) or 5))})
        return named_problem(502, f"{exc.upstream} refused the request", exc)
    if isinstance(exc, RetryableError):
        return named_problem(503, "Temporarily unavailable", exc,
                        headers={"Retry-After": str(int(exc.retry_after or 5))})
    if isinstance(exc, IntegrationError):
        return named_problem(409, "Not possible now", exc)
    logger.exception("Unhandled error in the Starshipit labels door")
    return problem(500, "Internal error", "Something failed on our side; it has been logged.")



@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


end_of_init()
