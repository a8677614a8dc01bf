"""The platform sandboxes the local stack serves: one :class:`SandboxPlugin` per platform in :data:`PLUGINS`.

The stack starts each plugin's sandbox on its own port (``default_port``, or any free port in tests), after the
AWS resources exist and the API stand-in is listening, then calls its ``seed`` so the sandbox and our tables hold
a demo account wired to each other. The WMS sandbox and the management demo are listed here; every connector's
sandbox comes from its declaration (``Connector.sandbox = "local.sandboxes.<platform>:plugin"``), so adding a
platform needs no edit here. A connector's ``plugin()`` returns::

    def _woocommerce_seed(ctx: SeedContext) -> SeedResult:
        store = ctx.sandbox                      # the instance ``factory`` built
        ...                                      # create a shop; point its webhooks at ctx.api_url + "/…"
        return SeedResult(facts={"storeUrl": ctx.sandbox_url}, examples=["curl …"])

    SandboxPlugin("woocommerce", 4001, lambda sender: WooCommerceSandbox(sender=sender, async_webhooks=True),
                  _woocommerce_seed)

``factory`` receives the webhook sender to pass to the sandbox (an HTTP POST that the stack logs); pass
``async_webhooks=True`` too, so webhooks leave after the control call that caused them has answered, as a platform's
do (a given sender otherwise runs inline). ``seed`` runs in the sandboxes' process, pointed at the local moto, so
it may use ``integrations.core.context.core()`` to write tenants, integrations and sealed credentials; it must not
change the environment (the functions run in other processes): declare what they need as ``environment``. Its
``facts`` are printed at startup and served at ``GET /_local/demo``; ``examples`` are printed as "try this" lines.
``ctx.sandboxes`` holds the URLs of the sandboxes started before this one (plugins start in list order), for a
platform whose demo data refers to another's.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import demo
from .sandboxes.base import Sandbox, SandboxRequest, Sender
from .sandboxes.cartoncloud import CartonCloudSandbox


@dataclass(frozen=True)
class SeedContext:
    #: Our API stand-in's base URL: where the sandbox's webhooks go.
    api_url: str
    sandbox: Sandbox
    sandbox_url: str
    #: name -> base URL of every sandbox already started.
    sandboxes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedResult:
    facts: dict[str, Any]
    examples: list[str] = field(default_factory=list)


def _no_environment(sandbox_url: str) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class SandboxPlugin:
    name: str
    default_port: int
    factory: Callable[[Sender], Sandbox]
    seed: Callable[[SeedContext], SeedResult]
    #: Variables every function needs to reach this sandbox (from its base URL), e.g. a platform whose API host is
    #: a stack parameter rather than part of the credentials. The sandboxes start first, so the functions' processes
    #: start with them.
    environment: Callable[[str], dict[str, str]] = _no_environment


class SeedFailed(RuntimeError):
    """A sandbox refused the demo data: the sandbox and its seed disagree about the platform's rules."""


# --- CartonCloud (the WMS) -------------------------------------------------------------------------------------------


def _cartoncloud_seed(ctx: SeedContext) -> SeedResult:
    """The demo 3PL in the WMS sandbox (API client, warehouse, customer, stocked products, one order) and in our
    TenantsTable (sealed credentials, notification secret, ``wmsBaseUrl`` = the sandbox)."""
    from integrations.core.context import core
    from integrations.core.stores import Tenant

    wms = ctx.sandbox
    assert isinstance(wms, CartonCloudSandbox)
    tenant_id = demo.TENANT_ID
    notification_url = f"{ctx.api_url}/wms/{tenant_id}/notifications"
    wms.add_tenant(tenant_id, client_id=demo.CLIENT_ID, client_secret=demo.CLIENT_SECRET, name=demo.TENANT_NAME,
                   notification_url=notification_url, notification_secret=demo.NOTIFICATION_SECRET)
    wms.add_warehouse(tenant_id, "Brisbane DC", id=demo.WAREHOUSE_ID)
    wms.add_customer(tenant_id, "Steam Chef Store", id=demo.CUSTOMER_ID, code="STEAMCHEF",
                     warehouse_ids=[demo.WAREHOUSE_ID])
    for code, name, stock in demo.PRODUCTS:
        wms.add_product(tenant_id, demo.CUSTOMER_ID, code, name)
        wms.set_stock(tenant_id, demo.CUSTOMER_ID, code, stock)
    order_id = _place_demo_order(wms)

    stores = core()
    stores.tenants.put(Tenant(
        tenant_id=tenant_id,
        name=demo.TENANT_NAME,
        wms_base_url=ctx.sandbox_url,
        wms_credentials=stores.vault.seal({"clientId": demo.CLIENT_ID, "clientSecret": demo.CLIENT_SECRET},
                                          tenant_id=tenant_id),
        notification_secret=stores.vault.seal({"secret": demo.NOTIFICATION_SECRET}, tenant_id=tenant_id),
        self_managed_customer_ids=[demo.CUSTOMER_ID],
    ))
    control = f"{ctx.sandbox_url}/_control/tenants/{tenant_id}"
    return SeedResult(
        facts={
            "apiUrl": ctx.sandbox_url,
            "tenantId": tenant_id,
            "clientId": demo.CLIENT_ID,
            "clientSecret": demo.CLIENT_SECRET,
            "notificationSecret": demo.NOTIFICATION_SECRET,
            "notificationUrl": notification_url,
            "warehouseId": demo.WAREHOUSE_ID,
            "customerId": demo.CUSTOMER_ID,
            "products": {code: stock for code, _, stock in demo.PRODUCTS},
            "orderId": order_id,
            "orderReference": demo.ORDER_REFERENCE,
        },
        examples=[
            f"curl -s -X POST {control}/outbound-orders/{order_id}/status "
            """-d '{"status":"PACKED","trackingNumber":"TRK-1","carrier":"Aramex"}'""",
            f"curl -s {ctx.api_url}/_local/sync-log/{tenant_id}/OUTBOUND_ORDER/{order_id}",
            f".venv/bin/python -m local.sign_notification --entity-id {order_id} --api {ctx.api_url} --send",
        ],
    )


def _place_demo_order(wms: CartonCloudSandbox) -> str:
    """Create one order through the sandbox's own API (token, then ``POST /outbound-orders``), as our service would."""
    basic = f"{demo.CLIENT_ID}:{demo.CLIENT_SECRET}".encode()
    token = wms.handle(SandboxRequest("POST", "/uaa/oauth/token", body=b"grant_type=client_credentials", headers={
        "Authorization": "Basic " + base64.b64encode(basic).decode(), "Accept-Version": "1",
        "Content-Type": "application/x-www-form-urlencoded"}))
    if token.status != 200:
        raise SeedFailed(f"token request answered {token.status}: {token.body!r}")
    order = {
        "type": "OUTBOUND",
        "references": {"customer": demo.ORDER_REFERENCE},
        "customer": {"id": demo.CUSTOMER_ID},
        "warehouse": {"id": demo.WAREHOUSE_ID},
        "details": {"deliver": {"method": {"type": "SHIPPING"}, "address": {
            "contactName": "Jane Citizen", "address1": "1 Example Street", "city": "Brisbane", "postcode": "4000",
            "country": {"iso2Code": "AU"}}}},
        "items": [{"details": {"product": {"references": {"code": demo.PRODUCTS[0][0]}}}, "measures": {"quantity": 2}}],
    }
    created = wms.handle(SandboxRequest(
        "POST", f"/tenants/{demo.TENANT_ID}/outbound-orders", body=json.dumps(order).encode(),
        headers={"Authorization": f"Bearer {token.parsed()['access_token']}", "Accept-Version": "1",
                 "Content-Type": "application/json"}))
    if created.status != 201:
        raise SeedFailed(f"demo order answered {created.status}: {created.body!r}")
    return str(created.parsed()["id"])


PLUGINS: list[SandboxPlugin] = [
    SandboxPlugin("cartoncloud", 4000, lambda sender: CartonCloudSandbox(sender=sender, async_webhooks=True),
                  _cartoncloud_seed),
]


def _append_management_demo() -> None:
    """The management API's demo tokens and on-demand billing (local/management_demo.py); imported here, at the
    end, because that module builds its plugin from the classes above."""
    from .management_demo import PLUGIN

    PLUGINS.append(PLUGIN)


_append_management_demo()


def _append_connector_sandboxes() -> None:
    """Each available connector's sandbox, from its declaration (in connector key order)."""
    from integrations.core.connectors import connectors, load

    for connector in connectors().values():
        if connector.available and connector.sandbox:
            PLUGINS.append(load(connector.sandbox)())


_append_connector_sandboxes()


def _append_alert_hook() -> None:
    """The receiver of the alert webhooks (local/sandboxes/alert_hook.py); last, as its seed sets the alert settings
    of the demo tenant the WMS seed made."""
    from .sandboxes.alert_hook import plugin

    PLUGINS.append(plugin())


_append_alert_hook()
