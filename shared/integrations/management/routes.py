"""The management API's routes (docs/management-api.md, openapi/management.yaml), served by
functions/management_api: configure integrations in steps, reconfigure, delete — a customer's, or the tenant's own
tenant-level ones (``/tenants/{t}/integrations``, admins only); customers with their live count; tenant settings;
weekly statements and billing runs.

Each route authenticates the bearer token (``AUTH_ISSUER``, ``AUTH_AUDIENCE`` and ``AUTH_JWKS_URL`` (RS256), or
``AUTH_HS256_KEY`` locally, read at import: Lambda init), reads JSON strictly (:mod:`.http`) and calls
:class:`.service.ManagementService`; every failure becomes a problem in :func:`.http.problem_for`. An operation on
integrations is one handler registered on both the customer's path and the tenant-level one.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from .billing import statement_csv
from .errors import InvalidRequest
from .http import public_base_url, query_value, read_json
from .models import IntegrationView
from .permissions import AuthSettings, Operation, Principal, bearer_principal
from .service import ManagementService

logger = Logger(child=True)
router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools leaves its __init__ unannotated
service = ManagementService()
AUTH = AuthSettings.from_environment()
#: Bodies are small JSON documents; anything larger is refused before parsing.
MAX_BODY_BYTES = 64 * 1024
#: Records one sync-log page lists.
MAX_SYNC_RECORDS = 200
JSON = "application/json"


def principal() -> Principal:
    return bearer_principal(AUTH, router.current_event.headers.get("authorization"))


def body() -> Any:
    return read_json(router.current_event, max_bytes=MAX_BODY_BYTES)


def query(name: str, default: str, *, choices: tuple[str, ...] | None = None, digits: bool = False) -> str:
    return query_value(router.current_event, name, default, choices=choices, digits=digits)


def api_base_url() -> str:
    return public_base_url()


def ok(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=JSON, body=json.dumps(payload), headers=headers)


def view(integration: IntegrationView, status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    """An integration; an answer handing over values once (``shownOnce``) is never cached."""
    extra = {**(headers or {}), **({"Cache-Control": "no-store"} if integration.shown_once else {})}
    return ok(integration.to_json(), status, extra or None)


def integration_path(tenant_id: str, customer_id: str | None, integration_id: str) -> str:
    owner = f"/tenants/{tenant_id}" + (f"/customers/{customer_id}" if customer_id is not None else "")
    return f"{owner}/integrations/{integration_id}"


# --- routes -----------------------------------------------------------------------------------------------------


@router.get("/integration-types")
def integration_types() -> Response[Any]:
    return ok(service.integration_types(principal()))


@router.get("/tenants/<tenant_id>/settings")
def get_settings(tenant_id: str) -> Response[Any]:
    return ok(service.tenant_settings(principal(), tenant_id).to_json())


@router.put("/tenants/<tenant_id>/settings")
def put_settings(tenant_id: str) -> Response[Any]:
    caller = principal()
    service.permit(caller, Operation.WRITE_SETTINGS, tenant_id)
    return ok(service.update_tenant_settings(caller, tenant_id, body()).to_json())


@router.post("/tenants/<tenant_id>/notification-secret")
def new_notification_secret(tenant_id: str) -> Response[Any]:
    return ok(service.new_notification_secret(principal(), tenant_id, api_base_url()), status=201,
              headers={"Cache-Control": "no-store"})


@router.get("/tenants/<tenant_id>/customers")
def customers(tenant_id: str) -> Response[Any]:
    return ok(service.customers(principal(), tenant_id).to_json())


@router.get("/tenants/<tenant_id>/customers/<customer_id>/warehouses")
def customer_warehouses(tenant_id: str, customer_id: str) -> Response[Any]:
    return ok(service.customer_warehouses(principal(), tenant_id, customer_id))


# A customer's integrations under /tenants/{t}/customers/{c}/integrations, and the tenant's own (tenant-level) ones
# under /tenants/{t}/integrations: one handler per operation serves both paths, the customer None for the latter
# (admins only).
CUSTOMER = "/tenants/<tenant_id>/customers/<customer_id>/integrations"
TENANT = "/tenants/<tenant_id>/integrations"


def permitted(operation: Operation, tenant_id: str, customer_id: str | None) -> Principal:
    """The caller, once allowed ``operation`` on these integrations: asked before the query or the body is read."""
    caller = principal()
    service.permit(caller, operation, tenant_id, customer_id, integrations=True)
    return caller


@router.get(CUSTOMER)
@router.get(TENANT)
def list_integrations(tenant_id: str, customer_id: str | None = None) -> Response[Any]:
    caller = permitted(Operation.READ_INTEGRATIONS, tenant_id, customer_id)
    include_deleted = query("includeDeleted", "false", choices=("true", "false")) == "true"
    return ok(service.list_integrations(caller, tenant_id, customer_id, include_deleted=include_deleted).to_json())


@router.post(CUSTOMER)
@router.post(TENANT)
def create_integration(tenant_id: str, customer_id: str | None = None) -> Response[Any]:
    caller = permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
    created = service.create_integration(caller, tenant_id, customer_id, body())
    logger.info("Integration created", extra={"integration_id": created.integration_id, "by": caller.subject})
    return view(created, 201, {"Location": integration_path(tenant_id, customer_id, created.integration_id)})


@router.get(f"{CUSTOMER}/<integration_id>")
@router.get(f"{TENANT}/<integration_id>")
def get_integration(tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
    return view(service.get_integration(principal(), tenant_id, customer_id, integration_id))


@router.put(f"{CUSTOMER}/<integration_id>/steps/<step>")
@router.put(f"{TENANT}/<integration_id>/steps/<step>")
def configure_step(tenant_id: str, integration_id: str, step: str, customer_id: str | None = None) -> Response[Any]:
    caller = permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
    saved = service.configure_step(caller, tenant_id, customer_id, integration_id, step, body(),
                                   api_base_url=api_base_url())
    logger.info("Integration step saved", extra={"integration_id": integration_id, "step": step, "by": caller.subject})
    return view(saved)


@router.post(f"{CUSTOMER}/<integration_id>/finish")
@router.post(f"{TENANT}/<integration_id>/finish")
def finish(tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
    caller = principal()
    live = service.finish(caller, tenant_id, customer_id, integration_id, api_base_url=api_base_url())
    logger.info("Integration live", extra={"integration_id": integration_id, "by": caller.subject})
    return view(live)


@router.post(f"{CUSTOMER}/<integration_id>/check")
@router.post(f"{TENANT}/<integration_id>/check")
def check_connection(tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
    return ok(service.check_connection(principal(), tenant_id, customer_id, integration_id))


@router.delete(f"{CUSTOMER}/<integration_id>")
@router.delete(f"{TENANT}/<integration_id>")
def delete_integration(tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
    caller = principal()
    deleted = service.delete(caller, tenant_id, customer_id, integration_id, api_base_url=api_base_url())
    logger.info("Integration deleted", extra={"integration_id": integration_id, "by": caller.subject,
                                              "stop_warning": deleted.stop_warning})
    return view(deleted)


@router.get(f"{CUSTOMER}/<integration_id>/sync-log")
@router.get(f"{TENANT}/<integration_id>/sync-log")
def sync_records(tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
    caller = permitted(Operation.READ_INTEGRATIONS, tenant_id, customer_id)
    limit = int(query("limit", "50", digits=True))
    if not 1 <= limit <= MAX_SYNC_RECORDS:
        raise InvalidRequest(f"limit must be between 1 and {MAX_SYNC_RECORDS}", field="limit")
    return ok(service.sync_records(caller, tenant_id, customer_id, integration_id, limit=limit))


@router.get(f"{CUSTOMER}/<integration_id>/sync-log/entries")
@router.get(f"{TENANT}/<integration_id>/sync-log/entries")
def sync_entries(tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
    caller = principal()
    record = router.current_event.get_query_string_value("record")
    return ok(service.sync_entries(caller, tenant_id, customer_id, integration_id, record=record))


@router.post(f"{CUSTOMER}/<integration_id>/sync-log/retry")
@router.post(f"{TENANT}/<integration_id>/sync-log/retry")
def retry_record(tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
    caller = permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
    return ok(service.retry_record(caller, tenant_id, customer_id, integration_id, body()), status=202)


@router.post(f"{CUSTOMER}/<integration_id>/backfill")
@router.post(f"{TENANT}/<integration_id>/backfill")
def start_backfill(tenant_id: str, integration_id: str, customer_id: str | None = None) -> Response[Any]:
    caller = permitted(Operation.WRITE_INTEGRATIONS, tenant_id, customer_id)
    started = service.start_backfill(caller, tenant_id, customer_id, integration_id, body())
    location = f"{integration_path(tenant_id, customer_id, integration_id)}/backfills/{started['backfillId']}"
    logger.info("Backfill started", extra={"integration_id": integration_id, "by": caller.subject,
                                           "backfill_id": started["backfillId"]})
    return ok(started, 202, {"Location": location})


@router.get(f"{CUSTOMER}/<integration_id>/backfills/<backfill_id>")
@router.get(f"{TENANT}/<integration_id>/backfills/<backfill_id>")
def get_backfill(tenant_id: str, integration_id: str, backfill_id: str, customer_id: str | None = None
                 ) -> Response[Any]:
    return ok(service.get_backfill(principal(), tenant_id, customer_id, integration_id, backfill_id))


@router.get("/tenants/<tenant_id>/statements/<week>")
def get_statement(tenant_id: str, week: str) -> Response[Any]:
    found = service.statement(principal(), tenant_id, week)
    event = router.current_event
    wants_csv = (query("format", "json", choices=("json", "csv")) == "csv"
                 or "text/csv" in (event.headers.get("accept") or ""))
    if wants_csv:
        return Response(status_code=200, content_type="text/csv; charset=utf-8", body=statement_csv(found),
                        headers={"Content-Disposition": f'attachment; filename="statement-{tenant_id}-{week}.csv"'})
    return ok(found.to_json())


@router.post("/tenants/<tenant_id>/billing-runs")
def request_billing_run(tenant_id: str) -> Response[Any]:
    caller = principal()
    service.permit(caller, Operation.RUN_BILLING, tenant_id)
    run = service.request_billing_run(caller, tenant_id, body())
    logger.info("Billing run requested", extra={**run, "by": caller.subject})
    return ok(run, 202)
