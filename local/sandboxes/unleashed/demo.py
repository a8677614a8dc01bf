"""The local stack's plug-in for this sandbox (``local/plugins.py``) and its fixed demo account.

The plug-in also points the stack's functions at the sandbox (``UNLEASHED_BASE_URL``, its ``environment``): every
Unleashed account lives on one host, so, unlike a store URL, the host is not part of the credentials.
"""

from __future__ import annotations

from typing import Any

from .sandbox import UnleashedSandbox

#: The demo account of the local stack (``make run``): fixed so README commands can be pasted as they are. Local only.
DEMO_API_ID = "5a3a4f1e-0d2c-4b6a-9e8f-00000000d3e0"
DEMO_API_KEY = "demo-unleashed-api-key-not-a-secret-000000000000000000000000"


def plugin() -> Any:
    """The local stack's plug-in: this sandbox with one demo account (Order Management on, warehouse MAIN)."""
    from ...plugins import SandboxPlugin, SeedContext, SeedResult

    def seed(ctx: SeedContext) -> SeedResult:
        sandbox = ctx.sandbox
        assert isinstance(sandbox, UnleashedSandbox)
        sandbox.add_account(api_id=DEMO_API_ID, api_key=DEMO_API_KEY, company_name="Steam Chef Wholesale",
                            time_zone="New Zealand Standard Time", warehouses=["MAIN"],
                            products=["SKU-1", "SKU-2"], shipping_companies=["Aramex", "NZ Couriers"])
        control = f"{ctx.sandbox_url}/_control/accounts/{DEMO_API_ID}"
        return SeedResult(
            facts={"apiUrl": ctx.sandbox_url, "apiId": DEMO_API_ID, "apiKey": DEMO_API_KEY, "control": control,
                   "warehouseCode": "MAIN", "orderManagement": True},
            examples=[
                f"curl -s -X POST {control}/sales-orders "
                """-d '{"lines":[{"code":"SKU-1","quantity":2},{"code":"SKU-2","quantity":1}],"""
                """"shipments":[{"lines":[{"line":1,"quantity":2}]},{"lines":[{"line":2,"quantity":1}]}]}'""",
                f"curl -s -X PATCH {control} -d '{{\"orderManagement\":false}}'",
            ],
        )

    return SandboxPlugin("unleashed", 4002, lambda sender: UnleashedSandbox(sender=sender, async_webhooks=True),
                         seed, environment=lambda url: {"UNLEASHED_BASE_URL": url})
