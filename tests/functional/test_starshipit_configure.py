"""Issue 12, point 1: configure through the management API — both keys checked with a real call (each refusal names
the key), the trigger status, warehouses covered, carrier defaults and mappings, the account's rate, tracking
write-back on/off; then live. Against the Starshipit sandbox at Starshipit's own address."""

from __future__ import annotations

import pytest
from integrations.starshipit.client import DEFAULT_BASE_URL
from integrations.starshipit.integration_type import INTEGRATION_TYPE
from integrations.starshipit.models import StarshipitCredentials

from local.sandboxes.starshipit import StarshipitSandbox
from local.sandboxes.transports import install_responses

from . import management_support
from .management_support import World
from .test_management_api import snapshot

world, auth_env = management_support.world, management_support.auth_env  # fixtures

API_KEY, SUBSCRIPTION = "ssi-configure-api-key", "ssi-configure-subscription"


@pytest.fixture
def account(world: World) -> StarshipitSandbox:
    sandbox = StarshipitSandbox()
    install_responses(world.rsps, sandbox, DEFAULT_BASE_URL)
    sandbox.add_account("acct", api_key=API_KEY, subscription_key=SUBSCRIPTION)
    return sandbox


def draft(world: World) -> str:
    created = world.api.post(world.path(), {"type": "starshipit", "name": "Steam Chef labels"},
                             token=world.customer_user())
    assert created.status == 201, created.body
    return f"{world.path()}/{created.json()['integrationId']}"


def test_each_key_is_checked_with_a_real_call_and_a_refusal_names_it(world: World, account: StarshipitSandbox):
    item = draft(world)
    token = world.customer_user()
    before = snapshot(world)
    for body, field in (({"apiKey": API_KEY, "subscriptionKey": "wrong"}, "subscriptionKey"),
                        ({"apiKey": "wrong", "subscriptionKey": SUBSCRIPTION}, "apiKey"),
                        ({"apiKey": API_KEY}, "subscriptionKey"),
                        ({"apiKey": API_KEY, "subscriptionKey": SUBSCRIPTION, "webhookSecret": "short"},
                         "webhookSecret")):
        answer = world.api.put(f"{item}/steps/authentication", body, token=token)
        assert answer.status == 400 and answer.fields == [field], (body, answer.body)
        assert answer.json()["resolution"]
    assert snapshot(world) == before
    checks = account.requests_to(r"^/api/orders/unshipped$", method="GET")
    assert len(checks) == 2  # the two wrong keys were sent; the malformed bodies never left us


@pytest.mark.parametrize("fault", [{"status": 503}, {"status": None, "disconnect": True}])
def test_an_unreachable_or_failing_starshipit_is_a_422_saying_what_to_check(world: World,
                                                                           account: StarshipitSandbox, fault):
    account.inject_fault(**fault)
    answer = world.api.put(f"{draft(world)}/steps/authentication",
                           {"apiKey": API_KEY, "subscriptionKey": SUBSCRIPTION}, token=world.customer_user())
    # The frame's answer for any platform that doesn't answer at setup (test_management_api): nothing stored.
    assert answer.status == 422 and answer.fields == ["authentication"], answer.body
    assert "retries automatically" not in answer.body


def test_order_creation_and_fulfilment_settings_are_checked(world: World, account: StarshipitSandbox):
    item = draft(world)
    token = world.customer_user()
    credentials = {"apiKey": API_KEY, "subscriptionKey": SUBSCRIPTION, "webhookSecret": "whsec-0123456789"}
    assert world.api.put(f"{item}/steps/authentication", credentials, token=token).status == 200
    brisbane, sydney = world.a.warehouses["brisbane"], world.a.warehouses["sydney"]
    for body, fields in (
        ({"createShipmentAt": "PICKED"}, ["createShipmentAt"]),
        ({"createShipmentAt": "PACKED", "carrierServiceCode": "7B05"}, ["carrierServiceCode"]),
        ({"createShipmentAt": "PACKED", "warehouseIds": [brisbane, sydney]}, ["warehouseIds[1]"]),
        ({"createShipmentAt": "PACKED", "requestsPerSecond": 50}, ["requestsPerSecond"]),
        ({"createShipmentAt": "PACKED", "defaultCountry": "Australia"}, ["defaultCountry"]),
        ({"createShipmentAt": "PACKED", "serviceMappings": [
            {"requestedService": "Express", "carrier": "AusPost"},
            {"requestedService": "express", "carrier": "Aramex"}]}, ["serviceMappings"]),
    ):
        answer = world.api.put(f"{item}/steps/orderCreation", body, token=token)
        assert answer.status == 400 and answer.fields == fields, (body, answer.body)
    accepted = world.api.put(f"{item}/steps/orderCreation", {
        "createShipmentAt": "PACKED", "warehouseIds": [brisbane], "carrier": "AusPost", "carrierServiceCode": "7B05",
        "serviceMappings": [{"requestedService": "Express", "carrier": "AusPost", "carrierServiceCode": "7E55"}],
        "requestsPerSecond": 20}, token=token)
    assert accepted.status == 200, accepted.body
    assert accepted.json()["orderCreation"]["requestsPerSecond"] == 20
    fulfilment = world.api.put(f"{item}/steps/fulfilment", {}, token=token)
    assert fulfilment.json()["fulfilment"] == {"writeTracking": True, "createMissingConsignment": True}
    live = world.api.post(f"{item}/finish", token=token)
    assert live.status == 200 and live.json()["status"] == "LIVE" and live.json()["credentialsSet"] is True
    assert "webhookSecret" not in live.body and API_KEY not in live.body


def test_the_account_is_the_api_keys_and_defaults_are_the_developer_tier(world: World):
    one = StarshipitCredentials(api_key=API_KEY, subscription_key="a")
    same = StarshipitCredentials(api_key=API_KEY, subscription_key="b", webhook_secret="whsec-0123456789")
    other = StarshipitCredentials(api_key="another-key", subscription_key="a")
    identity = INTEGRATION_TYPE.account_identity(one, {})
    assert identity and identity == INTEGRATION_TYPE.account_identity(same, {})
    assert identity != INTEGRATION_TYPE.account_identity(other, {}) and API_KEY not in identity
    described = INTEGRATION_TYPE.describe()["steps"][2]["fields"]["properties"]
    assert described["requestsPerSecond"]["default"] == 2 and described["requestsPerSecond"]["maximum"] == 20
    assert described["warehouseIds"]["items"]["x-wms-warehouse"] is True
