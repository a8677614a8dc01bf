"""The management API on the local stack: demo tokens, and the weekly billing run for any week on demand.

Deployed, tokens come from the identity provider (RS256, keys at ``AuthJwksUrl``). Locally there is none, so the
management function accepts HS256 tokens signed with :data:`LOCAL_HS256_KEY` — only because the stack puts that
key in its environment (template.yaml never sets one; the door ignores it beside a JWKS URL or on ``prod``).

- :func:`mint_token` / ``python -m local.management_demo token admin|customer [--tenant …] [--customer …]``;
- :func:`run_billing`: queue the billing of a week for every tenant, as the Monday schedule would (the stack's
  BillingQueue consumer then charges); ``include_open_week`` bills the current week early, for demos only;
- :data:`PLUGIN`: a small operator service the stack starts beside the sandboxes. Its plug-in puts the local key in
  the functions' environment and prints a demo admin and customer-user token; it answers ``GET /tokens``,
  ``POST /tokens {role, tenantId?, customerId?, subject?, name?}`` and ``POST /billing-runs {week,
  includeOpenWeek?}``. The web console's local sign-in screen calls it from the API's origin (the stack tells the
  console where it is: ``CONSOLE_DEMO_HELPER_URL``), so it answers that origin's CORS requests, and only that origin's.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any
from urllib.parse import urlsplit

import jwt

from . import demo
from .plugins import SandboxPlugin, SeedContext, SeedResult
from .sandboxes.base import ControlError, Sandbox, SandboxRequest, SandboxResponse, Sender, control_body

#: Local only (the stack sets AUTH_HS256_KEY to it); worthless anywhere else.
LOCAL_HS256_KEY = "local-stack-management-demo-key-not-a-secret-0123456789"
#: template.yaml's AuthIssuer / AuthAudience defaults.
ISSUER = "https://auth.integrations.invalid/"
AUDIENCE = "integrations-management"
#: Demo tokens last a working week, so a stack left running keeps working.
TOKEN_SECONDS = 5 * 24 * 3600


def mint_token(role: str, *, tenant_id: str = demo.TENANT_ID, customer_id: str | None = None,
               subject: str | None = None, name: str | None = None, seconds: int = TOKEN_SECONDS,
               key: str = LOCAL_HS256_KEY) -> str:
    """A bearer token the local management API accepts (claims: docs/management-api.md#authentication); ``name``
    is the person's name, as an identity provider's ``name`` claim gives it (the console shows it)."""
    if role not in ("admin", "customer"):
        raise ValueError("role must be admin or customer")
    if role == "customer" and not customer_id:
        customer_id = demo.CUSTOMER_ID
    now = int(time.time())
    claims: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": subject or f"demo-{role}", "iat": now,
                              "exp": now + seconds, "tenant_id": tenant_id, "role": role}
    if role == "customer":
        claims["customer_id"] = customer_id
    if name:
        claims["name"] = name
    return jwt.encode(claims, key, algorithm="HS256")


def demo_tokens() -> dict[str, str]:
    return {"admin": mint_token("admin"), "customer": mint_token("customer", customer_id=demo.CUSTOMER_ID)}


def run_billing(week: str, *, include_open_week: bool = False) -> dict[str, Any]:
    """Queue ``week``'s billing for every tenant (the process must point at the stack's moto, as the stack's own
    threads do). A week not yet over is refused unless ``include_open_week`` (a demo shortcut: charges are final,
    so integrations that go live later that week are still charged by the Monday run)."""
    from integrations.core.timeutil import utcnow
    from integrations.core.weeks import IsoWeek
    from integrations.management.billing import new_run_id, schedule_run

    parsed = IsoWeek.parse(week)
    now = max(utcnow(), parsed.end) if include_open_week else utcnow()
    run_id = new_run_id("local")
    return {"week": str(parsed), "runId": run_id, "queued": schedule_run(parsed, run_id=run_id, now=now)}


class ManagementDemo(Sandbox):
    """Not a platform: the local stand-in for the identity provider's token endpoint, and a billing trigger."""

    name = "management"

    def __init__(self, *, sender: Sender | None = None) -> None:
        super().__init__(sender=sender)
        #: The web console's origin (the API stand-in's), set when the stack seeds: its calls get CORS headers.
        self.console_origin: str | None = None
        self.route("GET", r"/tokens", self._tokens)
        self.route("POST", r"/tokens", self._mint)
        self.route("POST", r"/billing-runs", self._billing)
        self.route("OPTIONS", r"/tokens|/billing-runs", self._preflight)

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        response = super().handle(request)
        if self.console_origin is not None and request.header("Origin") == self.console_origin:
            response.headers.update({"Access-Control-Allow-Origin": self.console_origin, "Vary": "Origin"})
        return response

    def _preflight(self, request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse.empty(204, {"Access-Control-Allow-Methods": "GET, POST",
                                           "Access-Control-Allow-Headers": "Content-Type",
                                           "Access-Control-Max-Age": "600"})

    def _tokens(self, request: SandboxRequest) -> SandboxResponse:
        return SandboxResponse.json(200, demo_tokens())

    def _mint(self, request: SandboxRequest) -> SandboxResponse:
        try:
            body = control_body(request)
            subject, name = body.get("subject"), body.get("name")
            if not all(value is None or isinstance(value, str) for value in (subject, name)):
                raise ValueError("subject and name must be strings")
            token = mint_token(str(body.get("role", "admin")), tenant_id=str(body.get("tenantId", demo.TENANT_ID)),
                               customer_id=body.get("customerId"), subject=subject or None, name=name or None)
        except (ControlError, ValueError) as exc:
            return SandboxResponse.json(400, {"error": str(exc)})
        return SandboxResponse.json(200, {"token": token})

    def _billing(self, request: SandboxRequest) -> SandboxResponse:
        from integrations.core.weeks import InvalidWeek
        from integrations.management.billing import WeekNotEnded

        try:
            body = control_body(request)
            return SandboxResponse.json(202, run_billing(str(body.get("week", "")),
                                                         include_open_week=bool(body.get("includeOpenWeek"))))
        except (ControlError, InvalidWeek, WeekNotEnded) as exc:
            return SandboxResponse.json(400, {"error": str(exc)})


def _seed(ctx: SeedContext) -> SeedResult:
    from integrations.core.timeutil import utcnow
    from integrations.core.weeks import IsoWeek

    assert isinstance(ctx.sandbox, ManagementDemo)
    ctx.sandbox.console_origin = "{0.scheme}://{0.netloc}".format(urlsplit(ctx.api_url))
    tokens = demo_tokens()
    tenant = f"{ctx.api_url}/tenants/{demo.TENANT_ID}"
    week = IsoWeek.of(utcnow())
    admin = '-H "Authorization: Bearer $(.venv/bin/python -m local.management_demo token admin)"'
    run = json.dumps({"week": str(week), "includeOpenWeek": True})
    return SeedResult(
        facts={"console": f"{ctx.api_url}/console/",
               "adminToken": tokens["admin"], "customerToken": tokens["customer"], "tenantId": demo.TENANT_ID,
               "customerId": demo.CUSTOMER_ID, "tokens": f"{ctx.sandbox_url}/tokens",
               "billingRuns": f"{ctx.sandbox_url}/billing-runs"},
        examples=[
            f"curl -s {admin} {tenant}/customers",
            f"curl -s -X POST {ctx.sandbox_url}/billing-runs -d '{run}'",
            f"curl -s {admin} '{tenant}/statements/{week}?format=csv'",
        ],
    )


PLUGIN = SandboxPlugin("management", 4009, lambda sender: ManagementDemo(sender=sender), _seed,
                       # The functions' environment: the management API accepts the demo tokens, and the console
                       # offers its demo sign-in (both off `prod` only).
                       environment=lambda url: {"AUTH_HS256_KEY": LOCAL_HS256_KEY, "CONSOLE_DEMO_HELPER_URL": url})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print a bearer token for the local management API")
    token.add_argument("role", choices=["admin", "customer"])
    token.add_argument("--tenant", default=demo.TENANT_ID)
    token.add_argument("--customer", default=None, help="the customer user's WMS customer id (default: the demo's)")
    args = parser.parse_args(argv)
    print(mint_token(args.role, tenant_id=args.tenant, customer_id=args.customer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
