"""The local stack's plug-in for this sandbox (``local/plugins.py``) and its fixed demo account."""

from __future__ import annotations

from typing import Any

from .sandbox import StarshipitSandbox

#: The demo account of the local stack (``make run``): fixed so README commands can be pasted as they are. Local only.
DEMO_ACCOUNT = "demo"
DEMO_API_KEY = "ssi-demo-api-key-00000000000000000000"
DEMO_SUBSCRIPTION_KEY = "ssi-demo-subscription-key-000000000000"
DEMO_WEBHOOK_SECRET = "demo-starshipit-webhook-secret"


def plugin() -> Any:
    """The local stack's plug-in: this sandbox with one Developer-tier account (2 requests/s)."""
    from ...plugins import SandboxPlugin, SeedContext, SeedResult

    def seed(ctx: SeedContext) -> SeedResult:
        sandbox = ctx.sandbox
        assert isinstance(sandbox, StarshipitSandbox)
        sandbox.add_account(DEMO_ACCOUNT, name="Steam Chef (Starshipit demo)", api_key=DEMO_API_KEY,
                            subscription_key=DEMO_SUBSCRIPTION_KEY)
        control = f"{ctx.sandbox_url}/_control/accounts/{DEMO_ACCOUNT}"
        webhook = f"{ctx.api_url}/webhooks/starshipit/{{integrationId}}"
        return SeedResult(
            facts={"apiUrl": ctx.sandbox_url, "apiKey": DEMO_API_KEY, "subscriptionKey": DEMO_SUBSCRIPTION_KEY,
                   "webhookSecret": DEMO_WEBHOOK_SECRET, "webhookUrl": webhook, "control": control,
                   "rateLimitPerSecond": 2},
            examples=[
                f"curl -s -X PUT {control}/webhook -d '{{\"url\":\"{webhook}\",\"secret\":\"{DEMO_WEBHOOK_SECRET}\"}}'"
                "   # Settings → Tracking & notifications, once the integration exists",
                f"curl -s {control}/orders",
                f"curl -s -X POST {control}/orders/{{orderId}}/ship -d '{{\"trackingNumber\":\"QQQ-DEMO-1\"}}'",
            ],
        )

    # Starshipit has one address for everyone: the functions find the sandbox through the plug-in's environment.
    return SandboxPlugin("starshipit", 4003, lambda sender: StarshipitSandbox(sender=sender, async_webhooks=True),
                         seed, environment=lambda url: {"STARSHIPIT_BASE_URL": url})
