"""What every HTTP door shares: the raw body as sent, and RFC 9457 problem responses.

Every 4xx names the field and the reason, and the door returns it before anything is written or queued.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response
from pydantic import ValidationError

PROBLEM_JSON = "application/problem+json"


def raw_body(body: str | None, is_base64_encoded: bool) -> bytes:
    """The request body bytes exactly as the sender signed them (API Gateway base64-encodes binary bodies)."""
    if not body:
        return b""
    return base64.b64decode(body) if is_base64_encoded else body.encode("utf-8")


def problem(status: int, title: str, detail: str = "", errors: Iterable[Mapping[str, str]] = (), *,
            extensions: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None) -> Response[str]:
    """An RFC 9457 body; ``extensions`` adds members such as ``resolution`` (what the caller should do)."""
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
