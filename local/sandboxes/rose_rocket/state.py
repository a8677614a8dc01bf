"""Rose Rocket's state: organisations (their OAuth application, service-account users, records, boards, webhook
settings), issued tokens, the per-organisation rate limit, the clock, and webhook delivery.

- **Tokens** come from Auth0 (``POST /oauth/token``, client credentials with ``org_id`` and ``user_id``), last
  :data:`~.model.TOKEN_TTL_SECONDS`, and stop working when the application's secret is rotated (Rose Rocket:
  "rotating a secret invalidates the old one immediately").
- **Rate limit** (GUESS: Rose Rocket publishes none): ``rate_limit`` calls per organisation in any rolling minute,
  beyond which NestJS's throttler answers 429 with ``Retry-After``.
- **Webhooks**: every destination subscribed to "Order Status Changed" gets the v2 envelope ``{id, type, refId,
  ownerId, orgId, createdAt, objectKey, json}``, unsigned, when an order's status changes — some deliveries twice
  (``duplicate_percent``). A failed delivery (not 2xx, or no answer) is retried 3 times, 30 seconds apart (dialect
  ``webhook-retries: three-times-30s``, the v2 docs via a digest) or never (``none``, as v1 was): served over HTTP
  a timer sends each retry; in-process (tests) :meth:`RoseRocketState.send_due_retries` sends those due by the
  sandbox's clock, or all of them (``POST /_control/webhooks/retries``).
- **Dialects** (:data:`~.model.DIALECTS`): the token's audience, the order statuses' spelling, whether an order read
  takes the connected paths its page doesn't list, whether the organisation has a service type object, webhook
  retries.
- **Request bodies**: every vendor request's body is kept beside the request log (client secrets masked):
  :meth:`RoseRocketState.request_bodies`, ``GET /_control/request-bodies``.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..base import ControlError, Delivery, Sandbox, SandboxRequest, SandboxResponse, Sender
from .model import (
    API_PREFIX,
    DIALECTS,
    ORDER_STATUS_CHANGED,
    SCHEMAS,
    SCHEMAS_WITHOUT_SERVICE_TYPE,
    TOKEN_TTL_SECONDS,
    WEBHOOK_RETRIES,
    WEBHOOK_RETRY_SECONDS,
    ApiError,
    ObjectSchema,
    nest,
    spelled,
)
from .records import LINKS, Org, Records

#: Request-body fields never kept in the sandbox's record of what was sent (the token request's secret).
MASKED = ("client_secret",)


@dataclass
class Organization:
    """One Rose Rocket organisation with one OAuth application and its service-account users."""

    id: str
    name: str
    client_id: str
    client_secret: str
    service_users: list[str]
    store: Org
    #: Calls allowed in any rolling minute (GUESS) and the Retry-After sent with a 429.
    rate_limit: int = 600
    retry_after: int = 2
    #: Share (0–100) of webhook deliveries sent twice ("at-least-once").
    duplicate_percent: float = 0.0
    boards: dict[str, str] = field(default_factory=dict)
    #: Vendor example records loaded through the control API, exactly as given, by the id of the record they made.
    examples: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "clientId": self.client_id, "clientSecret": self.client_secret,
                "serviceAccountUserIds": self.service_users, "rateLimitPerMinute": self.rate_limit,
                "retryAfter": self.retry_after, "duplicateWebhookPercent": self.duplicate_percent,
                "boards": self.boards}


@dataclass
class Token:
    org_id: str
    user_id: str
    client_id: str
    expires_at: datetime


@dataclass
class Retry:
    """A failed webhook delivery to send again at ``due`` (the sandbox's clock); ``attempt`` 1 is the first retry."""

    url: str
    headers: dict[str, str]
    body: bytes
    attempt: int
    due: datetime


class RoseRocketState(Sandbox):
    name = "rose_rocket"
    DIALECTS = DIALECTS

    def __init__(self, *, sender: Sender | None = None, **options: Any) -> None:
        """As the base sandbox (``now``, ``seed``, ``async_webhooks``, ``dialect``…)."""
        self._bodies: list[dict[str, Any]] = []
        self.retries: list[Retry] = []
        super().__init__(sender=sender, **options)
        self.orgs: dict[str, Organization] = {}
        self.tokens: dict[str, Token] = {}
        self._calls: dict[str, deque[datetime]] = {}
        self._register_routes()

    def schemas(self) -> dict[str, ObjectSchema]:
        """The objects an organisation has in this dialect (no service types, when ``absent``)."""
        return SCHEMAS_WITHOUT_SERVICE_TYPE if self.speaks("service-type-object", "absent") else SCHEMAS

    def records_of(self, org: Organization, user: str) -> Records:
        return Records(org.store, self.stamp(), user, self.schemas())

    @property
    def spelling(self) -> str:
        """How this sandbox's API spells order statuses (``lowercase``, as stored, or ``capitalised``)."""
        return self.dialect["status-spelling"]

    # --- what was sent ---------------------------------------------------------------------------------------------

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        """As the base, and each vendor request's body kept beside the log (whose 3-tuples stay as they are)."""
        response = super().handle(request)
        if not request.path.startswith("/_control/"):
            with self.transaction():
                self._bodies.append({"method": request.method, "path": request.path, "query": request.raw_query,
                                     "status": response.status, "body": _kept(request)})
        return response

    def request_bodies(self, path_pattern: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        """``{method, path, query, status, body}`` of each vendor request so far (JSON bodies parsed; client secrets
        masked), optionally those whose path matches ``path_pattern`` (regex search) and ``method``."""
        with self.transaction():
            kept = list(self._bodies)
        return [entry for entry in kept if (path_pattern is None or re.search(path_pattern, entry["path"]))
                and (method is None or entry["method"] == method.upper())]

    def _register_routes(self) -> None:
        """Register the vendor and control routes (:class:`~.sandbox.RoseRocketSandbox` lists them)."""

    # --- clock ---------------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        moment = self.now()
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def stamp(self) -> str:
        """Now as Rose Rocket writes times: UTC with milliseconds (``2024-05-28T21:59:53.201Z``)."""
        moment = self._now().astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
        return nest(status, "ThrottlerException: Too Many Requests" if status == 429 else message, headers)

    def reset(self) -> None:
        with self.transaction():
            super().reset()
            self.orgs.clear()
            self.tokens.clear()
            self._calls.clear()
            self._bodies.clear()
            self.retries.clear()

    # --- organisations (Python API) ------------------------------------------------------------------------------

    def add_org(self, org_id: str | None = None, *, name: str = "Demo carrier", client_id: str | None = None,
                client_secret: str | None = None, service_user: str | None = None,
                rate_limit: int = 600) -> Organization:
        org_id = org_id or str(uuid.uuid4())
        org = Organization(id=org_id, name=name, client_id=client_id or secrets.token_hex(16),
                           client_secret=client_secret or secrets.token_urlsafe(32),
                           service_users=[service_user or str(uuid.uuid4())], store=Org(org_id),
                           rate_limit=rate_limit)
        org.boards = {key: str(uuid.uuid4()) for key in ("order", "customer", "quote", "invoice")}
        with self.transaction():
            if any(o.client_id == org.client_id and o.id != org.id for o in self.orgs.values()):
                raise ControlError("that client id belongs to another organization")
            self.orgs[org.id] = org
        return org

    def org(self, org_id: str) -> Organization:
        found = self.orgs.get(org_id)
        if found is None:
            raise ControlError(f"unknown organization {org_id}", 404)
        return found

    def rotate_secret(self, org_id: str, secret: str | None = None) -> Organization:
        """Settings → API Settings → Rotate Secret: the old secret and its tokens stop working at once."""
        with self.transaction():
            org = self.org(org_id)
            org.client_secret = secret or secrets.token_urlsafe(32)
            for key in [k for k, t in self.tokens.items() if t.client_id == org.client_id]:
                del self.tokens[key]
            return org

    @contextmanager
    def writing(self, org: Organization, user: str) -> Iterator[Records]:
        """A write on ``org``'s records; its status changes send webhooks when the transaction ends."""
        with self.transaction():
            records = self.records_of(org, user)
            yield records
            for record_id, old, new in records.status_changes:
                record = org.store.records.get(record_id)
                if record is not None and record["objectKey"] == "order":
                    self._order_status_changed(org, record, old, new, user)

    # --- the API's guard -----------------------------------------------------------------------------------------

    def _api(self, method: str, pattern: str, handler: Callable[..., SandboxResponse]) -> None:
        """A platform-model route: a bearer token of a live organisation, within its rate limit."""

        def guarded(request: SandboxRequest, **groups: str) -> SandboxResponse:
            with self.transaction():
                auth = request.header("Authorization") or ""
                token = self.tokens.get(auth[7:].strip()) if auth.lower().startswith("bearer ") else None
                if token is None or token.expires_at <= self._now() or token.org_id not in self.orgs:
                    return nest(401, "Unauthorized")
                org = self.orgs[token.org_id]
                limited = self._throttled(org)
                if limited is not None:
                    return limited
                try:
                    return handler(request, org, token.user_id, **groups)
                except ApiError as exc:
                    return exc.response()

        self.route(method, API_PREFIX + pattern, guarded)

    def _throttled(self, org: Organization) -> SandboxResponse | None:
        now = self._now()
        window = self._calls.setdefault(org.id, deque())
        while window and window[0] <= now - timedelta(minutes=1):
            window.popleft()
        if len(window) >= org.rate_limit:
            return nest(429, "ThrottlerException: Too Many Requests", {"Retry-After": str(org.retry_after)})
        window.append(now)
        return None

    def issue_token(self, org: Organization, user: str) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = Token(org.id, user, org.client_id, self._now() + timedelta(seconds=TOKEN_TTL_SECONDS))
        return token, TOKEN_TTL_SECONDS

    def expire_tokens(self) -> None:
        with self.transaction():
            self.tokens.clear()

    # --- webhooks --------------------------------------------------------------------------------------------------

    def _order_status_changed(self, org: Organization, order: dict[str, Any], old: str | None, new: str,
                              user: str) -> None:
        destinations = [r for r in org.store.records.values() if r["objectKey"] == "webhookDestination"]
        for destination in destinations:
            events = [org.store.records[i].get("eventName") for i in destination[LINKS].get("subscriptions") or []
                      if i in org.store.records]
            if ORDER_STATUS_CHANGED not in events or not destination.get("url"):
                continue
            envelope = {"id": str(uuid.uuid4()), "type": ORDER_STATUS_CHANGED, "refId": order["id"],
                        "ownerId": user, "orgId": org.id, "createdAt": self.stamp(), "objectKey": "order",
                        "json": {"status": spelled(new, self.spelling),
                                 "previousStatus": spelled(old, self.spelling) if old else old,
                                 "fullId": order["fullId"]}}
            body = json.dumps(envelope, separators=(",", ":")).encode()
            headers = {"Content-Type": "application/json", "User-Agent": "RoseRocket-Webhooks/1"}
            self.queue_webhook(destination["url"], headers, body)
            if org.duplicate_percent and self.random.random() * 100 < org.duplicate_percent:
                self.queue_webhook(destination["url"], headers, body)  # at-least-once: the same event again

    # --- webhook retries (dialect ``webhook-retries``) -------------------------------------------------------------

    def _send_now(self, delivery: Delivery) -> None:
        super()._send_now(delivery)
        failed = delivery.error is not None or not 200 <= (delivery.status or 0) < 300
        if failed and self.speaks("webhook-retries", "three-times-30s"):
            self._schedule_retry(delivery.url, delivery.headers, delivery.body, 1)

    def _schedule_retry(self, url: str, headers: dict[str, str], body: bytes, attempt: int) -> None:
        if attempt > WEBHOOK_RETRIES:
            return
        retry = Retry(url, dict(headers), body, attempt, self._now() + timedelta(seconds=WEBHOOK_RETRY_SECONDS))
        if self.async_webhooks:  # served over HTTP: really 30 seconds later
            timer = threading.Timer(WEBHOOK_RETRY_SECONDS, self._send_retry, args=(retry,))
            timer.daemon = True
            timer.start()
            return
        with self.transaction():
            self.retries.append(retry)

    def _send_retry(self, retry: Retry) -> None:
        delivery = Delivery(retry.url, dict(retry.headers), retry.body)
        with self.transaction():
            self.deliveries.append(delivery)
        Sandbox._send_now(self, delivery)  # the base's send: this retry's own failure is scheduled below
        if delivery.error is not None or not 200 <= (delivery.status or 0) < 300:
            self._schedule_retry(retry.url, retry.headers, retry.body, retry.attempt + 1)

    def send_due_retries(self, *, everything: bool = False) -> int:
        """Send the retries due by the sandbox's clock (``everything``: as if 30 seconds had passed for each, every
        pending one, once); returns how many were sent."""
        with self.transaction():
            now = self._now()
            due = [r for r in self.retries if everything or r.due <= now]
            self.retries = [r for r in self.retries if r not in due]
        for retry in due:
            self._send_retry(retry)
        return len(due)


def _kept(request: SandboxRequest) -> Any:
    """A request's body as kept for tests: JSON parsed (secrets masked), a form as a dict, else the text."""
    if not request.body.strip():
        return None
    try:
        body = request.json()
    except ValueError:
        if "form" not in (request.header("Content-Type") or ""):
            return request.body.decode("utf-8", "replace")
        body = request.form()
    if isinstance(body, dict):
        return {k: ("***" if k in MASKED else v) for k, v in body.items()}
    return body
