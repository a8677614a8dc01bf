"""The shipped types beside WooCommerce, as the management frame meets them: Unleashed and Starshipit check
credentials with a real call (played here by fakes that verify the documented auth) and go live (their own tests walk
them through their sandboxes); Rose Rocket refuses rather than guess. A type whose connector has not landed can't go
live, so nobody is billed for it doing nothing (played by a test shop declared unavailable)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from urllib.parse import urlsplit

import pytest
import responses
from integrations.core import connectors

from . import management_support
from .management_support import World
from .test_management_api import snapshot

world, auth_env = management_support.world, management_support.auth_env  # fixtures


class ComingSoonShopType(management_support.SandboxShopType):
    """The test shop as a type whose connector has not landed yet: everything works but going live."""

    key = "comingsoon"
    title = "Coming soon (tests)"


COMING_SOON_TYPE = ComingSoonShopType()
COMING_SOON = connectors.Connector(key="comingsoon", title="Coming soon (tests)", available=False,
                                   integration_type="tests.functional.test_management_platforms:COMING_SOON_TYPE")

UNLEASHED_ID, UNLEASHED_KEY = "5a3a4f1e-unleashed-api-id", "unleashed-private-key-value"
STARSHIPIT_KEY, STARSHIPIT_SUBSCRIPTION = "ssi-api-key-value", "ssi-subscription-key-value"


@pytest.fixture
def platforms(world):
    """Unleashed and Starshipit as their docs describe their auth (UL-DOC AuthenticationHelp, SSI-DEV)."""
    seen: list[dict] = []

    def unleashed(request):
        query = urlsplit(request.url).query
        expected = base64.b64encode(hmac.new(UNLEASHED_KEY.encode(), query.encode(), hashlib.sha256).digest())
        seen.append(dict(request.headers))
        if request.headers.get("api-auth-id") != UNLEASHED_ID or \
                request.headers.get("api-auth-signature") != expected.decode():
            return 403, {}, ""
        if urlsplit(request.url).path == "/Companies":
            return 200, {}, json.dumps({"Items": [{"CompanyName": "Example Trading Ltd",
                                                   "TimeZone": "New Zealand Standard Time"}]})
        return 200, {}, json.dumps({"Pagination": {"NumberOfItems": 0}, "Items": []})

    def starshipit(request):
        if request.headers.get("Ocp-Apim-Subscription-Key") != STARSHIPIT_SUBSCRIPTION:
            return 401, {}, json.dumps({"statusCode": 401, "message": "Access denied due to invalid subscription "
                                                                        "key. Make sure to provide a valid key."})
        if request.headers.get("StarShipIT-Api-Key") != STARSHIPIT_KEY:
            return 401, {}, json.dumps({"success": False, "errors": [{"message": "Unauthorized"}]})
        return 200, {}, json.dumps({"orders": [], "success": True})

    world.rsps.add_callback(responses.GET,
                            re.compile(r"https://api\.unleashedsoftware\.com/(SalesOrders/1\?.*|Companies)$"),
                            callback=unleashed)
    world.rsps.add_callback(responses.GET, re.compile(r"https://api\.starshipit\.com/api/orders/unshipped\?.*"),
                            callback=starshipit)
    return seen


def draft(world: World, kind: str) -> str:
    created = world.api.post(world.path(), {"type": kind, "name": f"{kind} shop"}, token=world.customer_user())
    assert created.status == 201, created.body
    return f"{world.path()}/{created.json()['integrationId']}"


def test_unleashed_credentials_are_checked_with_a_signed_call(world, platforms):
    item = draft(world, "unleashed")
    wrong = world.api.put(f"{item}/steps/authentication", {"apiId": UNLEASHED_ID, "apiKey": "not-the-key"},
                          token=world.customer_user())
    assert wrong.status == 400 and wrong.fields == ["apiKey"]
    assert "Unleashed API Access" in wrong.json()["resolution"]
    right = world.api.put(f"{item}/steps/authentication", {"apiId": UNLEASHED_ID, "apiKey": UNLEASHED_KEY},
                          token=world.customer_user())
    assert right.status == 200 and right.json()["credentialsSet"] is True
    assert platforms[-1]["client-type"] == "cartoncloud/selfmanaged"
    assert platforms[-1]["Accept"] == "application/json"


def test_unleashed_warehouses_are_checked_against_the_customers_warehouses(world, platforms):
    item = draft(world, "unleashed")
    world.api.put(f"{item}/steps/authentication", {"apiId": UNLEASHED_ID, "apiKey": UNLEASHED_KEY},
                  token=world.customer_user())
    brisbane, sydney = world.a.warehouses["brisbane"], world.a.warehouses["sydney"]
    for body, fields in (
        ({"defaultWarehouseId": sydney}, ["defaultWarehouseId"]),
        ({"warehouseMappings": [{"unleashedWarehouseCode": "MAIN", "warehouseId": brisbane},
                                {"unleashedWarehouseCode": "EAST", "warehouseId": sydney}]},
         ["warehouseMappings[1].warehouseId"]),
        ({}, ["warehouseMappings"]),  # neither a default nor a mapping: no order could ever be placed
        ({"warehouseMappings": [{"unleashedWarehouseCode": "MAIN", "warehouseId": brisbane},
                                {"unleashedWarehouseCode": "main", "warehouseId": brisbane}]},
         ["warehouseMappings"]),
    ):
        answer = world.api.put(f"{item}/steps/orderCreation", body, token=world.customer_user())
        assert answer.status == 400 and answer.fields == fields, (body, answer.body)
    accepted = world.api.put(f"{item}/steps/orderCreation", {
        "includeComments": False, "defaultWarehouseId": brisbane,
        "warehouseMappings": [{"unleashedWarehouseCode": "PERTH", "warehouseId": world.a.warehouses["perth"]}]},
        token=world.customer_user())
    assert accepted.status == 200
    assert accepted.json()["orderCreation"]["warehouseMappings"][0]["unleashedWarehouseCode"] == "PERTH"


def test_starshipit_names_which_key_it_refused(world, platforms):
    item = draft(world, "starshipit")
    for body, field in (({"apiKey": STARSHIPIT_KEY, "subscriptionKey": "wrong"}, "subscriptionKey"),
                        ({"apiKey": "wrong", "subscriptionKey": STARSHIPIT_SUBSCRIPTION}, "apiKey")):
        answer = world.api.put(f"{item}/steps/authentication", body, token=world.customer_user())
        assert answer.status == 400 and answer.fields == [field], answer.body
    ok = world.api.put(f"{item}/steps/authentication",
                       {"apiKey": STARSHIPIT_KEY, "subscriptionKey": STARSHIPIT_SUBSCRIPTION},
                       token=world.customer_user())
    assert ok.status == 200
    bad_status = world.api.put(f"{item}/steps/orderCreation", {"createShipmentAt": "PICKED"},
                               token=world.customer_user())
    assert bad_status.status == 400 and bad_status.fields == ["createShipmentAt"]


def test_rose_rocket_is_the_tenants_own_and_is_refused_under_a_customer(world):
    """Rose Rocket serves every customer of the 3PL (issue 13): it is configured under /tenants/{t}/integrations
    (tests/functional/test_rose_rocket_configure.py), never under one customer."""
    before = snapshot(world)
    answer = world.api.post(world.path(), {"type": "rose_rocket", "name": "TMS"}, token=world.admin)
    assert answer.status == 422 and answer.fields == ["type"]
    assert snapshot(world) == before


def test_types_whose_connector_has_not_landed_cannot_go_live_or_be_billed(world):
    with connectors.installed(COMING_SOON):
        created = world.api.post(world.path(), {"type": "comingsoon", "name": "Soon"}, token=world.customer_user())
        item = f"{world.path()}/{created.json()['integrationId']}"
        token = world.customer_user()
        for step, body in (("authentication", world.shop_credentials()),
                           ("orderCreation", {"warehouseId": world.a.warehouses["brisbane"]}), ("fulfilment", {})):
            assert world.api.put(f"{item}/steps/{step}", body, token=token).status == 200, step
        before = snapshot(world)
        refused = world.api.post(f"{item}/finish", token=token)
        assert refused.status == 422 and refused.fields == ["status"]
        assert "not available yet" in refused.json()["detail"]
        assert snapshot(world) == before
        assert world.api.get(item, token=token).json()["status"] == "DRAFT"


def test_starshipit_goes_live_once_its_steps_are_done(world, platforms):
    """Starshipit is no longer a stub (issue 12): its steps done, finishing makes it live (its own tests:
    tests/functional/test_starshipit_*.py)."""
    item = draft(world, "starshipit")
    token = world.customer_user()
    for step, body in (("authentication", {"apiKey": STARSHIPIT_KEY, "subscriptionKey": STARSHIPIT_SUBSCRIPTION}),
                       ("orderCreation", {"createShipmentAt": "DISPATCHED"}), ("fulfilment", {"writeTracking": False})):
        assert world.api.put(f"{item}/steps/{step}", body, token=token).status == 200, step
    live = world.api.post(f"{item}/finish", token=token)
    assert live.status == 200 and live.json()["status"] == "LIVE"


def test_types_that_can_not_go_live_say_so_in_the_list(world):
    with connectors.installed(COMING_SOON):
        listed = {t["type"]: t for t in world.api.get("/integration-types", token=world.admin).json()["types"]}
    assert listed["comingsoon"]["available"] is False
    assert "Not available yet" in listed["comingsoon"]["availability"]
    for key in ("woocommerce", "unleashed", "starshipit", "rose_rocket"):
        assert listed[key]["available"] is True and "availability" not in listed[key]
