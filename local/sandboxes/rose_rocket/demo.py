"""The local stack's plug-in for this sandbox (``local/plugins.py``) and its fixed demo organisation."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from .sandbox import RoseRocketSandbox

#: The demo organisation of the local stack (``make run``): fixed so README commands can be pasted. Local only.
DEMO_ORG_ID = "5b7c1d2e-3f4a-4b5c-8d6e-7f8091a2b3c4"
DEMO_CLIENT_ID = "rr-demo-client-000000000000000000"
DEMO_CLIENT_SECRET = "rr-demo-client-secret-not-a-secret-0000000000"
DEMO_SERVICE_USER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
#: A second WMS customer of the demo tenant, which has no Rose Rocket match until one is imported.
HARBOUR_CUSTOMER_ID = "3d1c9b8a-7f6e-4d5c-9b4a-2e1f0d9c8b7a"


def plugin() -> Any:
    """The local stack's plug-in: one organisation whose customers mirror the demo tenant's, none matched yet."""
    from ... import demo
    from ...plugins import SandboxPlugin, SeedContext, SeedResult

    def seed(ctx: SeedContext) -> SeedResult:
        sandbox = ctx.sandbox
        assert isinstance(sandbox, RoseRocketSandbox)
        org = sandbox.add_org(DEMO_ORG_ID, name="Demo 3PL transport", client_id=DEMO_CLIENT_ID,
                              client_secret=DEMO_CLIENT_SECRET, service_user=DEMO_SERVICE_USER)
        org.duplicate_percent = 20.0  # "webhooks may come twice"
        with sandbox.writing(org, DEMO_SERVICE_USER) as records:
            chef = records.create("customer", {"name": "Steam Chef Store", "customerType": "Shipper"})
            harbour = records.create("customer", {"name": "Harbour Foods", "customerType": "Shipper"})
        wms = ctx.sandboxes.get("cartoncloud")
        if wms:  # the demo tenant's second customer, so the export lists two and one stays unmatched
            _post(f"{wms}/_control/tenants/{demo.TENANT_ID}/customers",
                  {"id": HARBOUR_CUSTOMER_ID, "name": "Harbour Foods", "code": "HARBOUR"})
        control = f"{ctx.sandbox_url}/_control/orgs/{DEMO_ORG_ID}"
        return SeedResult(
            facts={"apiUrl": ctx.sandbox_url, "orgId": DEMO_ORG_ID, "clientId": DEMO_CLIENT_ID,
                   "clientSecret": DEMO_CLIENT_SECRET,
                   "serviceAccountUserId": DEMO_SERVICE_USER, "control": control,
                   "customers": {"Steam Chef Store": chef["fullId"], "Harbour Foods": harbour["fullId"]},
                   "customerIds": {"Steam Chef Store": chef["id"], "Harbour Foods": harbour["id"]},
                   "wmsCustomers": {"Steam Chef Store": demo.CUSTOMER_ID, "Harbour Foods": HARBOUR_CUSTOMER_ID}},
            examples=[f"curl -s '{control}/objects?objectKey=order'",
                      f"curl -s -X POST {control}/orders/{{orderId}}/status -d '{{\"status\":\"delivered\"}}'"],
        )

    def environment(url: str) -> dict[str, str]:
        # Rose Rocket has one address for everyone: the functions find the sandbox through the plug-in's environment.
        return {"ROSE_ROCKET_BASE_URL": f"{url}/api/v2/platformModel", "ROSE_ROCKET_AUTH_URL": url}

    return SandboxPlugin("rose_rocket", 4004, lambda sender: RoseRocketSandbox(sender=sender, async_webhooks=True),
                         seed, environment=environment)


def _post(url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
