"""openapi/management.yaml is the contract: a valid OpenAPI 3.1 document, the same routes as template.yaml, and
every answer the handler gives in these tests validates against it (``ManagementApi.call`` checks each one)."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from local.resources import load_template

from . import management_support
from .management_support import FUNCTION, OPENAPI

world, auth_env = management_support.world, management_support.auth_env  # fixtures

METHODS = {"get", "put", "post", "delete", "patch"}


def template_routes() -> set[tuple[str, str]]:
    events = load_template()["Resources"][FUNCTION]["Properties"]["Events"].values()
    return {(event["Properties"]["Method"].upper(), event["Properties"]["Path"]) for event in events
            if event["Type"] == "HttpApi"}


def openapi_routes() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in OPENAPI["paths"].items() for method in item
            if method in METHODS}


def test_the_document_is_valid_openapi_3_1():
    validate(OPENAPI)
    assert OPENAPI["openapi"].startswith("3.1")


def test_every_template_route_is_documented_and_every_documented_route_is_in_the_template():
    assert template_routes() == openapi_routes()
    # 18 for the customer-level screens, settings and billing; 1 for the console's warehouse picker (issue 15);
    # 11 for tenant-level integrations (issue 13); 2 for checking the connection, customer and tenant level (issue 21);
    # 13 for alerts (issue 23): 2 overviews, an integration's alerts, acknowledge and snooze on both levels and the
    # tenant-wide ones, a customer's alert addresses (get, save), the alert webhook's secret.
    assert len(template_routes()) == 47


def test_every_route_reaches_a_handler_and_every_operation_documents_its_refusals(world):
    for method, path in sorted(template_routes()):
        concrete = re.sub(r"\{week\}", "2026-W10", re.sub(r"\{step\}", "name", path))
        concrete = re.sub(r"\{[^}]+\}", "x", concrete)
        answer = world.api.call(method, concrete)  # no token: the handler's own 401, not the resolver's 404
        assert answer.status == 401 and answer.json()["title"] == "Authentication required", (method, path)
    for method, path in openapi_routes():
        documented = OPENAPI["paths"][path][method.lower()]["responses"]
        assert "401" in documented, (method, path)
        assert path == "/integration-types" or "403" in documented, (method, path)
        for status, response in documented.items():
            if status.startswith(("4", "5")):
                assert response["$ref"].startswith("#/components/responses/"), (method, path, status)


def test_integration_types_describe_each_steps_fields(world):
    answer = world.api.get("/integration-types", token=world.customer_user())
    assert answer.status == 200
    types = {t["type"]: t for t in answer.json()["types"]}
    assert {"woocommerce", "unleashed", "starshipit", "rose_rocket", "sandboxshop"} <= set(types)
    for described in types.values():
        assert [s["step"] for s in described["steps"]] == ["name", "authentication", "orderCreation", "fulfilment"]
    unleashed = {s["step"]: s["fields"] for s in types["unleashed"]["steps"]}
    assert set(unleashed["authentication"]["properties"]) == {"apiId", "apiKey"}
    order = unleashed["orderCreation"]
    assert set(order["properties"]) == {"includeComments", "defaultWarehouseId", "warehouseMappings",
                                        "apiCallsPerMonth"}
    assert order["properties"]["defaultWarehouseId"]["anyOf"][0]["x-wms-warehouse"] is True
    starshipit = {s["step"]: s["fields"] for s in types["starshipit"]["steps"]}
    assert starshipit["orderCreation"]["properties"]["createShipmentAt"]["enum"] == ["PACKED", "DISPATCHED"]
    assert set(starshipit["authentication"]["properties"]) == {"apiKey", "subscriptionKey", "webhookSecret"}
    assert starshipit["authentication"]["required"] == ["apiKey", "subscriptionKey"]
    woo = {s["step"]: s["fields"] for s in types["woocommerce"]["steps"]}
    assert {"storeUrl", "consumerKey", "consumerSecret"} <= set(woo["authentication"]["properties"])
    assert any("x-wms-warehouse" in str(field) for field in woo["orderCreation"]["properties"].values())
    rose = {s["step"]: s["fields"] for s in types["rose_rocket"]["steps"]}
    assert set(rose["authentication"]["properties"]) == {"clientId", "clientSecret", "orgId", "serviceAccountUserId"}
    assert types["rose_rocket"]["scope"] == "tenant" and types["woocommerce"]["scope"] == "customer"
