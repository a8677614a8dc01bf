"""A receiver of our outbound alert webhooks, as a tenant's chat tool or incident system would run one.

``POST /hooks/{receiver}`` checks the signature a receiver is told to check (docs/alerts.md): ``X-Alert-Timestamp``
(Unix seconds, within 5 minutes of the receiver's clock) and ``X-Alert-Signature: v1=<hex HMAC-SHA256 of
"{timestamp}.{raw body}">`` with the receiver's secret. It answers 200 to a good delivery and 401 (with the reason)
to a missing, stale or wrong signature, and keeps every delivery either way. The check is written here from that
description, not borrowed from our own code, so a fault in our signing cannot pass its own test.

Control API (besides the frame's faults, request log and reset, :mod:`local.sandboxes.base`):

- ``PUT /_control/hooks/{receiver}`` ``{secret}``: create a receiver or change its secret;
- ``GET /_control/hooks``: every delivery, newest first, and the receivers; ``GET /_control/hooks/{receiver}``:
  one receiver's deliveries. Each says whether its signature verified and, if not, why.

The local stack serves it as the ``alert_hook`` sandbox with a ``demo`` receiver that the demo tenant's alert
settings point at (:func:`plugin`); ``python -m local.sandboxes.alert_hook`` serves it alone.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from .base import ControlError, Sandbox, SandboxRequest, SandboxResponse, Sender, control_body

TIMESTAMP_HEADER = "X-Alert-Timestamp"
SIGNATURE_HEADER = "X-Alert-Signature"
#: How far a delivery's timestamp may be from the receiver's clock (a replayed old delivery is refused).
TOLERANCE_SECONDS = 300
#: The local stack's demo receiver and its secret (local only; the demo tenant's webhook secret is sealed from it).
DEMO_RECEIVER = "demo"
DEMO_SECRET = "demo-alert-hook-secret"
#: Where the demo tenant's alert mails go (moto keeps them: ``GET /_local/mails``).
DEMO_TENANT_ADDRESS = "ops@demo-3pl.localhost"
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class Received:
    receiver: str
    received_at: str
    timestamp: str | None
    signature: str | None
    body: bytes
    verified: bool
    reason: str
    status: int

    def to_json(self) -> dict[str, Any]:
        try:
            body: Any = json.loads(self.body)
        except ValueError:
            body = self.body.decode("utf-8", "replace")
        return {"receiver": self.receiver, "receivedAt": self.received_at, "verified": self.verified,
                "reason": self.reason, "status": self.status, "timestamp": self.timestamp,
                "signature": self.signature, "body": body}


def signature_problem(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float) -> str | None:
    """Why a delivery's signature is refused, or None when it verifies."""
    if not timestamp or not signature:
        return f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER}"
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return f"{TIMESTAMP_HEADER} is not Unix seconds"
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return f"{TIMESTAMP_HEADER} is more than {TOLERANCE_SECONDS} s from now (stale or replayed)"
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    offered = [part.strip()[3:] for part in signature.split(",") if part.strip().startswith("v1=")]
    if not any(hmac.compare_digest(expected.encode(), candidate.encode("utf-8", "replace"))
               for candidate in offered):
        return "signature does not match the body"
    return None


class AlertHookSandbox(Sandbox):
    name = "alert_hook"

    def __init__(self, *, sender: Sender | None = None, **kwargs: Any) -> None:
        super().__init__(sender=sender, **kwargs)
        self.secrets: dict[str, str] = {}
        self.received: list[Received] = []
        self.route("POST", r"/hooks/(?P<receiver>[^/]+)", self._receive)
        self.control_route("PUT", r"/_control/hooks/(?P<receiver>[^/]+)", self._control_put_receiver)
        self.control_route("GET", r"/_control/hooks", self._control_list)
        self.control_route("GET", r"/_control/hooks/(?P<receiver>[^/]+)", self._control_list)

    def add_receiver(self, receiver: str, secret: str) -> None:
        if not _NAME.fullmatch(receiver):
            raise ControlError("a receiver's name is 1-64 letters, digits, '-' or '_'")
        if not secret:
            raise ControlError("a receiver needs a secret")
        with self.transaction():
            self.secrets[receiver] = secret

    def deliveries_to(self, receiver: str | None = None) -> list[Received]:
        """What arrived (for ``receiver``, or every receiver), oldest first."""
        with self._lock:
            return [entry for entry in self.received if receiver is None or entry.receiver == receiver]

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.secrets.clear()
            self.received.clear()

    def _receive(self, request: SandboxRequest, receiver: str) -> SandboxResponse:
        timestamp, signature = request.header(TIMESTAMP_HEADER), request.header(SIGNATURE_HEADER)
        with self.transaction():
            secret = self.secrets.get(receiver)
            if secret is None:
                problem, status = f"no receiver {receiver!r} here", 404
            else:
                problem = signature_problem(secret, timestamp, signature, request.body, self.now().timestamp())
                status = 401 if problem else 200
            self.received.append(Received(receiver, self.now().isoformat(timespec="seconds"), timestamp, signature,
                                          request.body, problem is None, problem or "signature verified", status))
        if problem:
            return SandboxResponse.json(status, {"error": problem})
        return SandboxResponse.json(200, {"ok": True})

    def _control_put_receiver(self, request: SandboxRequest, receiver: str) -> SandboxResponse:
        self.add_receiver(receiver, str(control_body(request).get("secret") or ""))
        return SandboxResponse.json(200, {"receiver": receiver, "url": f"/hooks/{receiver}"})

    def _control_list(self, request: SandboxRequest, receiver: str | None = None) -> SandboxResponse:
        if receiver is not None and receiver not in self.secrets:
            raise ControlError(f"no receiver {receiver!r}", status=404)
        deliveries = [entry.to_json() for entry in reversed(self.deliveries_to(receiver))]
        return SandboxResponse.json(200, {"receivers": sorted(self.secrets), "deliveries": deliveries})


def plugin() -> Any:
    """The local stack's plug-in (``local/plugins.py``): this sandbox with the ``demo`` receiver, and the demo
    tenant's alert settings pointing at it (mail to an address of the demo 3PL; the webhook, its secret sealed)."""
    from ..plugins import SandboxPlugin, SeedContext, SeedResult

    def seed(ctx: SeedContext) -> SeedResult:
        from integrations.core.alerts.model import AlertSettings
        from integrations.core.alerts.webhook import seal_webhook_secret
        from integrations.core.context import core

        from .. import demo

        hooks = ctx.sandbox
        assert isinstance(hooks, AlertHookSandbox)
        hooks.add_receiver(DEMO_RECEIVER, DEMO_SECRET)
        url = f"{ctx.sandbox_url}/hooks/{DEMO_RECEIVER}"
        settings = AlertSettings.model_validate({"channels": {
            "emails": [DEMO_TENANT_ADDRESS], "webhookUrl": url,
            "webhookSecret": seal_webhook_secret(demo.TENANT_ID, DEMO_SECRET)}})
        core().tenants.update(demo.TENANT_ID, {"alerts": settings.model_dump(by_alias=True, mode="json")})
        return SeedResult(
            facts={"webhookUrl": url, "webhookSecret": DEMO_SECRET, "tenantAlertMail": DEMO_TENANT_ADDRESS,
                   "deliveries": f"{ctx.sandbox_url}/_control/hooks/{DEMO_RECEIVER}",
                   "mails": f"{ctx.api_url}/_local/mails?format=html"},
            examples=[f"curl -s {ctx.sandbox_url}/_control/hooks/{DEMO_RECEIVER}",
                      f"curl -s {ctx.api_url}/_local/mails"])

    return SandboxPlugin("alert_hook", 4010, lambda sender: AlertHookSandbox(sender=sender), seed)


def main(argv: list[str] | None = None) -> int:
    """``python -m local.sandboxes.alert_hook [--port 0] [--secret S]``: serve it alone with a ``demo`` receiver."""
    from .transports import serve, serve_until_stopped

    parser = argparse.ArgumentParser(description="Serve the alert webhook receiver sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--secret", default=DEMO_SECRET, help="the demo receiver's secret")
    args = parser.parse_args(argv)
    sandbox = AlertHookSandbox()
    sandbox.add_receiver(DEMO_RECEIVER, args.secret)
    server, _thread, base_url = serve(sandbox, args.host, args.port)
    return serve_until_stopped(server, base_url)


if __name__ == "__main__":
    raise SystemExit(main())
