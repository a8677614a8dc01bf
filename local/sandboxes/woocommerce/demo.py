"""The local stack's plug-in for this sandbox (``local/plugins.py``) and its fixed demo store."""

from __future__ import annotations

from typing import Any

from .sandbox import WooCommerceSandbox

#: The demo store of the local stack (``make run``): fixed so README commands can be pasted as they are. Local only.
DEMO_STORE = "steam-chef"
DEMO_CONSUMER_KEY = "ck_demo_steam_chef_0000000000000000000000000"
DEMO_CONSUMER_SECRET = "cs_demo_steam_chef_0000000000000000000000000"


def plugin() -> Any:
    """The local stack's plug-in (``local/plugins.py``): this sandbox with one demo store, Shipment Tracking on."""
    from ...plugins import SandboxPlugin, SeedContext, SeedResult

    def seed(ctx: SeedContext) -> SeedResult:
        store_url = f"{ctx.sandbox_url}/{DEMO_STORE}"
        woo = ctx.sandbox
        assert isinstance(woo, WooCommerceSandbox)
        woo.add_store(DEMO_STORE, name="Steam Chef (WooCommerce demo)", home=store_url,
                      consumer_key=DEMO_CONSUMER_KEY, consumer_secret=DEMO_CONSUMER_SECRET)
        control = f"{ctx.sandbox_url}/_control/stores/{DEMO_STORE}"
        return SeedResult(
            facts={"storeUrl": store_url, "consumerKey": DEMO_CONSUMER_KEY, "consumerSecret": DEMO_CONSUMER_SECRET,
                   "control": control, "shipmentTracking": True},
            examples=[
                f"curl -s -X POST {control}/orders "
                """-d '{"lineItems":[{"sku":"SKU-1","quantity":2}],"customerNote":"Leave at reception"}'""",
                f"curl -s {control}/webhooks",
            ],
        )

    return SandboxPlugin("woocommerce", 4001, lambda sender: WooCommerceSandbox(sender=sender, async_webhooks=True),
                         seed)
