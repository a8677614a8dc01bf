"""Issue 11, point 1: configuring Unleashed through the management API, in the product's steps — the credentials
checked with a real signed call (a wrong pair is a 400 naming the field; Unleashed down is a 400 too, never "retried
automatically"), finishing subscribes to its webhooks (or, when the account's 5 are taken, goes live on polling and
says so), reconfiguring keeps the one subscription, deleting removes it. Calls made while configuring are counted."""

from __future__ import annotations

import pytest
from integrations.core.context import core
from integrations.unleashed.integration_type import INTEGRATION_TYPE
from integrations.unleashed.settings import UnleashedCredentials
from integrations.unleashed.usage import account_of, used

from local.sandboxes.base import RecordingSender
from local.sandboxes.transports import install_responses
from local.sandboxes.unleashed import UnleashedSandbox

from . import management_support
from .management_support import World

world, auth_env = management_support.world, management_support.auth_env  # fixtures

UNLEASHED_BASE = "https://api.unleashedsoftware.com"
API_ID = "4f5e6d7c-8b9a-4c0d-9e1f-2a3b4c5d6e7f"


@pytest.fixture
def unleashed(world: World) -> UnleashedSandbox:
    sandbox = UnleashedSandbox(sender=RecordingSender())
    install_responses(world.rsps, sandbox, UNLEASHED_BASE)
    sandbox.add_account(api_id=API_ID, company_name="Steam Chef Wholesale", time_zone="AUS Eastern Standard Time")
    return sandbox


def draft(world: World) -> str:
    created = world.api.post(world.path(), {"type": "unleashed", "name": "Steam Chef Unleashed"},
                             token=world.customer_user())
    assert created.status == 201, created.body
    return f"{world.path()}/{created.json()['integrationId']}"


def configure(world: World, unleashed: UnleashedSandbox) -> str:
    item = draft(world)
    token = world.customer_user()
    for step, body in (("authentication", {"apiId": API_ID, "apiKey": unleashed.account(API_ID).api_key}),
                       ("orderCreation", {"defaultWarehouseId": world.a.warehouses["brisbane"],
                                          "warehouseMappings": [{"unleashedWarehouseCode": "PER",
                                                                 "warehouseId": world.a.warehouses["perth"]}]}),
                       ("fulfilment", {"completeShipments": True})):
        answer = world.api.put(f"{item}/steps/{step}", body, token=token)
        assert answer.status == 200, (step, answer.body)
    return item


def ours(unleashed: UnleashedSandbox, item: str) -> list[dict]:
    return [s for s in unleashed.subscriptions(API_ID) if s["notificationUrl"].endswith(item.rsplit("/", 1)[1])]


def test_a_wrong_pair_is_a_400_naming_the_key_with_what_to_check(world, unleashed):
    item = draft(world)
    answer = world.api.put(f"{item}/steps/authentication", {"apiId": API_ID, "apiKey": "not-the-key"},
                           token=world.customer_user())
    assert answer.status == 400 and answer.fields == ["apiKey"]
    assert "Unleashed API Access" in answer.json()["resolution"]


@pytest.mark.parametrize("fault", [503, "disconnect"])
def test_unleashed_down_at_setup_is_a_422_saying_what_to_check_never_retried_automatically(world, unleashed, fault):
    item = draft(world)
    if fault == "disconnect":
        unleashed.inject_fault(None, disconnect=True)
    else:
        unleashed.inject_fault(fault)
    answer = world.api.put(f"{item}/steps/authentication", {"apiId": API_ID, "apiKey": "any"},
                           token=world.customer_user())
    # The frame's answer for any platform that doesn't answer at setup (test_management_api): nothing stored.
    assert answer.status == 422 and answer.fields == ["authentication"], answer.body
    assert "retries automatically" not in answer.body
    assert world.api.get(item, token=world.customer_user()).json()["credentialsSet"] is False


def test_finishing_subscribes_once_and_reconfiguring_keeps_the_one_subscription(world, unleashed):
    item = configure(world, unleashed)
    live = world.api.post(f"{item}/finish", token=world.customer_user())
    assert live.status == 200 and live.json()["status"] == "LIVE"
    [subscription] = ours(unleashed, item)
    assert sorted(subscription["eventTypes"]) == ["salesorder.created", "salesorder.updated"]
    integration = core().integrations.get(item.rsplit("/", 1)[1])
    state = integration.platform_state
    assert state["webhooks"] == "active" and state["webhookSubscriptionId"] == subscription["subscriptionId"]
    assert state["timeZone"] == "AUS Eastern Standard Time" and state["timeZoneRecognised"] is True
    assert subscription["signatureKey"] not in str(state)  # sealed, never stored in the clear
    again = world.api.put(f"{item}/steps/fulfilment", {"completeShipments": False}, token=world.customer_user())
    assert again.status == 200
    assert [s["subscriptionId"] for s in ours(unleashed, item)] == [subscription["subscriptionId"]]
    # every call made while configuring is counted against the account's month
    assert used(account_of(API_ID)) == len(unleashed.request_log)


def test_with_every_subscription_slot_taken_it_goes_live_on_polling_and_says_so(world, unleashed):
    for n in range(5):
        unleashed.subscribe(unleashed.account(API_ID), f"https://other-app.example/{n}", ["product.updated"])
    item = configure(world, unleashed)
    live = world.api.post(f"{item}/finish", token=world.customer_user())
    assert live.status == 200 and live.json()["status"] == "LIVE"
    assert ours(unleashed, item) == []
    # Said at finish, and with the integration for as long as it lasts.
    for answer in (live, world.api.get(item, token=world.customer_user())):
        [notice] = answer.json()["notices"]
        assert "polling alone" in notice["message"] and "Delete an unused" in notice["resolution"]
    log = world.api.get(f"{item}/sync-log/entries", token=world.customer_user())
    assert log.status == 200
    [note] = [e for e in log.json()["entries"] if e["event"] == "webhooks-unavailable"]
    assert "5 webhook subscriptions per account" in note["message"] and "polling alone" in note["message"]
    assert "Delete an unused webhook subscription" in note["resolution"]


def test_without_the_subscription_api_we_assume_it_goes_live_on_polling_alone_and_says_why(world, unleashed):
    """Issue 21: the subscription API's path and shapes are our guess. Unleashed answering them as an unknown path
    (the sandbox's ``subscription-api=absent``) must not stop Finish: live, on polling alone, said with what to do;
    deleting tolerates it too."""
    unleashed.set_dialect({"subscription-api": "absent"})
    item = configure(world, unleashed)
    live = world.api.post(f"{item}/finish", token=world.customer_user())
    assert live.status == 200 and live.json()["status"] == "LIVE", live.body
    for answer in (live, world.api.get(item, token=world.customer_user())):
        [notice] = answer.json()["notices"]
        assert "did not answer as this integration expects" in notice["message"]
        assert "404" in notice["message"] and "polling alone" in notice["message"]
        assert notice["resolution"].startswith("Nothing is needed for orders to sync")
    state = core().integrations.get(item.rsplit("/", 1)[1]).platform_state
    assert state["webhooks"] == "unavailable" and state["webhookReason"] == "api-absent"
    assert state["webhookSigningKey"] is None
    log = world.api.get(f"{item}/sync-log/entries", token=world.customer_user()).json()["entries"]
    [note] = [e for e in log if e["event"] == "webhooks-unavailable"]
    assert note["resolution"].startswith("Nothing is needed")
    # the live check run at Finish says which assumption Unleashed answered otherwise
    assert any(e["event"] == "live-check" and e["message"].startswith("subscription-api refuted") for e in log)
    deleted = world.api.delete(item, token=world.customer_user())
    assert deleted.status == 200 and deleted.json()["status"] == "DELETED"
    assert deleted.json().get("stopWarning") is None


def test_deleting_removes_the_subscription(world, unleashed):
    item = configure(world, unleashed)
    assert world.api.post(f"{item}/finish", token=world.customer_user()).status == 200
    assert len(ours(unleashed, item)) == 1
    deleted = world.api.delete(item, token=world.customer_user())
    assert deleted.status == 200 and deleted.json()["status"] == "DELETED"
    assert ours(unleashed, item) == [] and deleted.json().get("stopWarning") is None


def test_one_account_is_one_identity_and_the_api_id_is_never_shown():
    one = INTEGRATION_TYPE.account_identity(UnleashedCredentials(api_id=API_ID, api_key="a"), {})
    same = INTEGRATION_TYPE.account_identity(UnleashedCredentials(api_id=API_ID, api_key="rotated"), {})
    other = INTEGRATION_TYPE.account_identity(UnleashedCredentials(api_id="another-id", api_key="a"), {})
    assert one == same != other and API_ID not in one and one.startswith("unleashed:")


def test_the_live_check_reports_what_the_account_said_even_where_its_calls_cannot_be_counted(world, unleashed,
                                                                                          monkeypatch):
    """From an operator's command line our AWS account may be out of reach: adding the check's calls to the month's
    count fails, and the report still says what Unleashed answered (a wrong key still says so, for every finding)."""
    from botocore.exceptions import NoRegionError
    from integrations.core import aws, live_check
    from integrations.core.connectors import get

    def unreachable():
        raise NoRegionError()

    monkeypatch.setattr(aws, "dynamodb", unreachable)  # the edge: AWS (the usage meter's table), not our code
    connector = get("unleashed")
    good = UnleashedCredentials(api_id=API_ID, api_key=unleashed.account(API_ID).api_key)
    report = live_check.run(connector, good, {})
    assert report.of("sales-orders").outcome is live_check.Outcome.CONFIRMED
    assert report.of("subscription-api").outcome is live_check.Outcome.CONFIRMED
    wrong = live_check.run(connector, UnleashedCredentials(api_id=API_ID, api_key="not-the-key"), {})
    assert {f.outcome for f in wrong.findings} == {live_check.Outcome.COULD_NOT_CHECK}
    assert "403" in wrong.of("sales-orders").seen and "Unleashed API Access" in wrong.of("sales-orders").means
