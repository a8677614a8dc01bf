"""What every HTTP door shares: the raw body as sent, a strict JSON reading of it, the integration a delivery is
for (re-read before anything is refused), and RFC 9457 problem responses.

Every 4xx names the field and the reason, and the door returns it before anything is written or queued.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import SignatureInvalid

if TYPE_CHECKING:
    # Powertools' event handler (~30 ms) is imported by problem() on first use: the pollers and schedules that
    # read JSON with json_body never answer HTTP, so they don't load it at all.
    from aws_lambda_powertools import Logger, Metrics, Tracer
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
    from aws_lambda_powertools.utilities.typing import LambdaContext

    # Imported for typing only: a door that just reads bodies and answers problems shouldn't pay for pydantic's
    # models, the integration types and the stores at cold start; verified_integration imports them on first use.
    from pydantic import BaseModel, ValidationError

    from .integration_record import Integration

Model = TypeVar("Model", bound="BaseModel")
PROBLEM_JSON = "application/problem+json"
#: Deeper than any real order or notification; deeper bodies are refused before they can exhaust the stack.
MAX_JSON_DEPTH = 64


class BadBody(ValueError):
    """A body a door can't use: answered 400 naming ``field``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class BadDelivery(BadBody):
    """A delivery that got through the door's check but can't be used: answered ``status`` (400 unless a subclass
    says otherwise) with ``title``, naming the field. A platform's own refusals subclass it (a delivery for another
    account of the platform: 403)."""

    status = 400
    title = "Invalid delivery"

    @property
    def detail(self) -> str:
        return f"{self.field} {self.reason}"


class IntegrationGone(Exception):
    """The integration a delivery is for was deleted: answered 410, never 2xx, so the platform stops (or disables)
    a webhook whose deliveries keep failing."""


class UnknownIntegration(Exception):
    """No integration of that type has this id (after an uncached look): answered 404 where saying so is safe (an
    unsigned activation ping); a signed delivery is refused 401 instead, telling a stranger nothing."""


def validated(model: type[Model], payload: Any) -> Model:
    """``payload`` as ``model``, or :class:`BadDelivery` naming the first field at fault (``a.b``) and why."""
    from pydantic import ValidationError

    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        raise BadDelivery(".".join(str(part) for part in error["loc"]) or "body", str(error["msg"])) from None


def lowered(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Header names in lower case (HTTP names are case-insensitive; a platform's spelling varies)."""
    return {name.lower(): value for name, value in (headers or {}).items()}


class UnsupportedMediaType(BadBody):
    """A body sent as something other than JSON: answered 415 naming the ``Content-Type`` header."""

    def __init__(self, content_type: str | None, expected: str = "application/json") -> None:
        sent = f"is {content_type!r}" if content_type else "is missing"
        super().__init__("Content-Type", f"{sent}; send the body as {expected}")
        self.expected = expected


def require_media_type(content_type: str | None, expected: str = "application/json") -> None:
    """Refuse a body whose ``Content-Type`` is not ``expected`` (parameters such as ``charset`` aside; for JSON, a
    structured ``application/*+json`` type too). Raises :class:`UnsupportedMediaType`."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == expected:
        return
    if expected == "application/json" and media.startswith("application/") and media.endswith("+json"):
        return
    raise UnsupportedMediaType(content_type, expected)


def json_body(raw: bytes, *, field: str = "body") -> Any:
    """The body as JSON: UTF-8 only (RFC 8259 §8.1: no BOM, no UTF-16 guessing), at most :data:`MAX_JSON_DEPTH`
    levels deep. Raises :class:`BadBody` otherwise."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise BadBody(field, "starts with a byte order mark; send UTF-8 without one")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody(field, "is not UTF-8") from None
    if _depth(text) > MAX_JSON_DEPTH:
        raise BadBody(field, f"is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(text)
    except ValueError:
        raise BadBody(field, "is not JSON") from None


def _depth(text: str) -> int:
    """How deeply brackets nest, outside strings (a scan, so no recursion can overflow)."""
    deepest = depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def raw_body(body: str | None, is_base64_encoded: bool) -> bytes:
    """The request body bytes exactly as the sender signed them (API Gateway base64-encodes binary bodies)."""
    if not body:
        return b""
    return base64.b64decode(body) if is_base64_encoded else body.encode("utf-8")


def problem(status: int, title: str, detail: str = "", errors: Iterable[Mapping[str, str]] = (), *,
            extensions: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None) -> Response[str]:
    """An RFC 9457 body; ``extensions`` adds members such as ``resolution`` (what the caller should do)."""
    from aws_lambda_powertools.event_handler import Response  # loaded already in an HTTP function; a lookup

    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    listed = [dict(error) for error in errors]
    if listed:
        body["errors"] = listed
    body.update({key: value for key, value in (extensions or {}).items() if value is not None})
    return Response(status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body),
                    headers=dict(headers) if headers else None)


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """pydantic errors as ``[{field: "a.b[0]", reason: ...}]`` using the names the client sent (aliases)."""
    errors = []
    for error in exc.errors(include_url=False, include_input=False):
        field = ""
        for part in error["loc"]:
            field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
        errors.append({"field": field or "body", "reason": error["msg"]})
    return errors


def invalid_body(exc: ValidationError) -> Response[str]:
    errors = field_errors(exc)
    names = ", ".join(e["field"] for e in errors)
    return problem(400, "Invalid request body", f"These fields are missing or invalid: {names}", errors)


def verified_integration(integration_id: str, platform: str, verify: Callable[[Integration], None]) -> Integration:
    """The integration a delivery is for, once ``verify`` accepted the delivery with it (raising
    :class:`SignatureInvalid` when it doesn't).

    A warm Lambda's cached copy is tried first; before anything is refused (an unknown integration, a signature that
    doesn't match) the integration is read again, uncached: it may have been finished, re-keyed or re-registered a
    moment ago, and a platform that never retries a delivery would lose it.
    """
    from .integration_access import integration  # imported on first use: see the TYPE_CHECKING imports above

    cached = integration(integration_id, of_type=platform)
    if cached is not None:
        try:
            verify(cached)
            return cached
        except SignatureInvalid:
            pass
    fresh = integration(integration_id, fresh=True, of_type=platform)
    if fresh is None:
        raise SignatureInvalid(f"Unknown {platform} integration {integration_id}")
    verify(fresh)
    return fresh


def serving(app: APIGatewayHttpResolver, logger: Logger, metrics: Metrics, tracer: Tracer
            ) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda handler resolving ``app``'s routes, logged (with API Gateway's request id), traced and its metrics
    flushed, as every HTTP function is."""
    from aws_lambda_powertools.logging import correlation_paths

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    return handler
