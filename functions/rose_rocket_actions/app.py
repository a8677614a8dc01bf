"""The Rose Rocket integration's actions (``IntegrationType.actions``; openapi/rose-rocket.yaml) under a tenant-level
integration's URL ``/tenants/{tenantId}/integrations/{integrationId}/…``:

- ``GET customers/export`` — the WMS customers as CSV (a download);
- ``POST customer-matches`` (``text/csv``) — import matches, all or nothing, bad rows named (422);
- ``GET customer-matches`` — matched and unmatched customers on both sides;
- ``POST webhook-url`` — rotate the webhook URL (the new one shown once);
- ``POST rating-credential`` — rotate the rating widget's credential (the new one shown once);
- ``POST consignments/{consignmentId}/push`` — send a consignment to its Rose Rocket order now.

A thin door authenticated exactly as the management API is (bearer tokens, ``integrations.management.permissions``;
tenant-level integrations are the tenant admins'), authorised before anything is read; the work is in
``integrations.rose_rocket.actions`` and ``.customers``. Every refusal is an RFC 9457 problem naming the field.
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
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.core.coldstart import end_of_init
from integrations.core.doors import problem, raw_body
from integrations.core.errors import IntegrationError, RetryableError, UpstreamError
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.management.errors import InvalidRequest, ManagementError
from integrations.management.http import BodyTooLarge, named_problem, public_base_url, require_media
from integrations.management.permissions import AuthSettings, Principal, verifier
from integrations.rose_rocket import actions, customers
from integrations.rose_rocket.matches import MatchesChanged

logger = Logger()
tracer = tracer_for_this_function()
metrics = Metrics()
app = APIGatewayHttpResolver()
AUTH = AuthSettings.from_environment()
JSON = "application/json"
#: A match file of 10,000 rows is well under this.
MAX_CSV_BYTES = 1024 * 1024
BASE = "/tenants/<tenant_id>/integrations/<integration_id>"
UUID = re.compile(actions.UUID_PATTERN)


def principal() -> Principal:
    return verifier(AUTH.overlaid()).principal(app.current_event.headers.get("authorization"))


def api_base_url() -> str:
    return public_base_url()


def ok(payload: Any, *, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=200, content_type=JSON, body=json.dumps(payload), headers=headers)


@app.get(f"{BASE}/customers/export")
@tracer.capture_method
def export_customers(tenant_id: str, integration_id: str) -> Response:
    integration = actions.integration_for(principal(), tenant_id, integration_id, changes=False, live=False,
                                          credentials=False)
    return Response(status_code=200, content_type="text/csv; charset=utf-8", body=customers.export_csv(integration),
                    headers={"Content-Disposition": f'attachment; filename="wms-customers-{tenant_id}.csv"'})


@app.get(f"{BASE}/customer-matches")
@tracer.capture_method
def list_matches(tenant_id: str, integration_id: str) -> Response:
    integration = actions.integration_for(principal(), tenant_id, integration_id, changes=False, live=False)
    return ok(customers.list_matches(integration))


@app.post(f"{BASE}/customer-matches")
@tracer.capture_method
def import_matches(tenant_id: str, integration_id: str) -> Response:
    caller = principal()
    integration = actions.integration_for(caller, tenant_id, integration_id, changes=True, live=False)
    event = app.current_event
    require_media(event, "text/csv")
    raw = raw_body(event.body, event.is_base64_encoded)
    if len(raw) > MAX_CSV_BYTES:
        raise BodyTooLarge(f"The file may be at most {MAX_CSV_BYTES} bytes", field="body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("The file is not UTF-8", field="body",
                             resolution="Save the CSV as UTF-8 and upload it again.") from None
    report = customers.import_matches(integration, text, by=caller.subject)
    logger.info("Rose Rocket customer matches imported", extra={"integration_id": integration_id,
                                                                "by": caller.subject, **report})
    return ok(report)


@app.post(f"{BASE}/webhook-url")
@tracer.capture_method
def rotate_webhook_url(tenant_id: str, integration_id: str) -> Response:
    caller = principal()
    integration = actions.integration_for(caller, tenant_id, integration_id, changes=True, live=True)
    rotated = actions.rotate_webhook_url(integration, api_base_url=api_base_url(), by=caller.subject)
    logger.info("Rose Rocket webhook URL rotated", extra={"integration_id": integration_id, "by": caller.subject})
    return ok(rotated, headers={"Cache-Control": "no-store"})


@app.post(f"{BASE}/rating-credential")
@tracer.capture_method
def rotate_rating_credential(tenant_id: str, integration_id: str) -> Response:
    caller = principal()
    integration = actions.integration_for(caller, tenant_id, integration_id, changes=True, live=True)
    rotated = actions.rotate_rating_credential(integration, by=caller.subject)
    logger.info("Rose Rocket rating credential rotated", extra={"integration_id": integration_id,
                                                                "by": caller.subject})
    return ok(rotated, headers={"Cache-Control": "no-store"})


@app.post(f"{BASE}/consignments/<consignment_id>/push")
@tracer.capture_method
def push_consignment(tenant_id: str, integration_id: str, consignment_id: str) -> Response:
    caller = principal()
    integration = actions.integration_for(caller, tenant_id, integration_id, changes=True, live=True)
    if not UUID.fullmatch(consignment_id):
        raise InvalidRequest("consignmentId must be a WMS consignment id (a UUID)", field="consignmentId")
    pushed = actions.push_consignment(integration, consignment_id, by=caller.subject)
    logger.info("Consignment pushed to Rose Rocket", extra={"integration_id": integration_id, "by": caller.subject,
                                                            "consignment_id": consignment_id})
    return ok(pushed)


@app.exception_handler(Exception)
def tonamed_problem(exc: Exception) -> Response:
    """Every failure as a problem body, as the management API answers them; unknown ones are logged and 500."""
    if isinstance(exc, ManagementError):
        headers = {"WWW-Authenticate": 'Bearer realm="integrations"'} if exc.status == 401 else None
        return named_problem(exc.status, exc.title, exc, headers=headers)
    if isinstance(exc, customers.ImportRefused):
        errors = [{"field": f"row {row.row}: {row.column}", "reason": row.reason} for row in exc.rows]
        return problem(422, "The matches were not applied", str(exc), errors,
                       extensions={"resolution": exc.resolution})
    if isinstance(exc, MatchesChanged):
        return named_problem(409, "Matches changed meanwhile", exc, field="body")
    if isinstance(exc, UpstreamError):
        logger.warning("Upstream failed", extra={"upstream": exc.upstream, "status": exc.status, "error": str(exc)})
        if exc.retryable:  # a person is waiting: nothing retries this for them
            return problem(503, f"{exc.upstream} is unavailable", str(exc),
                           extensions={"resolution": f"{exc.upstream} is unavailable right now: try again in a few "
                                                     "seconds."},
                           headers={"Retry-After": str(int(getattr(exc, "retry_after", None) or 5))})
        return named_problem(502, f"{exc.upstream} refused the request", exc)
    if isinstance(exc, RetryableError):
        return problem(503, "Temporarily unavailable", str(exc),
                       extensions={"resolution": "Try again in a few seconds."},
                       headers={"Retry-After": str(int(exc.retry_after or 5))})
    if isinstance(exc, IntegrationError):
        return named_problem(409, "Not possible now", exc)
    logger.exception("Unhandled error in the Rose Rocket actions door")
    return problem(500, "Internal error", "Something failed on our side; it has been logged.")



@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


end_of_init()
