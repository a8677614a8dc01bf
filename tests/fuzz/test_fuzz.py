"""Issue 9: fuzz every operation of every OpenAPI document (openapi/management.yaml, openapi/doors.yaml, and each
connector's own, openapi/<platform>.yaml) with schemathesis, as admin, customer user, a stranger and nobody, with
real and made-up ids, signed and unsigned; issue 20: with negative data too.

Two runs per document. The positive one sends requests the document allows; the negative one sends requests that
break it (a body, query value, path id or header outside its schema, a body in another media type) and each must be
refused with a 4xx (``negative_data_rejection``): the service accepts nothing outside its contract. Operations no
request can break (no body, query or header, ids of any string: the console's two GETs, most reads) have no negative
run. In both, every answer must be in the contract (status, content type and body as documented), never a 5xx, and
a 4xx must change nothing: every table's items and every queue's depth are compared before and after each refused
request.

The management API and the doors run against one tenant with a live WooCommerce integration and a live sandbox-shop
one (``fuzz_world``); each connector's document against its contract kit's tenant and live integration
(``connector_world``), its door deliveries signed as its platform signs them, so the body's own validation is what
gets fuzzed.

``make test`` runs a few examples per operation (``FUZZ_EXAMPLES``, default 6; ``FUZZ_NEGATIVE_EXAMPLES``, default
half of it), besides the explicit cases schemathesis derives from each schema (its coverage phase); ``make fuzz``
runs many. ``FUZZ_SEED`` picks the examples (default: a fixed seed, so ``make test`` sends the same requests every
time); ``make fuzz`` draws a fresh one and prints it, and the same seed and budget replay a run.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import responses
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from integrations.core import connectors
from integrations.core.alerts.model import TENANT_SUBJECT, Finding
from integrations.core.alerts.store import AlertStore, Subject
from integrations.core.context import core
from integrations.woocommerce import client as woocommerce_client
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from local.sandboxes.base import RecordingSender
from local.sandboxes.cartoncloud import CartonCloudSandbox
from local.sandboxes.transports import install_responses
from local.sandboxes.woocommerce import WooCommerceSandbox
from tests.contract.conftest import kit_class
from tests.functional.conftest import DemoTenant, Service, seed_tenant
from tests.functional.management_support import HS256_KEY, SANDBOX_SHOP, ShopSandbox, mint
from tests.functional.woocommerce_helpers import SLUG, STORE_URL, WOO_BASE, DoorSender, Woo

from .harness import BASE_URL, session_for, state_change, state_of

ROOT = Path(__file__).resolve().parents[2]
#: The seed every operation's examples derive from (with the operation's name), and the world's choices of token,
#: ids and signing: the same seed and budget send the same requests again.
SEED = int(os.environ.get("FUZZ_SEED", "20"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
NEGATIVE_EXAMPLES = int(os.environ.get("FUZZ_NEGATIVE_EXAMPLES", str(max(1, EXAMPLES // 2))))
#: negative_data_rejection judges only the cases that are negative when sent (schemathesis judges a case again after
#: the tests below put real ids, a token or a signature in it).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]


def _schema(document: str, mode: GenerationMode) -> Any:
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        # The tests below put each request's token and signature in the case themselves; a generated Authorization
        # header would only be replaced.
        "generation": {"mode": mode.value, "with-security-parameters": False},
        # Any 4xx refuses a request outside the contract (which 4xx, status_code_conformance holds to the
        # document); schemathesis's own list leaves out 410 and 413, and takes a 5xx as a refusal.
        "checks": {"negative_data_rejection": {"expected-statuses": ["4xx"]}},
    })
    return schemathesis.openapi.from_path(ROOT / "openapi" / f"{document}.yaml", config=config)


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))


@dataclass
class FuzzWorld:
    """What the fuzzed requests aim at: a tenant with live integrations, tokens for every role, and how to sign a
    delivery at each door."""

    service: Service
    tenant: DemoTenant
    #: Real values of path parameters (most examples use one, so the deep paths are reached).
    ids: dict[str, list[str]]
    tokens: dict[str, str | None]
    rng: random.Random
    #: Signs a body for the door at a path (headers and query values to send with it), where one signs.
    signer: Callable[[str], Callable[[bytes], tuple[dict[str, str], dict[str, str]]] | None] = lambda path: None


def _tokens(tenant: DemoTenant) -> dict[str, str | None]:
    return {"admin": mint(tenant.tenant_id, "admin"),
            "customer": mint(tenant.tenant_id, "customer", tenant.customer_id),
            "stranger": mint(str(uuid.uuid4()), "admin"),
            "none": None, "garbage": "not-a-jwt"}


def _rng(request: pytest.FixtureRequest) -> random.Random:
    """The world's own choices (token, ids, signing) follow the seed too, per operation."""
    return random.Random(f"{SEED}:{request.node.name}")


@pytest.fixture
def fuzz_world(service, monkeypatch, request) -> FuzzWorld:
    """The tenant of the management API and the doors: a live WooCommerce integration and a live sandbox-shop one
    (a platform-free type: the management frame configured through its own routes)."""
    monkeypatch.setenv("AUTH_HS256_KEY", HS256_KEY)
    monkeypatch.delenv("AUTH_JWKS_URL", raising=False)
    monkeypatch.setenv("PUBLIC_API_BASE_URL", BASE_URL)
    # The store's 3 requests/s spacing (tested in test_woocommerce_limits) made every world wait about 2 s while
    # connecting: fuzzing it only waits.
    monkeypatch.setattr(woocommerce_client, "STORE_RATE", 10_000.0)
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
        tokens = _tokens(tenant)
        shop_integration = _live_shop_integration(service, tenant, tokens, shop_key)
        webhook_secret = core().vault.open(
            integration.platform_state["webhookSecret"], tenant_id=integration.tenant_id,
            integration_id=integration.integration_id).reveal("secret")

        def sign_notification(raw: bytes) -> tuple[dict[str, str], dict[str, str]]:
            stamp = str(int(time.time()))
            digest = hmac.new(tenant.notification_secret.encode(), f"{stamp}.".encode() + raw,
                              hashlib.sha256).hexdigest()
            return {"X-Notification-Timestamp": stamp, "X-Notification-Signature": f"v1={digest}"}, {}

        def sign_webhook(raw: bytes) -> tuple[dict[str, str], dict[str, str]]:
            return {"X-WC-Webhook-Signature": base64.b64encode(
                hmac.new(webhook_secret.encode(), raw, hashlib.sha256).digest()).decode()}, {}

        def signer(path: str) -> Callable[[bytes], tuple[dict[str, str], dict[str, str]]] | None:
            return sign_notification if path.startswith("/wms/") else (
                sign_webhook if path.startswith("/webhooks/woocommerce/") else None)

        conditions = _open_alerts(tenant, [integration.integration_id, shop_integration])

        yield FuzzWorld(service, tenant, {"tenantId": [tenant.tenant_id], "customerId": [tenant.customer_id],
                                          "integrationId": [integration.integration_id, shop_integration],
                                          "warehouseId": [tenant.warehouse_id], "condition": conditions},
                        tokens, _rng(request), signer)


@pytest.fixture
def connector_world(service, monkeypatch, request) -> FuzzWorld:
    """A connector's own tenant, as its contract kit makes it: the platform's sandbox and a live integration whose
    door deliveries the kit signs (so the body's own validation is what gets fuzzed), with tokens for the
    management-style routes; for Rose Rocket also a rating credential and an order to rate."""
    monkeypatch.setenv("AUTH_HS256_KEY", HS256_KEY)
    monkeypatch.delenv("AUTH_JWKS_URL", raising=False)
    monkeypatch.setenv("PUBLIC_API_BASE_URL", BASE_URL)
    document = request.node.originalname.removeprefix("test_the_").split("_routes_", 1)[0]
    # openapi/<platform>.yaml's platform is played by its contract kit, tests/contract/kits/<connector key>.py.
    kit = kit_class(document.replace("-", "_"))()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru(BASE_URL)
        world = kit.start(service, rsps)
        integration = kit.connect()
        tokens = _tokens(world.tenant)
        ids = {"tenantId": [world.tenant.tenant_id], "customerId": [world.tenant.customer_id],
               "integrationId": [integration.integration_id], "warehouseId": [world.tenant.warehouse_id]}
        if document == "rose-rocket":
            rotated = session_for(service).post(
                f"{BASE_URL}/tenants/{world.tenant.tenant_id}/integrations/{integration.integration_id}"
                "/rating-credential", headers={"Authorization": f"Bearer {tokens['admin']}"})
            assert rotated.status_code == 200, rotated.text
            tokens["rating"] = rotated.json()["ratingCredential"]
            ids["roseRocketOrderId"] = [kit.new_record()]

        def sign(raw: bytes) -> tuple[dict[str, str], dict[str, str]]:
            delivery = kit.signed(integration, raw)
            # The case keeps its own Content-Type (schemathesis's media-type probes test it).
            headers = {k: v for k, v in delivery.headers.items() if k.lower() != "content-type"}
            return headers, dict(parse_qsl(delivery.query))

        def signer(path: str) -> Callable[[bytes], tuple[dict[str, str], dict[str, str]]] | None:
            return sign if path.startswith("/webhooks/") else None

        yield FuzzWorld(service, world.tenant, ids, tokens, _rng(request), signer)


def _open_alerts(tenant: DemoTenant, integration_ids: list[str]) -> list[str]:
    """An open alert on each integration and on the tenant (issue 23), as the alert check opens them, so acknowledge
    and snooze reach an alert; returns their conditions (the ``condition`` path parameter's real values)."""
    store = AlertStore(core().settings.alerts_table)
    finding = Finding(summary="1 record has needed attention for over 24 hours", what_to_do="Retry it after the fix.")
    for integration_id in integration_ids:
        store.raise_alert(tenant.tenant_id, Subject(integration_id, customer_id=tenant.customer_id), "needs-attention",
                          finding, None)
    store.raise_alert(tenant.tenant_id, Subject(TENANT_SUBJECT), "wms-silent", finding, None)
    return ["needs-attention", "wms-silent"]


def _live_shop_integration(service: Service, tenant: DemoTenant, tokens: dict[str, str | None],
                           shop_key: str) -> str:
    session = session_for(service)
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    base = f"{BASE_URL}/tenants/{tenant.tenant_id}/customers/{tenant.customer_id}/integrations"
    created = session.post(base, json={"type": "sandboxshop", "name": "Fuzz target"}, headers=headers).json()
    item = f"{base}/{created['integrationId']}"
    for step, body in (("authentication", {"shopUrl": "https://shop.sandbox.test", "apiKey": shop_key}),
                       ("orderCreation", {"warehouseId": tenant.warehouse_id}),
                       ("fulfilment", {"completeOrders": True})):
        assert session.put(f"{item}/steps/{step}", json=body, headers=headers).status_code == 200
    assert session.post(f"{item}/finish", headers=headers).status_code == 200
    return str(created["integrationId"])


def _real_ids(case: Any, world: FuzzWorld) -> None:
    """Most examples aim at the tenant's real customer, warehouse and integrations, in the path and in the body's
    top-level fields of those names (deep paths: a notification for the path's tenant, a step naming a warehouse the
    customer may use); some keep made-up ids.

    The ids are written into the case: schemathesis judges the request again, so a negative case whose only
    violation was an id no longer counts as one."""
    if world.rng.random() < 0.2:
        return
    case.path_parameters.update({name: world.rng.choice(values) for name, values in world.ids.items()
                                 if name in case.path_parameters})
    if isinstance(case.body, dict):
        case.body.update({name: case.path_parameters.get(name) or world.rng.choice(values)
                          for name, values in world.ids.items() if name in case.body})


def _authorize(case: Any, world: FuzzWorld, roles: list[str]) -> None:
    """One of the world's tokens (or none) as the case's Authorization header."""
    token = world.tokens[world.rng.choice(roles)]
    case.headers.pop("Authorization", None)
    if token:
        case.headers["Authorization"] = f"Bearer {token}"


#: Answers by generation mode and class over the run (printed at the end: tests/fuzz/conftest.py).
TALLY: Counter[tuple[str, str]] = Counter()


#: schemathesis's request-shape probes, which its own checks only hold to "not a 5xx": a method no route takes
#: (API Gateway's 404), and a body sent with a malformed or unsupported Content-Type.
_METHOD_PROBE = "unspecified_http_method"
_CONTENT_TYPE_PROBES = ("malformed_content_type", "unsupported_content_type")


def _request_shape_refused(case: Any, kwargs: dict[str, Any], status: int) -> None:
    """Such a probe is outside the contract too, so it must be refused: every JSON route answers a body in another
    media type 415 (a Content-Type without a body reaches no parser, so it is no violation)."""
    scenario = getattr(case.meta.phase.data, "scenario", None) if case.meta is not None else None
    if scenario is None:
        return
    sent_body = bool(kwargs.get("data"))
    if scenario == _METHOD_PROBE or (scenario in _CONTENT_TYPE_PROBES and sent_body):
        assert 400 <= status < 500, (f"{case.method} {case.formatted_path} ({case.meta.phase.data.description}) "
                                     f"answered {status}")


def _media_type(kwargs: dict[str, Any], media_type: str) -> None:
    headers = kwargs.setdefault("headers", {})
    if not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = media_type


def _send(case: Any, world: FuzzWorld, *, signed: bool = False) -> int:
    """Send the case as it is (its token already in it), signed over the exact bytes sent if ``signed`` and the
    path's door signs; check the answer, and that a 4xx changed nothing."""
    session = session_for(world.service)
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    # The body's media type, unless the case sends its own (schemathesis's malformed and unsupported Content-Type
    # probes): that is what such a probe tests.
    if "json" in kwargs:
        kwargs["data"] = json.dumps(kwargs.pop("json")).encode()
        _media_type(kwargs, "application/json")
    elif isinstance(kwargs.get("data"), dict):  # a form body: sent (and signed) as the bytes it becomes
        kwargs["data"] = urlencode(kwargs["data"]).encode()
        _media_type(kwargs, "application/x-www-form-urlencoded")
    elif isinstance(kwargs.get("data"), str):
        kwargs["data"] = kwargs["data"].encode()
    sign = world.signer(case.formatted_path) if signed else None
    if sign is not None:
        headers, query = sign(kwargs.get("data") or b"")
        # Into the case too: a negative case whose only violation was a missing or malformed signature header (or
        # URL token) is a valid request once signed, and schemathesis must judge it as such.
        case.headers.update(headers)
        case.query.update(query)
        kwargs["headers"] = {**kwargs.get("headers", {}), **headers}
        kwargs["params"] = {**(kwargs.get("params") or {}), **query}
    before = state_of(world.service)
    response = session.request(**kwargs)
    mode = case.meta.generation.mode.value if case.meta is not None else "explicit"
    TALLY[(mode, f"{response.status_code // 100}xx")] += 1
    case.validate_response(response, checks=CHECKS)
    _request_shape_refused(case, kwargs, response.status_code)
    if 400 <= response.status_code < 500:
        after = state_of(world.service)
        assert after == before, (
            f"{case.method} {case.formatted_path} answered {response.status_code} but changed state: "
            f"{response.text[:300]}\n{state_change(before, after)}")
    return int(response.status_code)


def _fuzz_management(case: Any, world: FuzzWorld) -> int:
    _real_ids(case, world)
    _authorize(case, world, ["admin", "admin", "customer", "stranger", "none", "garbage"])
    return _send(case, world)


def _fuzz_doors(case: Any, world: FuzzWorld) -> int:
    _real_ids(case, world)
    # Most examples are signed correctly, so the body's own validation is what gets fuzzed.
    return _send(case, world, signed=world.rng.random() < 0.75)


def _fuzz_connector_routes(case: Any, world: FuzzWorld) -> int:
    """A connector's door (signed as its platform signs, mostly), its management-style routes (the management
    API's tokens) and its own credentials' routes (Rose Rocket's rating): a documented answer, and a 4xx that
    changes nothing."""
    _real_ids(case, world)
    if case.formatted_path.startswith("/webhooks/"):
        return _send(case, world, signed=world.rng.random() < 0.75)
    roles = ["rating", "rating", "rating", "admin", "none", "garbage"] if "/rates" in case.path else \
        ["admin", "admin", "customer", "stranger", "none", "garbage"]
    _authorize(case, world, roles)
    return _send(case, world)


def _fuzz_console(case: Any, world: FuzzWorld) -> int:
    """The console's static files: no token needed, any one ignored."""
    _authorize(case, world, ["admin", "none", "garbage"])
    return _send(case, world)


def _unbreakable(schema: Any) -> set[str]:
    """The operations with no body, query, header or cookie, whose path parameters are any string: no request to one
    breaks its schema (schemathesis would skip it, but only once the world was built for it)."""
    operations = [result.ok() for result in schema.get_all_operations()]
    return {operation.label for operation in operations
            if not (operation.body or operation.query or operation.headers or operation.cookies)
            and all(set(parameter.definition["schema"]) <= {"type", "description"}
                    and parameter.definition["schema"]["type"] == "string" for parameter in operation.path_parameters)}


def _fuzz_test(fuzz: Callable[[Any, FuzzWorld], int], world: str) -> Any:
    """The test of one document: the case prepared and sent by ``fuzz`` (which checks the answer against the
    document, and that a 4xx changed nothing), and never a server error."""
    if world == "connector_world":
        def test(case: Any, connector_world: FuzzWorld) -> None:
            assert fuzz(case, connector_world) < 500
    else:
        def test(case: Any, fuzz_world: FuzzWorld) -> None:  # type: ignore[misc]
            assert fuzz(case, fuzz_world) < 500
    return test


# Every document twice, positive and negative data, a test each: test_the_management_api_under_fuzzing,
# test_the_management_api_under_negative_fuzzing, test_the_doors_under_…, and test_the_<document>_routes_under_… for
# each connector's own document (its door, and any route of its own such as Starshipit's labels) and the console's.
for _document in sorted((ROOT / "openapi").glob("*.yaml")):
    _fuzz, _label, _world = {
        "management": (_fuzz_management, "management_api", "fuzz_world"),
        "doors": (_fuzz_doors, "doors", "fuzz_world"),
        "console": (_fuzz_console, "console_routes", "fuzz_world"),
    }.get(_document.stem, (_fuzz_connector_routes, f"{_document.stem}_routes", "connector_world"))
    for _mode, _examples, _suffix in ((GenerationMode.POSITIVE, EXAMPLES, "fuzzing"),
                                      (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, "negative_fuzzing")):
        _schemas = _schema(_document.stem, _mode)
        if _mode == GenerationMode.NEGATIVE:
            _skipped = _unbreakable(_schemas)
            if len(_skipped) == len(list(_schemas.get_all_operations())):
                continue  # the console's: two GETs of any path, nothing a request could break
            _schemas = _schemas.exclude(lambda context, _skipped=_skipped: context.operation.label in _skipped)
        _test = _settings(_examples)(_schemas.parametrize()(_fuzz_test(_fuzz, _world)))
        globals()[f"test_the_{_label}_under_{_suffix}"] = _test
