"""The frame every platform sandbox shares: request/response values, a tiny router, fault injection, a control API,
outgoing webhooks. Two ways reach one implementation (in-process through ``responses``, or served over HTTP):
:mod:`local.sandboxes.transports`.

A sandbox is a stateful in-memory fake of a vendor API. Functional tests install it into a
:class:`responses.RequestsMock` (no sockets); the local stack and end-to-end tests serve it on 127.0.0.1.
Both paths end in :meth:`Sandbox.handle`, so the two modes cannot drift apart.

Control API (never faulted, never in the request log), under ``/_control/``:

- ``POST /_control/faults`` ``{status, count?, percent?, seed?, retryAfter?, latencyMs?, pathPattern?, method?,
  disconnect?}`` (snake_case keys are accepted too; a ``percent`` between 0 and 100 needs a ``seed``); ``GET`` lists
  them; ``DELETE`` clears them;
- ``GET /_control/requests``: the request log ``[{method, path, status}]``; with ``?durations=true`` each entry also
  says how long the sandbox took to answer it (``durationMs``, faults' latency included: a benchmark subtracts a
  vendor's own time with it);

Randomness is always seeded, so a test runs the same way twice: a percentage fault draws from its own
``random.Random(seed)`` (the seed is required, so an unseeded storm cannot be written by accident), and the sandbox's
other random choices (held webhooks released out of order, duplicated deliveries) from ``Sandbox.random``, seeded
with :data:`DEFAULT_SEED` unless given another.
- ``POST /_control/reset``: back to an empty sandbox;
- ``POST /_control/webhooks`` ``{drop: N}``: lose the next N outgoing webhooks; ``GET``: every delivery so far,
  with its ``status``, ``sentAt`` (wall-clock epoch seconds) and ``durationMs`` (how long the receiver took).
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from requests.structures import CaseInsensitiveDict

from .dialects import Dialects
from .faults import Fault

log = logging.getLogger(__name__)

#: ``(url, headers, body) -> HTTP status``: how a sandbox delivers a webhook. Tests pass a recorder.
Sender = Callable[[str, dict[str, str], bytes], int]
Handler = Callable[..., "SandboxResponse"]

#: What ``Sandbox.random`` is seeded with when no seed is given: every run makes the same choices.
DEFAULT_SEED = 20

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
#: Reason phrases Python's table lacks (CartonCloud's "228 Created with issues").
EXTRA_REASONS = {228: "Created with issues"}


# --- request / response values ---------------------------------------------------------------------------------------


@dataclass
class SandboxRequest:
    """One HTTP request as the sandbox sees it, whichever way it arrived."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    #: Any mapping; stored case-insensitive, as HTTP header names are.
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: The query string exactly as sent (without ``?``): what a vendor that signs its query string checks.
    raw_query: str = ""

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self.headers = CaseInsensitiveDict(self.headers)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name, default)

    def param(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """The body parsed as JSON; raises ``ValueError`` when it is not JSON."""
        return json.loads(self.body.decode("utf-8") or "null")

    def form(self) -> dict[str, str]:
        """The body as ``application/x-www-form-urlencoded`` fields (first value of each)."""
        parsed = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}


@dataclass
class SandboxResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: Drop the connection instead of answering (a fault): ``requests`` sees a ConnectionError.
    disconnect: bool = False

    @classmethod
    def json(cls, status: int, obj: Any, headers: dict[str, str] | None = None) -> SandboxResponse:
        return cls(
            status=status,
            headers={"Content-Type": "application/json", **(headers or {})},
            body=json.dumps(obj, default=_json_default).encode("utf-8"),
        )

    @classmethod
    def empty(cls, status: int = 204, headers: dict[str, str] | None = None) -> SandboxResponse:
        return cls(status=status, headers=dict(headers or {}))

    def parsed(self) -> Any:
        """The body parsed as JSON (for tests driving :meth:`Sandbox.handle` directly)."""
        return json.loads(self.body or b"null")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "__float__"):  # Decimal
        number = float(value)
        return int(number) if number.is_integer() else number
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class ControlError(Exception):
    """A bad control-API call (unknown tenant, missing field): answered 400/404 with ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# --- faults and webhooks ---------------------------------------------------------------------------------------------


@dataclass
class Delivery:
    """One outgoing webhook: what was sent, and what came of it."""

    url: str
    headers: dict[str, str]
    body: bytes
    #: The receiver's HTTP status; None while in flight, when dropped, or when sending failed.
    status: int | None = None
    dropped: bool = False
    error: str | None = None
    #: Wall-clock epoch seconds when it left, and how long the receiver took to answer (None until answered).
    sent_at: float | None = None
    duration_ms: float | None = None

    def json(self) -> Any:
        return json.loads(self.body)

    def to_json(self) -> dict[str, Any]:
        try:
            body: Any = self.json()
        except ValueError:
            body = self.body.decode("utf-8", "replace")
        return {
            "url": self.url,
            "headers": self.headers,
            "body": body,
            "status": self.status,
            "dropped": self.dropped,
            "error": self.error,
            "sentAt": self.sent_at,
            "durationMs": self.duration_ms,
        }


@dataclass
class SentWebhook:
    url: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class RecordingSender:
    """A :data:`Sender` for tests: keeps every webhook in ``sent`` and answers ``status``."""

    def __init__(self, status: int = 202) -> None:
        self.status = status
        self.sent: list[SentWebhook] = []

    def __call__(self, url: str, headers: dict[str, str], body: bytes) -> int:
        self.sent.append(SentWebhook(url, dict(headers), body))
        return self.status


def urllib_sender(url: str, headers: dict[str, str], body: bytes) -> int:
    """POST with the standard library (no dependency on the code under test's HTTP stack)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


# --- the sandbox -----------------------------------------------------------------------------------------------------


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def utc_now() -> datetime:
    return datetime.now(UTC)


class Sandbox(Dialects):
    """Routing, faults, the request log, the control API and webhook delivery; subclasses add the vendor API.

    Every change to state happens inside :meth:`transaction` (a re-entrant lock). Webhooks queued inside one are
    sent after the lock is released, so a sender that calls straight back into the sandbox cannot deadlock.
    """

    #: Short platform name, used in logs and the standalone server banner.
    name = "sandbox"

    def __init__(
        self,
        *,
        sender: Sender | None = None,
        now: Callable[[], datetime] | None = None,
        seed: int | None = None,
        async_webhooks: bool | None = None,
        dialect: Mapping[str, str] | None = None,
    ) -> None:
        """``sender`` defaults to a urllib POST on a background thread; a given sender runs inline unless
        ``async_webhooks=True``. ``now`` returns an aware datetime (the sandbox's clock); ``seed`` fixes its other
        random choices (:data:`DEFAULT_SEED` when None; percentage faults carry their own)."""
        self._lock = threading.RLock()
        self._depth = 0
        self._outbox: list[Delivery] = []
        self._routes: list[_Route] = []
        self._control_routes: list[_Route] = []
        self.sender: Sender = sender or urllib_sender
        self.async_webhooks = (sender is None) if async_webhooks is None else async_webhooks
        self.now: Callable[[], datetime] = now or utc_now
        self.random = random.Random(DEFAULT_SEED if seed is None else seed)
        self.faults: list[Fault] = []
        self._request_log: list[tuple[str, str, int]] = []
        #: How long each logged request took to answer (ms), beside ``_request_log`` (whose 3-tuples tests unpack).
        self._request_durations: list[float] = []
        #: When each logged request arrived (``time.monotonic()``): what a test reads to see a client's waits.
        self._request_times: list[float] = []
        self.deliveries: list[Delivery] = []
        self._drop_webhooks = 0
        self.set_dialect(dialect)  # where the vendor is unknown, which answer this sandbox gives (dialects.py)
        self._register_base_control_routes()

    # --- routing -----------------------------------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register a vendor route; ``pattern`` is a regex fully matching the path, named groups become kwargs."""
        self._routes.append(_Route(method.upper(), re.compile(pattern), handler))

    def control_route(self, method: str, pattern: str, handler: Handler) -> None:
        """Register a route under ``/_control/`` (``pattern`` includes that prefix)."""
        if not pattern.startswith("/_control/"):
            raise ValueError("control routes live under /_control/")
        self._control_routes.append(_Route(method.upper(), re.compile(pattern), handler))

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        """Answer one request: control API, else faults, else the vendor route."""
        if request.path.startswith("/_control/"):
            return self._dispatch_control(request)
        started = time.monotonic()
        fault = self._pick_fault(request)
        if fault is not None and fault.latency_ms:
            time.sleep(fault.latency_ms / 1000)
        if fault is not None and fault.disconnect:
            response = SandboxResponse(status=0, disconnect=True)
        elif fault is not None and fault.status is not None:
            response = self.fault_response(fault)
        else:
            response = self._dispatch(request, self._routes)
        with self._lock:
            self._request_log.append((request.method, request.path, response.status))
            self._request_durations.append((time.monotonic() - started) * 1000)
            self._request_times.append(started)
        return response

    def _dispatch(self, request: SandboxRequest, routes: list[_Route]) -> SandboxResponse:
        path_matched = False
        for route in routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            path_matched = True
            if route.method != request.method:
                continue
            return route.handler(request, **match.groupdict())
        if path_matched:
            return self.error(405, f"Request method '{request.method}' not supported")
        return self.error(404, "Not Found")

    def _dispatch_control(self, request: SandboxRequest) -> SandboxResponse:
        try:
            return self._dispatch(request, self._control_routes)
        except ControlError as exc:
            return SandboxResponse.json(exc.status, {"error": str(exc)})
        except (ValueError, KeyError, TypeError) as exc:
            return SandboxResponse.json(400, {"error": f"bad control request: {exc!r}"})

    # --- vendor error shape (subclasses override) --------------------------------------------------------------------

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
        """The vendor's error body for ``status``; the base shape is ``{"message": ...}``."""
        return SandboxResponse.json(status, {"message": message}, headers)

    def fault_message(self, status: int) -> str:
        try:
            return HTTPStatus(status).phrase
        except ValueError:
            return "Injected fault"

    def fault_response(self, fault: Fault) -> SandboxResponse:
        assert fault.status is not None
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
        return self.error(fault.status, self.fault_message(fault.status), headers)

    # --- faults ------------------------------------------------------------------------------------------------------

    def inject_fault(
        self,
        status: int | None = 500,
        *,
        count: int | None = None,
        percent: float | None = None,
        retry_after: int | None = None,
        latency_ms: int = 0,
        path_pattern: str | None = None,
        method: str | None = None,
        disconnect: bool = False,
        seed: int | None = None,
    ) -> Fault:
        """Fail matching requests before they reach the vendor routes (control routes are never faulted).

        ``count`` fires on the next N matches; ``percent`` on that share of them, drawn with ``random.Random(seed)``
        (both: at most N times); neither: every match until :meth:`clear_faults`. Faults are tried in the order they
        were added. A ``percent`` strictly between 0 and 100 requires a ``seed``: a storm that fails different
        requests on every run can't be written by accident.
        """
        if count is not None and count < 1:
            raise ValueError("count must be at least 1")
        if percent is not None and not 0 <= percent <= 100:
            raise ValueError("percent must be between 0 and 100")
        if percent is not None and 0 < percent < 100 and seed is None:
            raise ValueError("a percentage fault needs a seed (the same requests fail on every run)")
        if path_pattern:
            re.compile(path_pattern)
        fault = Fault(status, count, percent, retry_after, latency_ms, path_pattern, method, disconnect, seed)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self.faults.clear()

    def _pick_fault(self, request: SandboxRequest) -> Fault | None:
        with self._lock:
            for fault in list(self.faults):
                if not fault.matches(request):
                    continue
                if not fault.fires():
                    continue
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    # --- request log -------------------------------------------------------------------------------------------------

    @property
    def request_log(self) -> list[tuple[str, str, int]]:
        """``(method, path, status)`` of every vendor request so far (control calls excluded)."""
        with self._lock:
            return list(self._request_log)

    @property
    def timed_request_log(self) -> list[tuple[str, str, int, float]]:
        """``(method, path, status, arrived)`` of every vendor request so far; ``arrived`` is ``time.monotonic()``."""
        with self._lock:
            return [(*entry, at) for entry, at in zip(self._request_log, self._request_times, strict=True)]

    def requests_to(self, path_pattern: str, method: str | None = None) -> list[tuple[str, str, int]]:
        """The logged requests whose path matches ``path_pattern`` (regex search)."""
        return [entry for entry in self.request_log
                if re.search(path_pattern, entry[1]) and (method is None or entry[0] == method.upper())]

    # --- state -------------------------------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the state lock; webhooks queued inside go out when the outermost transaction ends."""
        with self._lock:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                pending: list[Delivery] = []
                if self._depth == 0:
                    pending, self._outbox = self._outbox, []
        for delivery in pending:
            self._send(delivery)

    def reset(self) -> None:
        """Back to an empty sandbox: no faults, no log, no deliveries. Subclasses clear their own state too."""
        with self._lock:
            self.faults.clear()
            self._request_log.clear()
            self._request_durations.clear()
            self._request_times.clear()
            self.deliveries.clear()
            self._drop_webhooks = 0

    # --- webhooks ----------------------------------------------------------------------------------------------------

    def drop_webhooks(self, count: int) -> None:
        """Lose the next ``count`` outgoing webhooks (recorded as ``dropped``), as a flaky vendor would."""
        if count < 0:
            raise ValueError("count must be >= 0")
        with self._lock:
            self._drop_webhooks = count

    def queue_webhook(self, url: str, headers: dict[str, str], body: bytes) -> Delivery:
        """Record a webhook and send it once the current transaction ends (at once outside one)."""
        delivery = Delivery(url, dict(headers), body)
        with self.transaction():
            self.deliveries.append(delivery)
            if self._drop_webhooks > 0:
                self._drop_webhooks -= 1
                delivery.dropped = True
            else:
                self._outbox.append(delivery)
        return delivery

    def _send(self, delivery: Delivery) -> None:
        if self.async_webhooks:
            threading.Thread(target=self._send_now, args=(delivery,), daemon=True,
                             name=f"{self.name}-webhook").start()
        else:
            self._send_now(delivery)

    def _send_now(self, delivery: Delivery) -> None:
        delivery.sent_at, started = time.time(), time.monotonic()
        try:
            status = self.sender(delivery.url, delivery.headers, delivery.body)
        except Exception as exc:  # a failed delivery is data, never a sandbox crash
            log.warning("%s webhook to %s failed: %r", self.name, delivery.url, exc)
            with self._lock:
                delivery.error = repr(exc)
                delivery.duration_ms = (time.monotonic() - started) * 1000
            return
        with self._lock:
            delivery.status = status
            delivery.duration_ms = (time.monotonic() - started) * 1000

    # --- the generic control API -------------------------------------------------------------------------------------

    def _register_base_control_routes(self) -> None:
        self.control_route("POST", r"/_control/faults", self._control_add_fault)
        self.control_route("GET", r"/_control/faults", self._control_list_faults)
        self.control_route("DELETE", r"/_control/faults", self._control_clear_faults)
        self.control_route("GET", r"/_control/requests", self._control_requests)
        self.control_route("POST", r"/_control/reset", self._control_reset)
        self.control_route("POST", r"/_control/webhooks", self._control_drop_webhooks)
        self.control_route("GET", r"/_control/webhooks", self._control_list_webhooks)
        self.control_route("GET", r"/_control/dialect", self._control_get_dialect)
        self.control_route("PUT", r"/_control/dialect", self._control_put_dialect)

    def _control_add_fault(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        fault = self.inject_fault(
            body.get("status", 500),
            count=pick(body, "count"),
            percent=pick(body, "percent"),
            retry_after=pick(body, "retryAfter", "retry_after"),
            latency_ms=pick(body, "latencyMs", "latency_ms") or 0,
            path_pattern=pick(body, "pathPattern", "path_pattern"),
            method=pick(body, "method"),
            disconnect=bool(pick(body, "disconnect")),
            seed=pick(body, "seed"),
        )
        return SandboxResponse.json(201, fault.to_json())

    def _control_list_faults(self, request: SandboxRequest) -> SandboxResponse:
        with self._lock:
            return SandboxResponse.json(200, [fault.to_json() for fault in self.faults])

    def _control_clear_faults(self, request: SandboxRequest) -> SandboxResponse:
        self.clear_faults()
        return SandboxResponse.empty(204)

    def _control_requests(self, request: SandboxRequest) -> SandboxResponse:
        with self._lock:
            logged = list(zip(self._request_log, self._request_durations, strict=True))
        timed = (request.param("durations") or "").lower() == "true"
        return SandboxResponse.json(200, [{"method": method, "path": path, "status": status,
                                           **({"durationMs": round(duration, 3)} if timed else {})}
                                          for (method, path, status), duration in logged])

    def _control_reset(self, request: SandboxRequest) -> SandboxResponse:
        self.reset()
        return SandboxResponse.empty(204)

    def _control_drop_webhooks(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        self.drop_webhooks(int(body.get("drop", 0)))
        return SandboxResponse.json(200, {"drop": self._drop_webhooks})

    def _control_list_webhooks(self, request: SandboxRequest) -> SandboxResponse:
        with self._lock:
            return SandboxResponse.json(200, [delivery.to_json() for delivery in self.deliveries])


def control_body(request: SandboxRequest) -> dict[str, Any]:
    """A control call's JSON object body (empty body: ``{}``)."""
    if not request.body.strip():
        return {}
    try:
        body = request.json()
    except ValueError:
        raise ControlError("body is not JSON") from None
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def pick(body: dict[str, Any], *names: str) -> Any:
    """The first of ``names`` present in ``body`` (control bodies accept camelCase and snake_case)."""
    for name in names:
        if name in body:
            return body[name]
    return None
