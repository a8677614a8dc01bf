"""What the doors serving management routes share (the management API, and connectors' action routes such as Rose
Rocket's): reading a JSON body and query values strictly, the deployment's public URL, and every named failure as
an RFC 9457 problem naming the field and what to do."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from ..core.doors import (
    BadBody,
    UnsupportedMediaType,
    field_errors,
    json_body,
    problem,
    raw_body,
    require_media_type,
    serving,
)
from ..core.errors import ConfigurationError, IntegrationError, RetryableError, UpstreamAuthFailed, UpstreamError
from .errors import InvalidRequest, ManagementError
from .permissions import AuthSettings, Principal, bearer_principal

if TYPE_CHECKING:
    from collections.abc import Callable
    from logging import Logger as StdLogger

    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2
    from aws_lambda_powertools.utilities.typing import LambdaContext


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


#: Seconds a caller is told to wait when a retryable failure named none (a person is waiting: nothing retries for
#: them, and most outages a platform answers 503 for pass within seconds).
RETRY_AFTER_SECONDS = 5
FIX_THE_FIELDS = ("Correct the named fields and send the request again; GET /integration-types describes each step's "
                  "fields.")


def problem_for(exc: Exception, logger: Logger | StdLogger, *, invalid_body: str = FIX_THE_FIELDS) -> Response[Any]:
    """Every failure of a route that answers people (the management API, connectors' action routes, the rating
    widget's door) as one RFC 9457 problem: its status and title from the error's type (``status``/``title`` of a
    :class:`ManagementError`, ``http_status``/``http_title`` of any other named error), the field it names, what to do
    (``resolution``) and, when waiting helps, ``Retry-After``. Unknown failures are logged and answered 500 without
    internals. ``invalid_body`` is the resolution of a body that fails its model."""
    if isinstance(exc, ValidationError):
        # The API speaks camelCase; pydantic names a validated default by its Python name.
        errors = [{**e, "field": re.sub(r"_([a-z])", lambda m: m[1].upper(), e["field"])}
                  for e in field_errors(exc)]
        return problem(400, "Invalid request body",
                       f"These fields are missing or invalid: {', '.join(e['field'] for e in errors)}", errors,
                       extensions={"resolution": invalid_body})
    if isinstance(exc, ManagementError):
        headers = {"WWW-Authenticate": 'Bearer realm="integrations"'} if exc.status == 401 else None
        return named_problem(exc.status, exc.title, exc, headers=headers)
    if isinstance(exc, IntegrationError) and exc.http_status is not None:
        return problem(exc.http_status, exc.http_title, exc.problem_detail(), exc.problem_errors(),
                       extensions={"resolution": exc.resolution}, headers=exc.http_headers)
    if isinstance(exc, UpstreamError):
        logger.warning("Upstream failed", extra={"upstream": exc.upstream, "status": exc.status, "error": str(exc)})
        if exc.retryable:
            return named_problem(503, f"{exc.upstream} is unavailable", exc, headers=_retry_after(exc),
                                 resolution=f"{exc.upstream} is unavailable right now: try again in a few seconds.")
        if isinstance(exc, UpstreamAuthFailed) and exc.upstream == "CartonCloud":
            return named_problem(502, "The WMS refused the tenant's API credentials", exc,
                                 resolution="A tenant administrator must save working CartonCloud API credentials "
                                            "in the tenant settings.")
        return named_problem(502, f"{exc.upstream} refused the request", exc)
    if isinstance(exc, RetryableError):
        return named_problem(503, "Temporarily unavailable", exc, headers=_retry_after(exc),
                             resolution="Try again in a few seconds.")
    if isinstance(exc, IntegrationError):
        return named_problem(409, "Not possible now", exc)
    logger.exception("Unhandled error in a route")
    return problem(500, "Internal error", "Something failed on our side; it has been logged.")


def _retry_after(exc: IntegrationError) -> dict[str, str]:
    waited = getattr(exc, "retry_after", None)
    return {"Retry-After": str(max(1, int(waited))) if waited else str(RETRY_AFTER_SECONDS)}


class Routes:
    """Routes served on one function's resolver: each operation a method, registered on every ``(method, path)`` of
    the class's :attr:`routes` naming it (one handler for several paths: Powertools calls it with the path's
    parameters). Built once per resolver, so nothing of one function's requests (its current event, its service)
    is shared with another's in the same process."""

    #: ``(HTTP method, Powertools route, method name)``.
    routes: ClassVar[tuple[tuple[str, str, str], ...]] = ()

    def __init__(self, app: APIGatewayHttpResolver, auth: AuthSettings | None = None) -> None:
        self.app = app
        #: Read at the function's import (Lambda init): the local stack sets a function's variables only then.
        self.auth = auth or AuthSettings.from_environment()
        for method, path, name in self.routes:
            app.route(path, method)(getattr(self, name))

    @property
    def event(self) -> APIGatewayProxyEventV2:
        return self.app.current_event

    def principal(self) -> Principal:
        """The caller the bearer token names (401 when it doesn't verify), asked before anything is read."""
        return bearer_principal(self.auth, self.event.headers.get("authorization"))


def lambda_handler(app: APIGatewayHttpResolver, *, invalid_body: str = FIX_THE_FIELDS
                   ) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda handler serving ``app``'s routes (the function's own resolver), every failure answered by
    :func:`problem_for`, logged, traced and counted as every function is."""
    from aws_lambda_powertools import Logger, Metrics

    from ..core.observability import tracer as tracer_for_this_function

    logger, metrics, tracer = Logger(), Metrics(), tracer_for_this_function()

    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]  # Powertools leaves it unannotated
    def to_problem(exc: Exception) -> Response[Any]:
        return problem_for(exc, logger, invalid_body=invalid_body)

    return serving(app, logger, metrics, tracer)
