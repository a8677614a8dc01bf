"""What the doors serving management routes share (the management API, and connectors' action routes such as Rose
Rocket's): reading a JSON body and query values strictly, the deployment's public URL, and every named failure as
an RFC 9457 problem naming the field and what to do."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..core.crypto import SealedSecretUnreadable
from ..core.doors import (
    BadBody,
    UnsupportedMediaType,
    field_errors,
    json_body,
    problem,
    raw_body,
    require_media_type,
)
from ..core.errors import (
    ConfigurationError,
    IntegrationError,
    RetryableError,
    TenantNotFound,
    UpstreamAuthFailed,
    UpstreamError,
)
from ..core.integration_types import CredentialsRejected, PlatformNotAvailable, SettingsRejected
from .errors import InvalidRequest, ManagementError

if TYPE_CHECKING:
    from logging import Logger

    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2


class BodyTooLarge(ManagementError):
    status = 413
    title = "Request body too large"


class BodyNotJson(ManagementError):
    title = "Invalid JSON"
    resolution = "Send a JSON object with Content-Type: application/json."


class MediaTypeUnsupported(ManagementError):
    status = 415
    title = "Unsupported media type"


def require_media(event: APIGatewayProxyEventV2, expected: str = "application/json") -> None:
    """Refuse (415, naming ``Content-Type``) a body not sent as ``expected``: what the OpenAPI document promises to
    take is all a route takes."""
    try:
        require_media_type(event.headers.get("content-type"), expected)
    except UnsupportedMediaType as exc:
        raise MediaTypeUnsupported(f"Content-Type {exc.reason}", field="Content-Type",
                                   resolution=f"Send the body with Content-Type: {expected}.") from None


def read_json(event: APIGatewayProxyEventV2, *, max_bytes: int) -> Any:
    """The JSON body (sent as ``application/json``); an empty one is None (the service refuses it where an object is
    needed)."""
    raw = raw_body(event.body, bool(event.is_base64_encoded))
    if len(raw) > max_bytes:
        raise BodyTooLarge(f"The body may be at most {max_bytes} bytes", field="body")
    if not raw:
        return None
    require_media(event)
    try:
        return json_body(raw)
    except BadBody as exc:
        raise BodyNotJson(f"The body {exc.reason}", field="body") from None


def query_value(event: APIGatewayProxyEventV2, name: str, default: str, *, choices: tuple[str, ...] | None = None,
                digits: bool = False) -> str:
    """A query parameter, checked (after the caller's permission was): one of ``choices``, or ASCII digits."""
    value = event.get_query_string_value(name, default)
    if choices is not None and value not in choices:
        raise InvalidRequest(f"{name} must be one of: {', '.join(choices)}", field=name)
    if digits and not (value.isascii() and value.isdigit() and len(value) <= 6):
        raise InvalidRequest(f"{name} must be a whole number", field=name)
    return value


def public_base_url() -> str:
    """This deployment's public URL, from configuration only (template.yaml ``PublicApiBaseUrl``): webhook and
    notification URLs handed to platforms are built on it. Never from the request's ``Host`` header, which the
    caller chooses: a URL built on it could hand a platform an attacker's host with our token in it."""
    configured = os.environ.get("PUBLIC_API_BASE_URL", "").strip()
    if not configured:
        raise ConfigurationError("This deployment's public URL is not configured, so no webhook URL can be made",
                                 resolution="Deploy with the PublicApiBaseUrl parameter set (samconfig.toml "
                                            "parameter_overrides), e.g. https://integrations.example-3pl.com.")
    return configured.rstrip("/")


def named_problem(status: int, title: str, exc: IntegrationError, *, field: str | None = None,
                  resolution: str | None = None, headers: dict[str, str] | None = None) -> Response[Any]:
    """A named failure as a problem: its message, the field it names, and what to do."""
    named = field or getattr(exc, "field", None)
    errors = [{"field": named, "reason": str(exc)}] if named else []
    return problem(status, title, str(exc), errors, extensions={"resolution": resolution or exc.resolution},
                   headers=headers)


def problem_for(exc: Exception, logger: Logger) -> Response[Any]:
    """Every failure of a management route as a problem body; unknown ones are logged and answered 500 without
    internals."""
    if isinstance(exc, ValidationError):
        # The API speaks camelCase; pydantic names a validated default by its Python name.
        errors = [{**e, "field": re.sub(r"_([a-z])", lambda m: m[1].upper(), e["field"])}
                  for e in field_errors(exc)]
        return problem(400, "Invalid request body",
                       f"These fields are missing or invalid: {', '.join(e['field'] for e in errors)}", errors,
                       extensions={"resolution": "Correct the named fields and send the request again; "
                                                 "GET /integration-types describes each step's fields."})
    if isinstance(exc, ManagementError):
        headers = {"WWW-Authenticate": 'Bearer realm="integrations"'} if exc.status == 401 else None
        return named_problem(exc.status, exc.title, exc, headers=headers)
    if isinstance(exc, CredentialsRejected | SettingsRejected):
        title = "Credentials rejected" if isinstance(exc, CredentialsRejected) else "Settings rejected"
        return named_problem(400, title, exc, field=exc.field)
    if isinstance(exc, PlatformNotAvailable):
        return named_problem(422, "Not available yet", exc, field=exc.field)
    if isinstance(exc, UpstreamError):
        logger.warning("Upstream failed", extra={"upstream": exc.upstream, "status": exc.status, "error": str(exc)})
        if exc.retryable:
            retry_after = getattr(exc, "retry_after", None)
            return named_problem(503, f"{exc.upstream} is unavailable", exc,
                                 headers={"Retry-After": str(int(retry_after or 30))})
        if isinstance(exc, UpstreamAuthFailed) and exc.upstream == "CartonCloud":
            return named_problem(502, "The WMS refused the tenant's API credentials", exc,
                                 resolution="A tenant administrator must save working CartonCloud API credentials "
                                            "in the tenant settings.")
        return named_problem(502, f"{exc.upstream} refused the request", exc)
    if isinstance(exc, TenantNotFound):
        return named_problem(404, "Tenant not registered", exc, field="tenantId")
    if isinstance(exc, SealedSecretUnreadable | ConfigurationError):
        return named_problem(409, "Configuration incomplete", exc)
    if isinstance(exc, RetryableError):
        return named_problem(503, "Temporarily unavailable", exc, headers={"Retry-After": "5"})
    if isinstance(exc, IntegrationError):
        return named_problem(409, "Not possible now", exc)
    logger.exception("Unhandled error in a management route")
    return problem(500, "Internal error", "Something failed on our side; it has been logged.")

