"""The management API (docs/management-api.md, openapi/management.yaml): configure integrations in steps,
reconfigure, delete — a customer's, or the tenant's own tenant-level ones (``/tenants/{t}/integrations``, admins
only); customers with their live count; tenant settings; weekly statements and billing runs.

A thin door: authenticate the bearer token, parse JSON, call ``integrations.management``, and turn every named
failure into an RFC 9457 problem naming the field and what to do. The token settings are read at import (Lambda
init): ``AUTH_ISSUER``, ``AUTH_AUDIENCE`` and ``AUTH_JWKS_URL`` (RS256), or ``AUTH_HS256_KEY`` locally.
"""

# Init runs with the garbage collector paused: what it builds lives as long as the sandbox, so collecting during
# imports frees nothing and cost 25-60 ms (integrations.core.coldstart). The last statement resumes it.
import gc

gc.disable()

# boto3 first, at the top level, as the bench's bare imports do: imported deep inside the layer's import chain,
# urllib3's regexes compile at a deep Python stack, which CPython 3.11 can make ~10× slower (20–40 ms measured).
import json
from typing import Any

import boto3  # noqa: F401
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.core.coldstart import end_of_init
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.management.billing import statement_csv
from integrations.management.errors import InvalidRequest
from integrations.management.http import problem_for, public_base_url, query_value, read_json
from integrations.management.models import IntegrationView
from integrations.management.permissions import AuthSettings, Operation, Principal, verifier
from integrations.management.service import ManagementService

logger = Logger()
tracer = tracer_for_this_function()
metrics = Metrics()
app = APIGatewayHttpResolver()
service = ManagementService()
AUTH = AuthSettings.from_environment()
#: Bodies are small JSON documents; anything larger is refused before parsing.
MAX_BODY_BYTES = 64 * 1024
#: Records one sync-log page lists.
MAX_SYNC_RECORDS = 200
JSON = "application/json"


def principal() -> Principal:
    return verifier(AUTH.overlaid()).principal(app.current_event.headers.get("authorization"))


def body() -> Any:
    return read_json(app.current_event, max_bytes=MAX_BODY_BYTES)


def query(name: str, default: str, *, choices: tuple[str, ...] | None = None, digits: bool = False) -> str:
    return query_value(app.current_event, name, default, choices=choices, digits=digits)


def api_base_url() -> str:
    return public_base_url()


def ok(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=JSON, body=json.dumps(payload), headers=headers)


def view(integration: IntegrationView, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """An integration; an answer handing over values once (``shownOnce``) is never cached."""
    extra = {**(headers or {}), **({"Cache-Control": "no-store"} if integration.shown_once else {})}
    return ok(integration.to_json(), status, extra or None)


def integration_path(tenant_id: str, customer_id: str | None, integration_id: str) -> str:
    owner = f"/tenants/{tenant_id}" + (f"/customers/{customer_id}" if customer_id is not None else "")
    return f"{owner}/integrations/{integration_id}"


# --- routes ---------------------------------------------------------------------------------------------------------


@app.get("/integration-types")
def integration_types() -> Response:
    return ok(service.integration_types(principal()))


@app.get("/tenants/<tenant_id>/settings")
def get_settings(tenant_id: str) -> Response:
    return ok(service.tenant_settings(principal(), tenant_id).to_json())


@app.put("/tenants/<tenant_id>/settings")
def put_settings(tenant_id: str) -> Response:
    caller = principal()
    service.permit(caller, Operation.WRITE_SETTINGS, tenant_id)
    return ok(service.update_tenant_settings(caller, tenant_id, body()).to_json())


@app.post("/tenants/<tenant_id>/notification-secret")
def new_notification_secret(tenant_id: str) -> Response:
    return ok(service.new_notification_secret(principal(), tenant_id, api_base_url()), status=201,
              headers={"Cache-Control": "no-store"})


@app.get("/tenants/<tenant_id>/customers")
def customers(tenant_id: str) -> Response:
    return ok(service.customers(principal(), tenant_id).to_json())


@app.get("/tenants/<tenant_id>/customers/<customer_id>/warehouses")
def customer_warehouses(tenant_id: str, customer_id: str) -> Response:
    return ok(service.customer_warehouses(principal(), tenant_id, customer_id))


# A customer's integrations under /tenants/{t}/customers/{c}/integrations, and the tenant's own (tenant-level) ones
# under /tenants/{t}/integrations: the same operations, the customer None for the latter (admins only).
CUSTOMER = "/tenants/<tenant_id>/customers/<customer_id>/integrations"
TENANT = "/tenants/<tenant_id>/integrations"


def permitted(operation: Operation, tenant_id: str, customer_id: str | None) -> Principal:
    """The caller, once allowed ``operation`` on these integrations: asked before the query or the body is read."""
    caller = principal()
    service.permit(caller, operation, tenant_id, customer_id, integrations=True)
    return caller


def list_integrations(tenant_id: str, customer_id: str | None) -> Response:
    caller = permitted(Operation.READ_INTEGRATIONS, tenant_id, customer_id)
    include_deleted = query("includeDeleted", "false", choices=("true", "false")) == "true"
    return ok(service.list_integrations(caller, tenant_id, customer_id, include_deleted=include_deleted).to_json())


def create_integration(tenant_id: str, customer_id: str | None) -> Response:
    caller = permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
    created = service.create_integration(caller, tenant_id, customer_id, body())
    logger.info("Integration created", extra={"integration_id": created.integration_id, "by": caller.subject})
    return view(created, 201, {"Location": integration_path(tenant_id, customer_id, created.integration_id)})


def get_integration(tenant_id: str, customer_id: str | None, integration_id: str) -> Response:
    return view(service.get_integration(principal(), tenant_id, customer_id, integration_id))


def configure_step(tenant_id: str, customer_id: str | None, integration_id: str, step: str) -> Response:
    caller = permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
    saved = service.configure_step(caller, tenant_id, customer_id, integration_id, step, body(),
                                   api_base_url=api_base_url())
    logger.info("Integration step saved", extra={"integration_id": integration_id, "step": step, "by": caller.subject})
    return view(saved)


def finish(tenant_id: str, customer_id: str | None, integration_id: str) -> Response:
    caller = principal()
    live = service.finish(caller, tenant_id, customer_id, integration_id, api_base_url=api_base_url())
    logger.info("Integration live", extra={"integration_id": integration_id, "by": caller.subject})
    return view(live)


def check_connection(tenant_id: str, customer_id: str | None, integration_id: str) -> Response:
    return ok(service.check_connection(principal(), tenant_id, customer_id, integration_id))


def delete_integration(tenant_id: str, customer_id: str | None, integration_id: str) -> Response:
    caller = principal()
    deleted = service.delete(caller, tenant_id, customer_id, integration_id, api_base_url=api_base_url())
    logger.info("Integration deleted", extra={"integration_id": integration_id, "by": caller.subject,
                                              "stop_warning": deleted.stop_warning})
    return view(deleted)


def sync_records(tenant_id: str, customer_id: str | None, integration_id: str) -> Response:
    caller = permitted(Operation.READ_INTEGRATIONS, tenant_id, customer_id)
    limit = int(query("limit", "50", digits=True))
    if not 1 <= limit <= MAX_SYNC_RECORDS:
        raise InvalidRequest(f"limit must be between 1 and {MAX_SYNC_RECORDS}", field="limit")
    return ok(service.sync_records(caller, tenant_id, customer_id, integration_id, limit=limit))


def sync_entries(tenant_id: str, customer_id: str | None, integration_id: str) -> Response:
    caller = principal()
    record = app.current_event.get_query_string_value("record")
    return ok(service.sync_entries(caller, tenant_id, customer_id, integration_id, record=record))


def retry_record(tenant_id: str, customer_id: str | None, integration_id: str) -> Response:
    caller = permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
    return ok(service.retry_record(caller, tenant_id, customer_id, integration_id, body()), status=202)


def start_backfill(tenant_id: str, customer_id: str | None, integration_id: str) -> Response:
    caller = permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
    started = service.start_backfill(caller, tenant_id, customer_id, integration_id, body())
    location = f"{integration_path(tenant_id, customer_id, integration_id)}/backfills/{started['backfillId']}"
    logger.info("Backfill started", extra={"integration_id": integration_id, "by": caller.subject,
                                           "backfill_id": started["backfillId"]})
    return ok(started, 202, {"Location": location})


def get_backfill(tenant_id: str, customer_id: str | None, integration_id: str, backfill_id: str) -> Response:
    return ok(service.get_backfill(principal(), tenant_id, customer_id, integration_id, backfill_id))


@app.get(CUSTOMER)
def customer_integrations(tenant_id: str, customer_id: str) -> Response:
    return list_integrations(tenant_id, customer_id)


@app.post(CUSTOMER)
def create_customer_integration(tenant_id: str, customer_id: str) -> Response:
    return create_integration(tenant_id, customer_id)


@app.get(f"{CUSTOMER}/<integration_id>")
def get_customer_integration(tenant_id: str, customer_id: str, integration_id: str) -> Response:
    return get_integration(tenant_id, customer_id, integration_id)


@app.put(f"{CUSTOMER}/<integration_id>/steps/<step>")
def configure_customer_step(tenant_id: str, customer_id: str, integration_id: str, step: str) -> Response:
    return configure_step(tenant_id, customer_id, integration_id, step)


@app.post(f"{CUSTOMER}/<integration_id>/finish")
def finish_customer_integration(tenant_id: str, customer_id: str, integration_id: str) -> Response:
    return finish(tenant_id, customer_id, integration_id)


@app.post(f"{CUSTOMER}/<integration_id>/check")
def check_customer_connection(tenant_id: str, customer_id: str, integration_id: str) -> Response:
    return check_connection(tenant_id, customer_id, integration_id)


@app.delete(f"{CUSTOMER}/<integration_id>")
def delete_customer_integration(tenant_id: str, customer_id: str, integration_id: str) -> Response:
    return delete_integration(tenant_id, customer_id, integration_id)


@app.get(f"{CUSTOMER}/<integration_id>/sync-log")
def customer_sync_records(tenant_id: str, customer_id: str, integration_id: str) -> Response:
    return sync_records(tenant_id, customer_id, integration_id)


@app.get(f"{CUSTOMER}/<integration_id>/sync-log/entries")
def customer_sync_entries(tenant_id: str, customer_id: str, integration_id: str) -> Response:
    return sync_entries(tenant_id, customer_id, integration_id)


@app.post(f"{CUSTOMER}/<integration_id>/sync-log/retry")
def customer_retry_record(tenant_id: str, customer_id: str, integration_id: str) -> Response:
    return retry_record(tenant_id, customer_id, integration_id)


@app.post(f"{CUSTOMER}/<integration_id>/backfill")
def customer_start_backfill(tenant_id: str, customer_id: str, integration_id: str) -> Response:
    return start_backfill(tenant_id, customer_id, integration_id)


@app.get(f"{CUSTOMER}/<integration_id>/backfills/<backfill_id>")
def customer_get_backfill(tenant_id: str, customer_id: str, integration_id: str, backfill_id: str) -> Response:
    return get_backfill(tenant_id, customer_id, integration_id, backfill_id)


@app.get(TENANT)
def tenant_integrations(tenant_id: str) -> Response:
    return list_integrations(tenant_id, None)


@app.post(TENANT)
def create_tenant_integration(tenant_id: str) -> Response:
    return create_integration(tenant_id, None)


@app.get(f"{TENANT}/<integration_id>")
def get_tenant_integration(tenant_id: str, integration_id: str) -> Response:
    return get_integration(tenant_id, None, integration_id)


@app.put(f"{TENANT}/<integration_id>/steps/<step>")
def configure_tenant_step(tenant_id: str, integration_id: str, step: str) -> Response:
    return configure_step(tenant_id, None, integration_id, step)


@app.post(f"{TENANT}/<integration_id>/finish")
def finish_tenant_integration(tenant_id: str, integration_id: str) -> Response:
    return finish(tenant_id, None, integration_id)


@app.post(f"{TENANT}/<integration_id>/check")
def check_tenant_connection(tenant_id: str, integration_id: str) -> Response:
    return check_connection(tenant_id, None, integration_id)


@app.delete(f"{TENANT}/<integration_id>")
def delete_tenant_integration(tenant_id: str, integration_id: str) -> Response:
    return delete_integration(tenant_id, None, integration_id)


@app.get(f"{TENANT}/<integration_id>/sync-log")
def tenant_sync_records(tenant_id: str, integration_id: str) -> Response:
    return sync_records(tenant_id, None, integration_id)


@app.get(f"{TENANT}/<integration_id>/sync-log/entries")
def tenant_sync_entries(tenant_id: str, integration_id: str) -> Response:
    return sync_entries(tenant_id, None, integration_id)


@app.post(f"{TENANT}/<integration_id>/sync-log/retry")
def tenant_retry_record(tenant_id: str, integration_id: str) -> Response:
    return retry_record(tenant_id, None, integration_id)


@app.post(f"{TENANT}/<integration_id>/backfill")
def tenant_start_backfill(tenant_id: str, integration_id: str) -> Response:
    return start_backfill(tenant_id, None, integration_id)


@app.get(f"{TENANT}/<integration_id>/backfills/<backfill_id>")
def tenant_get_backfill(tenant_id: str, integration_id: str, backfill_id: str) -> Response:
    return get_backfill(tenant_id, None, integration_id, backfill_id)


@app.get("/tenants/<tenant_id>/statements/<week>")
def get_statement(tenant_id: str, week: str) -> Response:
    found = service.statement(principal(), tenant_id, week)
    event = app.current_event
    wants_csv = (query("format", "json", choices=("json", "csv")) == "csv"
                 or "text/csv" in (event.headers.get("accept") or ""))
    if wants_csv:
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=statement_csv(found),
                        headers={"Content-Disposition": f'attachment; filename="statement-{tenant_id}-{week}.csv"'})
    return ok(found.to_json())


@app.post("/tenants/<tenant_id>/billing-runs")
def request_billing_run(tenant_id: str) -> Response:
    caller = principal()
    service.permit(caller, Operation.RUN_BILLING, tenant_id)
    run = service.request_billing_run(caller, tenant_id, body())
    logger.info("Billing run requested", extra={**run, "by": caller.subject})
    return ok(run, 202)


# --- failures -------------------------------------------------------------------------------------------------------


@app.exception_handler(Exception)
def to_problem(exc: Exception) -> Response:
    return problem_for(exc, logger)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


end_of_init()
