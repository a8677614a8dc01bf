"""An API Gateway HTTP API stand-in: template.yaml's HttpApi/Api routes served on 127.0.0.1 as payload-v2 events.

``sam local start-api`` needs Docker, and no maintained package turns HTTP into v2 events for SAM handlers without
it, so this is the small piece we keep. What it does as API Gateway does:

- route by method and path template (``{param}``, greedy ``{proxy+}``, method ``ANY``), the most specific route
  winning; no route: ``404 {"message": "Not Found"}``;
- build the event with :func:`~local.lambda_runtime.http_event` (stage ``$default``, raw body, base64 for binary,
  cookies, comma-joined repeated headers, decoded path parameters);
- answer from the handler's result: ``statusCode``/``headers``/``multiValueHeaders``/``cookies``/``body``
  (``isBase64Encoded`` decoded); a result without ``statusCode`` is sent as a 200 JSON body, as payload v2 does;
  a handler that raises is a ``500 {"message": "Internal Server Error"}``.

Paths under ``/_local/`` are not API routes: they go to the ``ops`` callable (the local stack's operator endpoints).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .lambda_runtime import http_event, route_template_matches
from .resources import FunctionSpec

log = logging.getLogger(__name__)

OPS_PREFIX = "/_local/"


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    function: str

    def specificity(self) -> tuple[int, ...]:
        """Sort key, most specific first: literal segments before ``{param}`` before ``{proxy+}``; then a named
        method before ``ANY``."""
        ranks = tuple(2 if part.endswith("+}") else 1 if part.startswith("{") else 0
                      for part in self.path.strip("/").split("/"))
        return (*ranks, 1 if self.method == "ANY" else 0)


def routes_of(functions: Iterable[FunctionSpec]) -> list[ApiRoute]:
    return [ApiRoute(route.method.upper(), route.path, spec.logical_id) for spec in functions for route in spec.routes]


def match_route(routes: Iterable[ApiRoute], method: str, path: str) -> tuple[ApiRoute, dict[str, str]] | None:
    """The route API Gateway would pick for ``method path`` and its decoded path parameters."""
    candidates = []
    for route in routes:
        if route.method not in (method.upper(), "ANY"):
            continue
        params = route_template_matches(route.path, path)
        if params is not None:
            candidates.append((route.specificity(), route, {name: unquote(value) for name, value in params.items()}))
    if not candidates:
        return None
    _, route, params = min(candidates, key=lambda candidate: candidate[0])
    return route, params


@dataclass
class Request:
    method: str
    #: The path as sent (percent-encoding kept), without the query string.
    path: str
    query: str = ""
    #: Lower-case names; repeated headers joined with "," as API Gateway does.
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def param(self, name: str) -> str | None:
        values = parse_qs(self.query).get(name)
        return values[0] if values else None


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, status: int, value: Any) -> Answer:
        return cls(status, [("Content-Type", "application/json")],
                   json.dumps(value, default=_json_default, indent=1, ensure_ascii=False).encode())


def _json_default(value: Any) -> Any:
    if hasattr(value, "__float__"):  # Decimal from DynamoDB
        number = float(value)
        return int(number) if number.is_integer() else number
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def lambda_answer(result: Any) -> Answer:
    """The HTTP response API Gateway makes of a handler's return value (payload format 2.0)."""
    if not isinstance(result, dict) or "statusCode" not in result:
        return Answer(200, [("Content-Type", "application/json")], json.dumps(result).encode())
    headers = [(name, str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(name, str(value)) for value in values]
    headers += [("Set-Cookie", cookie) for cookie in result.get("cookies") or []]
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    return Answer(int(result["statusCode"]), headers, raw)


#: ``(function logical id, event) -> the handler's result``
Invoker = Callable[[str, dict[str, Any]], Any]
Ops = Callable[[Request], Answer]


class ApiGateway:
    """Routing and event building, independent of the HTTP server (unit tests call :meth:`handle`)."""

    def __init__(self, routes: list[ApiRoute], invoke: Invoker, ops: Ops | None = None) -> None:
        self.routes = sorted(routes, key=ApiRoute.specificity)
        self.invoke = invoke
        self.ops = ops

    def handle(self, request: Request) -> Answer:
        if self.ops is not None and (request.path + "/").startswith(OPS_PREFIX):
            return self.ops(request)
        found = match_route(self.routes, request.method, request.path)
        if found is None:
            return Answer.json(404, {"message": "Not Found"})
        route, params = found
        event = http_event(request.method, request.path, route=route.path, path_parameters=params,
                           headers=request.headers, query=request.query, body=request.body)
        started = time.monotonic()
        try:
            answer = lambda_answer(self.invoke(route.function, event))
        except Exception:
            log.exception("%s failed on %s %s", route.function, request.method, request.path)
            answer = Answer.json(500, {"message": "Internal Server Error"})
        log.info("%s %s → %d (%s, %.0f ms)", request.method, request.path, answer.status, route.function,
                 (time.monotonic() - started) * 1000)
        return answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        request = Request(self.command, url.path or "/", url.query, headers, self._read_body())
        try:
            answer = self.server.gateway.handle(request)
        except Exception:  # an ops bug: answer rather than drop the connection
            log.exception("API stand-in failed on %s %s", self.command, self.path)
            answer = Answer.json(500, {"message": "Internal Server Error"})
        self.send_response(answer.status)
        for name, value in answer.headers:
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():  # trailers
                pass
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("api: " + format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], gateway: ApiGateway) -> None:
        self.gateway = gateway
        super().__init__(address, _Handler)


class ApiServer:
    """The gateway bound to ``host:port`` (0: a free port) and served from a daemon thread."""

    def __init__(self, gateway: ApiGateway, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), gateway)
        bound_host, bound_port = self._server.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="api-stand-in", daemon=True)

    def start(self) -> ApiServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
