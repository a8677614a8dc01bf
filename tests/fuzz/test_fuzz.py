"""Issue 9: fuzz every operation of every OpenAPI document (openapi/management.yaml, openapi/doors.yaml, and each
connector's own, openapi/<platform>.yaml) with schemathesis, as admin, customer user, a stranger and nobody, with
real and made-up ids, signed and unsigned.

Every answer must be in the contract (status, content type and body as documented), never a 5xx, and a 4xx must
change nothing: every table's items and every queue's depth are compared before and after each refused request.

``make test`` runs a few examples per operation (``FUZZ_EXAMPLES``, default 6); ``make fuzz`` runs many.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import responses
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from integrations.core import connectors
from integrations.core.context import core
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from local.sandboxes.base import RecordingSender, install_responses
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.woocommerce import WooCommerceSandbox
from tests.functional.conftest import DemoTenant, seed_tenant
from tests.functional.management_support import HS256_KEY, SANDBOX_SHOP, ShopSandbox, mint
from tests.functional.woocommerce_helpers import SLUG, STORE_URL, WOO_BASE, DoorSender, Woo

from .harness import BASE_URL, session_for, state_of

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
MANAGEMENT = schemathesis.openapi.from_path(ROOT / "openapi" / "management.yaml")
DOORS = schemathesis.openapi.from_path(ROOT / "openapi" / "doors.yaml")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))


@dataclass
class FuzzWorld:
    woo: Woo
    integration_id: str
    shop_integration_id: str
    tokens: dict[str, str | None]
    rng: random.Random

    @property
    def tenant(self) -> DemoTenant:
        return self.woo.tenant


@pytest.fixture
def fuzz_world(service, monkeypatch) -> FuzzWorld:
    monkeypatch.setenv("AUTH_HS256_KEY", HS256_KEY)
    monkeypatch.delenv("AUTH_JWKS_URL", raising=False)
    monkeypatch.setenv("PUBLIC_API_BASE_URL", BASE_URL)
    notifications, door = RecordingSender(), DoorSender()
    door.service = service
    door.outage = 503  # the store's own deliveries stay out of the fuzzing
    wms, store, shop = CartonCloudSandbox(sender=notifications), WooCommerceSandbox(sender=door), ShopSandbox()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps, connectors.installed(SANDBOX_SHOP):
        rsps.add_passthru(BASE_URL)
        install_responses(rsps, wms, "https://api.cartoncloud.test")
        install_responses(rsps, store, WOO_BASE)
        install_responses(rsps, shop, "https://shop.sandbox.test")
        tenant = DemoTenant(tenant_id=str(uuid.uuid4()), client_id="cc-fuzz", client_secret="cs-" + uuid.uuid4().hex,
                            notification_secret="n-" + uuid.uuid4().hex, customer_id="", warehouse_id="")
        wms.add_tenant(tenant.tenant_id, client_id=tenant.client_id, client_secret=tenant.client_secret,
                       notification_url=f"{BASE_URL}/wms/{tenant.tenant_id}/notifications",
                       notification_secret=tenant.notification_secret)
        warehouse = wms.add_warehouse(tenant.tenant_id, name="Brisbane DC")
        customer = wms.add_customer(tenant.tenant_id, name="Steam Chef", warehouse_ids=[warehouse["id"]])
        tenant.customer_id, tenant.warehouse_id = customer["id"], warehouse["id"]
        wms.add_product(tenant.tenant_id, customer_id=tenant.customer_id, code="SKU-1", name="Pot")
        seed_tenant(tenant)
        core().tenants.update(tenant.tenant_id, {"selfManagedCustomerIds": [tenant.customer_id]})
        store.add_store(SLUG, name="Fuzz shop", home=STORE_URL)
        key = next(iter(store.store(SLUG).keys.values()))
        woo = Woo(service=service, wms=wms, store=store, tenant=tenant, notifications=notifications, door=door,
                  rsps=rsps, consumer_key=key.consumer_key, consumer_secret=key.consumer_secret)
        integration = woo.connect()
        shop_key = "fuzz-shop-key"
        shop.keys.add(shop_key)
        tokens = {"admin": mint(tenant.tenant_id, "admin"),
                  "customer": mint(tenant.tenant_id, "customer", tenant.customer_id),
                  "stranger": mint(str(uuid.uuid4()), "admin"),
                  "none": None, "garbage": "not-a-jwt"}
        world = FuzzWorld(woo, integration.integration_id, "", tokens, random.Random(7))
        world.shop_integration_id = _live_shop_integration(service, world, shop_key)
        yield world


def _live_shop_integration(service, world: FuzzWorld, shop_key: str) -> str:
    session = session_for(service)
    headers = {"Authorization": f"Bearer {world.tokens['admin']}"}
    base = f"{BASE_URL}/tenants/{world.tenant.tenant_id}/customers/{world.tenant.customer_id}/integrations"
    created = session.post(base, json={"type": "sandboxshop", "name": "Fuzz target"}, headers=headers).json()
    item = f"{base}/{created['integrationId']}"
    for step, body in (("authentication", {"shopUrl": "https://shop.sandbox.test", "apiKey": shop_key}),
                       ("orderCreation", {"warehouseId": world.tenant.warehouse_id}),
                       ("fulfilment", {"completeOrders": True})):
        assert session.put(f"{item}/steps/{step}", json=body, headers=headers).status_code == 200
    assert session.post(f"{item}/finish", headers=headers).status_code == 200
    return str(created["integrationId"])


def _real_ids(case: Any, world: FuzzWorld) -> None:
    """Most examples aim at the tenant's real customer and integrations (deep paths); some keep made-up ids."""
    if not case.path_parameters or world.rng.random() < 0.2:
        return
    real = {"tenantId": world.tenant.tenant_id, "customerId": world.tenant.customer_id,
            "integrationId": world.rng.choice([world.integration_id, world.shop_integration_id])}
    case.path_parameters.update({k: v for k, v in real.items() if k in case.path_parameters})


#: Answers by class over the run (printed at the end: tests/fuzz/conftest.py).
TALLY: Counter[str] = Counter()


def _send(case: Any, world: FuzzWorld, *, headers: dict[str, str], sign: Any = None) -> int:
    session = session_for(world.woo.service)
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers=headers)
    if "json" in kwargs:
        kwargs["data"] = json.dumps(kwargs.pop("json")).encode()
        kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Type": "application/json"}
    elif isinstance(kwargs.get("data"), dict):  # a form body: sent (and signed) as the bytes it becomes
        kwargs["data"] = urlencode(kwargs["data"]).encode()
        kwargs["headers"] = {**kwargs.get("headers", {}), "Content-Type": "application/x-www-form-urlencoded"}
    elif isinstance(kwargs.get("data"), str):
        kwargs["data"] = kwargs["data"].encode()
    if sign is not None:
        kwargs["headers"] = {**kwargs.get("headers", {}), **sign(kwargs.get("data") or b"")}
    before = state_of(world.woo.service)
    response = session.request(**kwargs)
    TALLY[f"{response.status_code // 100}xx"] += 1
    case.validate_response(response, checks=CHECKS)
    if 400 <= response.status_code < 500:
        assert state_of(world.woo.service) == before, (
            f"{case.method} {case.formatted_path} answered {response.status_code} but changed state: "
            f"{response.text[:300]}")
    return int(response.status_code)


@MANAGEMENT.parametrize()
@SETTINGS
def test_the_management_api_under_fuzzing(case, fuzz_world):
    _real_ids(case, fuzz_world)
    token = fuzz_world.tokens[fuzz_world.rng.choice(["admin", "admin", "customer", "stranger", "none", "garbage"])]
    assert _send(case, fuzz_world, headers={"Authorization": f"Bearer {token}"} if token else {}) < 500


@DOORS.parametrize()
@SETTINGS
def test_the_doors_under_fuzzing(case, fuzz_world):
    world = fuzz_world
    _real_ids(case, world)
    if "tenantId" in case.path_parameters:
        secret = world.tenant.notification_secret

        def sign(raw: bytes) -> dict[str, str]:
            stamp = str(int(time.time()))
            digest = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
            return {"X-Notification-Timestamp": stamp, "X-Notification-Signature": f"v1={digest}"}
    else:
        integration = core().integrations.get(world.integration_id)
        secret = core().vault.open(integration.platform_state["webhookSecret"], tenant_id=integration.tenant_id,
                                   integration_id=integration.integration_id).reveal("secret")

        def sign(raw: bytes) -> dict[str, str]:
            return {"X-WC-Webhook-Signature": base64.b64encode(
                hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()}
    # Most examples are signed correctly, so the body's own validation is what gets fuzzed.
    assert _send(case, world, headers={}, sign=sign if world.rng.random() < 0.75 else None) < 500



def _fuzz_connector_routes(case: Any, world: FuzzWorld) -> None:
    """Unsigned and made-up: whatever arrives at a connector's own routes is a documented 4xx that changes nothing
    (its signed paths are fuzzed by its contract tests, tests/contract)."""
    _real_ids(case, world)
    token = world.tokens[world.rng.choice(["admin", "customer", "stranger", "none", "garbage"])]
    assert _send(case, world, headers={"Authorization": f"Bearer {token}"} if token else {}) < 500


# Each connector's own document (its door, and any route of its own such as Starshipit's labels): one test each.
for _document in sorted((ROOT / "openapi").glob("*.yaml")):
    if _document.stem in ("management", "doors"):
        continue
    _test = SETTINGS(schemathesis.openapi.from_path(_document).parametrize()(
        lambda case, fuzz_world: _fuzz_connector_routes(case, fuzz_world)))
    globals()[f"test_the_{_document.stem}_routes_under_fuzzing"] = _test
