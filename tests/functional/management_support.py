"""What the management API's functional tests share.

- ``ManagementApi``: the ManagementApiFunction routed as template.yaml routes it (query strings included), every
  answer checked against openapi/management.yaml (status documented for the operation, body valid for its schema);
- ``ShopSandbox`` + ``SandboxShopType``: a test platform with a real :class:`IntegrationType` (its credentials
  check and triggers call the sandbox over ``requests``), so the frame is tested without any real platform;
- ``World``: two tenants on the CartonCloud sandbox (customers, warehouses, who may self-manage), both sandboxes
  reachable in-process through one ``responses`` mock, and tokens for every role.
"""

from __future__ import annotations

import inspect
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import jwt
import pytest
import responses
import yaml
from integrations.core import connectors, context
from integrations.core.http import HttpPolicy, UpstreamSession
from integrations.core.integration_types import CredentialsRejected, IntegrationContext, IntegrationType
from integrations.core.step_models import StepModel, WarehouseId
from integrations.core.stores import Tenant
from jsonschema import Draft202012Validator
from pydantic import BaseModel, Field
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from local.functions import load_instance
from local.lambda_runtime import http_event, invoke, route_template_matches
from local.resources import Stack
from local.sandboxes.base import Sandbox, SandboxRequest, SandboxResponse
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.transports import install_responses

ROOT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = ROOT / "openapi" / "management.yaml"
OPENAPI = yaml.safe_load(OPENAPI_PATH.read_text())
FUNCTION = "ManagementApiFunction"
WMS_BASE = "https://api.cartoncloud.test"
SHOP_BASE = "https://shop.sandbox.test"
HS256_KEY = "functional-tests-management-key-0123456789abcdef"
ISSUER = "https://auth.integrations.invalid/"
AUDIENCE = "integrations-management"
_REGISTRY = Registry().with_resource("urn:management", Resource(contents=OPENAPI, specification=DRAFT202012))


# --- tokens ---------------------------------------------------------------------------------------------------------


def mint(tenant_id: str, role: str, customer_id: str | None = None, *, key: str = HS256_KEY, **claims: Any) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": f"user-{role}-{uuid.uuid4().hex[:6]}",
                               "iat": now, "exp": now + 3600, "tenant_id": tenant_id, "role": role}
    if customer_id is not None:
        payload["customer_id"] = customer_id
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm="HS256")


# --- the OpenAPI contract -------------------------------------------------------------------------------------------


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def openapi_operation(method: str, route: str) -> dict[str, Any]:
    path = OPENAPI["paths"].get(route)
    assert path is not None, f"openapi/management.yaml has no path {route}"
    operation = path.get(method.lower())
    assert operation is not None, f"openapi/management.yaml has no {method} {route}"
    return operation  # type: ignore[no-any-return]


def check_against_openapi(method: str, route: str, status: int, headers: dict[str, str], body: str) -> None:
    """The answer's status is documented for the operation and its body validates against the documented schema."""
    responses_ = openapi_operation(method, route)["responses"]
    assert str(status) in responses_, f"{method} {route} answered {status}, not documented: {body[:300]}"
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "").split(";")[0]
    response = responses_[str(status)]
    ref = response.get("$ref")
    pointer = ["paths", route, method.lower(), "responses", str(status)]
    if ref:
        pointer = ref[2:].split("/")
        response = OPENAPI
        for part in pointer:
            response = response[part]
    assert content_type in response["content"], f"{method} {route} {status}: {content_type} not documented"
    schema_ref = "urn:management#/" + _pointer(*pointer, "content", content_type, "schema")
    instance: Any = json.loads(body) if content_type.endswith("json") else body
    validator = Draft202012Validator({"$ref": schema_ref}, registry=_REGISTRY)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{method} {route} {status} breaks openapi/management.yaml: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors[:5])


# --- the API as a client sees it ------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    @property
    def fields(self) -> list[str]:
        """The fields a problem answer names."""
        return [error["field"] for error in self.json().get("errors", [])]


class ManagementApi:
    """ManagementApiFunction routed by its template.yaml events, loaded with its own environment."""

    def __init__(self, stack: Stack) -> None:
        self.spec = stack.functions[FUNCTION]
        self.handler = load_instance(self.spec)
        self.calls: list[tuple[str, str, int]] = []

    def call(self, method: str, path: str, *, token: str | None = None, json_body: Any = None,
             raw: bytes | None = None, query: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> Answer:
        for route in self.spec.routes:
            params = route_template_matches(route.path, path)
            if route.method == method.upper() and params is not None:
                sent = {"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {}),
                        **(headers or {})}
                body = raw if raw is not None else (json.dumps(json_body).encode() if json_body is not None else b"")
                event = http_event(method, path, route=route.path, path_parameters=params, headers=sent,
                                   body=body, query=urlencode(query or {}))
                result = invoke(self.handler, event, self.spec)
                answer = Answer(result["statusCode"], result.get("headers", {}), result.get("body", ""))
                check_against_openapi(method, route.path, answer.status, answer.headers, answer.body)
                self.calls.append((method, route.path, answer.status))
                return answer
        raise AssertionError(f"template.yaml routes nothing of {FUNCTION} to {method} {path}")

    @property
    def service(self) -> Any:
        """The function's ManagementService (tests set its ``clock``)."""
        return inspect.unwrap(self.handler).__globals__["service"]

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.call("POST", path, json_body=body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.call("PUT", path, json_body=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Answer:
        return self.call("DELETE", path, **kwargs)


# --- a platform of our own for the frame's tests ----------------------------------------------------------------------


class ShopSandbox(Sandbox):
    """A shop platform: an API key per store, webhooks registered and removed through its API."""

    name = "shop"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys: set[str] = set()
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.checked_with: list[str] = []
        self.route("GET", r"/api/ping", self._ping)
        self.route("POST", r"/api/webhooks", self._add_webhook)
        self.route("DELETE", r"/api/webhooks/(?P<webhook_id>[^/]+)", self._remove_webhook)

    def _authorised(self, request: SandboxRequest) -> bool:
        return request.header("X-Shop-Key") in self.keys

    def _ping(self, request: SandboxRequest) -> SandboxResponse:
        self.checked_with.append(request.header("X-Shop-Key") or "")
        if not self._authorised(request):
            return SandboxResponse.json(401, {"error": "invalid key"})
        return SandboxResponse.json(200, {"shop": "Demo shop"})

    def _add_webhook(self, request: SandboxRequest) -> SandboxResponse:
        if not self._authorised(request):
            return SandboxResponse.json(401, {"error": "invalid key"})
        with self.transaction():
            webhook = {"id": uuid.uuid4().hex[:8], **request.json()}
            self.webhooks[webhook["id"]] = webhook
        return SandboxResponse.json(201, webhook)

    def _remove_webhook(self, request: SandboxRequest, webhook_id: str) -> SandboxResponse:
        if not self._authorised(request):
            return SandboxResponse.json(401, {"error": "invalid key"})
        with self.transaction():
            if self.webhooks.pop(webhook_id, None) is None:
                return SandboxResponse.json(404, {"error": "no such webhook"})
        return SandboxResponse.empty(204)


class ShopCredentials(StepModel):
    shop_url: str = Field(min_length=1, max_length=200)
    api_key: str = Field(min_length=1, max_length=200)


class ShopOrderCreation(StepModel):
    warehouse_id: WarehouseId
    overflow_warehouse_ids: list[WarehouseId] = Field(default_factory=list)


class ShopFulfilment(StepModel):
    complete_orders: bool = True
    send_tracking: bool = False


class SandboxShopType(IntegrationType):
    """A real integration type against :class:`ShopSandbox`: checks keys with a call, registers a webhook."""

    key: ClassVar[str] = "sandboxshop"
    title: ClassVar[str] = "Sandbox Shop (tests)"
    credentials_model: ClassVar[type[BaseModel]] = ShopCredentials
    order_settings_model: ClassVar[type[BaseModel]] = ShopOrderCreation
    fulfilment_settings_model: ClassVar[type[BaseModel]] = ShopFulfilment

    @staticmethod
    def _session() -> UpstreamSession:
        return UpstreamSession("Sandbox Shop", policy=HttpPolicy(max_attempts=1))

    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        assert isinstance(credentials, ShopCredentials)
        response = self._session().request("GET", f"{credentials.shop_url}/api/ping",
                                           headers={"X-Shop-Key": credentials.api_key})
        if response.status_code == 401:
            raise CredentialsRejected("The shop refused the API key", field="apiKey",
                                      resolution="Copy the key again from the shop's settings.")
        response.raise_for_status()
        return {"shopName": response.json()["shop"]}

    def start(self, context: IntegrationContext) -> dict[str, Any]:
        shop, key = context.credentials.reveal("shopUrl"), context.credentials.reveal("apiKey")
        old = context.integration.platform_state.get("webhookId")
        session = self._session()
        if old:  # idempotent: replace rather than duplicate
            session.request("DELETE", f"{shop}/api/webhooks/{old}", headers={"X-Shop-Key": key})
        created = session.request("POST", f"{shop}/api/webhooks", headers={"X-Shop-Key": key}, json={
            "url": f"{context.api_base_url}/webhooks/sandboxshop/{context.integration.integration_id}",
            "warehouse": context.integration.order_settings.get("warehouseId")})
        created.raise_for_status()
        return {"webhookId": created.json()["id"]}

    def stop(self, context: IntegrationContext) -> None:
        webhook = context.integration.platform_state.get("webhookId")
        if webhook:
            self._session().request("DELETE", f"{context.credentials.reveal('shopUrl')}/api/webhooks/{webhook}",
                                    headers={"X-Shop-Key": context.credentials.reveal("apiKey")})


SANDBOX_SHOP_TYPE = SandboxShopType()
#: The test platform as a connector of its own (installed by the ``world`` fixture): management only, no queue.
SANDBOX_SHOP = connectors.Connector(key="sandboxshop", title="Sandbox Shop (tests)",
                                    integration_type="tests.functional.management_support:SANDBOX_SHOP_TYPE")


# --- the world the tests run in ---------------------------------------------------------------------------------------


@dataclass
class TenantWorld:
    tenant_id: str
    client_id: str
    client_secret: str
    #: name -> WMS id
    customers: dict[str, str] = field(default_factory=dict)
    warehouses: dict[str, str] = field(default_factory=dict)


@dataclass
class World:
    api: ManagementApi
    wms: CartonCloudSandbox
    shop: ShopSandbox
    rsps: responses.RequestsMock
    a: TenantWorld
    b: TenantWorld
    shop_key: str

    def token(self, role: str = "admin", tenant: TenantWorld | None = None, customer: str | None = None) -> str:
        tenant = tenant or self.a
        return mint(tenant.tenant_id, role, tenant.customers[customer] if customer else None)

    @property
    def admin(self) -> str:
        return self.token("admin")

    def customer_user(self, customer: str = "chef") -> str:
        return self.token("customer", customer=customer)

    def path(self, customer: str = "chef", tenant: TenantWorld | None = None) -> str:
        tenant = tenant or self.a
        return f"/tenants/{tenant.tenant_id}/customers/{tenant.customers[customer]}/integrations"

    def shop_credentials(self, **overrides: str) -> dict[str, str]:
        return {"shopUrl": SHOP_BASE, "apiKey": self.shop_key, **overrides}

    def create_live(self, name: str = "Main shop", customer: str = "chef", token: str | None = None
                    ) -> dict[str, Any]:
        """An integration taken through every step and finished."""
        token = token or self.admin
        base = self.path(customer)
        created = self.api.post(base, {"type": "sandboxshop", "name": name}, token=token)
        assert created.status == 201, created.body
        item = f"{base}/{created.json()['integrationId']}"
        for step, body in (("authentication", self.shop_credentials()),
                           ("orderCreation", {"warehouseId": self.a.warehouses["brisbane"]}),
                           ("fulfilment", {"completeOrders": True, "sendTracking": True})):
            answer = self.api.put(f"{item}/steps/{step}", body, token=token)
            assert answer.status == 200, answer.body
        live = self.api.post(f"{item}/finish", token=token)
        assert live.status == 200, live.body
        return live.json()  # type: ignore[no-any-return]


def _tenant(wms: CartonCloudSandbox, name: str, customers: dict[str, list[str]], warehouses: list[str],
            self_managed: list[str], price: int = 1000) -> TenantWorld:
    world = TenantWorld(str(uuid.uuid4()), f"cc-{uuid.uuid4().hex[:6]}", f"secret-{uuid.uuid4().hex}")
    wms.add_tenant(world.tenant_id, client_id=world.client_id, client_secret=world.client_secret, name=name,
                   notification_url=f"https://integrations.test/wms/{world.tenant_id}/notifications",
                   notification_secret="n")
    for warehouse in warehouses:
        world.warehouses[warehouse] = wms.add_warehouse(world.tenant_id, warehouse.title())["id"]
    for customer, allowed in customers.items():
        world.customers[customer] = wms.add_customer(
            world.tenant_id, customer.title(), warehouse_ids=[world.warehouses[w] for w in allowed])["id"]
    shared = context.core()
    shared.tenants.put(Tenant(
        tenant_id=world.tenant_id, name=name, wms_base_url=WMS_BASE, weekly_price_cents=price,
        wms_credentials=shared.vault.seal({"clientId": world.client_id, "clientSecret": world.client_secret},
                                          tenant_id=world.tenant_id),
        self_managed_customer_ids=[world.customers[c] for c in self_managed]))
    return world


@pytest.fixture
def auth_env(monkeypatch):
    monkeypatch.setenv("AUTH_HS256_KEY", HS256_KEY)
    monkeypatch.delenv("AUTH_JWKS_URL", raising=False)


@pytest.fixture
def world(stack, auth_env, sent_notifications) -> World:
    """Tenant A: customers chef (self-managed; Brisbane + Perth) and baker (not; Brisbane only), warehouse Sydney
    that neither may use. Tenant B: customer grocer."""
    wms = CartonCloudSandbox(sender=sent_notifications)
    shop = ShopSandbox()
    key = f"shop-key-{uuid.uuid4().hex}"
    shop.keys.add(key)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps, connectors.installed(SANDBOX_SHOP):
        install_responses(rsps, wms, WMS_BASE)
        install_responses(rsps, shop, SHOP_BASE)
        a = _tenant(wms, "Demo 3PL", {"chef": ["brisbane", "perth"], "baker": ["brisbane"]},
                    ["brisbane", "perth", "sydney"], ["chef"])
        b = _tenant(wms, "Other 3PL", {"grocer": ["melbourne"]}, ["melbourne"], ["grocer"], price=1500)
        yield World(ManagementApi(stack), wms, shop, rsps, a, b, key)
