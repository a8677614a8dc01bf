"""Issue 5, point 1: configure through the management API — keys checked with clear errors, webhooks registered with
a secret we generate, re-registered (never duplicated) on reconfigure, removed on delete."""

from __future__ import annotations

import pytest
from integrations.core.context import core
from integrations.woocommerce.integration_type import INTEGRATION_TYPE

from .management_support import ManagementApi, auth_env, mint  # noqa: F401  (auth_env is a fixture)
from .woocommerce_helpers import (  # noqa: F401  (fixtures)
    API_BASE,
    SLUG,
    STORE_URL,
    WOO_BASE,
    Woo,
    connected_fixture,
    woo_fixture,
)


@pytest.fixture
def api(stack, auth_env, monkeypatch) -> ManagementApi:  # noqa: F811
    monkeypatch.setenv("PUBLIC_API_BASE_URL", API_BASE)
    return ManagementApi(stack)


def base(woo: Woo) -> str:
    return f"/tenants/{woo.tenant.tenant_id}/customers/{woo.tenant.customer_id}/integrations"


def credentials(woo: Woo, **changes: str) -> dict[str, str]:
    return {"storeUrl": STORE_URL, "consumerKey": woo.consumer_key, "consumerSecret": woo.consumer_secret} | changes


def ours(woo: Woo, integration_id: str) -> list[dict]:
    url = f"{API_BASE}/webhooks/woocommerce/{integration_id}"
    return sorted((h for h in woo.hooks() if h["delivery_url"] == url), key=lambda h: h["topic"])


def configure(api: ManagementApi, woo: Woo, token: str) -> str:
    created = api.post(base(woo), {"type": "woocommerce", "name": "Steam Chef shop"}, token=token)
    assert created.status == 201, created.body
    item = f"{base(woo)}/{created.json()['integrationId']}"
    for step, body in (("authentication", credentials(woo)),
                       ("orderCreation", {"warehouseId": woo.tenant.warehouse_id}),
                       ("fulfilment", {"completeFulfilment": True, "sendTracking": True})):
        answer = api.put(f"{item}/steps/{step}", body, token=token)
        assert answer.status == 200, answer.body
    return item


def test_configure_finish_reconfigure_delete_through_the_management_api(api, woo: Woo):
    token = mint(woo.tenant.tenant_id, "admin")
    item = configure(api, woo, token)
    integration_id = item.rsplit("/", 1)[-1]
    assert ours(woo, integration_id) == []  # nothing on the store before finish

    # Finish: our two order webhooks, active, pinged (our door answered the ping 200), secret = the one we sealed
    assert api.post(f"{item}/finish", token=token).status == 200
    hooks = ours(woo, integration_id)
    assert [(h["topic"], h["status"], h["pings"]) for h in hooks] == [("order.created", "active", [200]),
                                                                       ("order.updated", "active", [200])]
    stored = core().integrations.get(integration_id)
    assert stored is not None and stored.platform_state["trackingNamespace"] == "wc-shipment-tracking/v3"
    secret = core().vault.open(stored.platform_state["webhookSecret"], tenant_id=stored.tenant_id,
                               integration_id=integration_id).reveal("secret")
    assert {woo.store.store(SLUG).webhooks[h["id"]]["secret"] for h in hooks} == {secret}
    assert "consumerSecret" not in api.get(item, token=token).body and woo.consumer_secret not in api.get(
        item, token=token).body

    # It works: an order placed now reaches the WMS.
    woo.integration = stored
    placed = woo.place()
    woo.pump()
    assert woo.link(placed["id"])["status"] == "SYNCED"

    # Reconfigure while live: re-registered in place, not duplicated, same secret (deliveries in flight still verify)
    assert api.put(f"{item}/steps/fulfilment", {"completeFulfilment": False, "sendTracking": True},
                   token=token).status == 200
    again = ours(woo, integration_id)
    assert [h["id"] for h in again] == [h["id"] for h in hooks]
    assert {woo.store.store(SLUG).webhooks[h["id"]]["secret"] for h in again} == {secret}

    # Delete: our webhooks are gone from the store
    assert api.delete(item, token=token).status == 200
    assert ours(woo, integration_id) == []


@pytest.mark.parametrize(("case", "field"), [
    ("wrong-secret", "consumerSecret"),
    ("read-only", "consumerKey"),
    ("plain-permalinks", "storeUrl"),
    ("not-a-store", "storeUrl"),
    ("not-a-url", "storeUrl"),           # issue 20: a 500 from requests' InvalidURL
    ("a-space-in-the-host", "storeUrl"),
    ("a-port-that-is-no-number", "storeUrl"),
])
def test_bad_credentials_are_refused_naming_the_field_and_what_to_do(api, woo: Woo, case, field):
    token = mint(woo.tenant.tenant_id, "admin")
    created = api.post(base(woo), {"type": "woocommerce", "name": "Shop"}, token=token)
    item = f"{base(woo)}/{created.json()['integrationId']}"
    sent = credentials(woo)
    if case == "wrong-secret":
        sent = credentials(woo, consumerSecret="cs_" + "0" * 40)
    elif case == "read-only":
        key = woo.store.add_key(SLUG, permissions="read")
        sent = credentials(woo, consumerKey=key.consumer_key, consumerSecret=key.consumer_secret)
    elif case == "plain-permalinks":
        woo.store.configure_store(SLUG, permalinks="plain")
    elif case == "not-a-store":
        sent = credentials(woo, storeUrl=f"{WOO_BASE}/no-such-site")
    elif case == "not-a-url":
        sent = credentials(woo, storeUrl="not a url")
    elif case == "a-space-in-the-host":
        sent = credentials(woo, storeUrl="my shop.com")
    elif case == "a-port-that-is-no-number":
        sent = credentials(woo, storeUrl="https://shop.example.com:https")
    answer = api.put(f"{item}/steps/authentication", sent, token=token)
    assert answer.status == 400, answer.body
    assert field in answer.fields
    assert sent["consumerSecret"] not in answer.body
    assert woo.hooks() == []


def secret_of(integration) -> str:
    return core().vault.open(integration.platform_state["webhookSecret"], tenant_id=integration.tenant_id,
                             integration_id=integration.integration_id).reveal("secret")


def restart(woo: Woo):
    """What the management frame does on a reconfigure of a live integration: start again, merge the facts."""
    current = woo.fresh()
    return woo.update(platform_state={**current.platform_state, **INTEGRATION_TYPE.start(woo.context(current))})


def test_start_again_re_registers_in_place_keeps_the_secret_and_removes_duplicates(connected: Woo):
    first = connected.fresh()
    hooks = ours(connected, first.integration_id)
    again = restart(connected)
    assert [h["id"] for h in ours(connected, first.integration_id)] == [h["id"] for h in hooks]
    assert secret_of(again) == secret_of(first)
    # A copy of one of ours (made by hand, or by a start that crashed half-way) is removed by the next start.
    connected.store._new_webhook(connected.store.store(SLUG), {"topic": "order.created",
                                                                "delivery_url": hooks[0]["delivery_url"]})
    assert len(ours(connected, first.integration_id)) == 3
    restart(connected)
    assert len(ours(connected, first.integration_id)) == 2


def test_a_new_store_url_gets_a_new_secret(connected: Woo):
    first = connected.fresh()
    other = connected.store.add_store("other-shop", home=f"{WOO_BASE}/other-shop")
    key = next(iter(other.keys.values()))
    values = {"storeUrl": f"{WOO_BASE}/other-shop", "consumerKey": key.consumer_key,
              "consumerSecret": key.consumer_secret}
    connected.update(credentials=core().vault.seal(values, tenant_id=first.tenant_id,
                                                   integration_id=first.integration_id))
    moved = restart(connected)
    assert secret_of(moved) != secret_of(first)  # the old store's leftover webhooks now fail verification
    assert len(connected.store.webhooks("other-shop")) == 2


def test_stop_tolerates_webhooks_already_gone_and_a_revoked_key(connected: Woo):
    for hook in ours(connected, connected.integration_id)[:1]:
        connected.store.delete_webhook(SLUG, hook["id"])
    INTEGRATION_TYPE.stop(connected.context())
    assert ours(connected, connected.integration_id) == []
    INTEGRATION_TYPE.start(connected.context())
    connected.store.store(SLUG).keys.clear()
    INTEGRATION_TYPE.stop(connected.context())  # no exception: the key was revoked
    assert len(ours(connected, connected.integration_id)) == 2  # left behind: our door will answer them 410
    core().integrations.forget(connected.integration_id)


def test_no_key_or_webhook_secret_shows_up_in_logs_items_or_messages(connected: Woo, capfd):
    secret = secret_of(connected.fresh())
    placed = connected.place()
    connected.pump()
    connected.store.store(SLUG).keys.clear()  # a revoked key: errors are written, with their resolutions
    connected.wms.set_outbound_order_status(connected.tenant.tenant_id, connected.link(placed["id"])["wmsOrderId"],
                                            "DISPATCHED", tracking_number="TRK-1")
    connected.pump()
    forged = connected.service.http("POST", f"/webhooks/woocommerce/{connected.integration_id}", body=b'{"id": 1}',
                                    headers={"X-WC-Webhook-Signature": "AAAA", "X-WC-Webhook-Topic": "order.updated"})
    assert forged.status == 401 and connected.link(placed["id"])["status"] == "NEEDS_ATTENTION"

    captured = capfd.readouterr()
    stored = [str(connected.service.scan(table)) for table in connected.service.stack.tables]
    messages = [str(connected.service.messages(queue)) for queue in connected.service.stack.queues]
    for value in (connected.consumer_secret, secret):
        assert value not in captured.out + captured.err
        assert not any(value in text for text in stored), "a secret was stored in the clear"
        assert not any(value in text for text in messages)


# --- issue 9, points 12 and 15: one live integration per store per customer; secrets go with a deleted one ---------


def test_the_same_store_can_not_be_live_twice_for_one_customer(api, woo: Woo):
    token = mint(woo.tenant.tenant_id, "admin")
    first = configure(api, woo, token)
    assert api.post(f"{first}/finish", token=token).status == 200
    # A second integration on the same store is refused at its authentication step, naming the live one.
    created = api.post(base(woo), {"type": "woocommerce", "name": "Same shop again"}, token=token)
    second = f"{base(woo)}/{created.json()['integrationId']}"
    refused = api.put(f"{second}/steps/authentication", credentials(woo), token=token)
    assert refused.status == 409 and refused.fields == ["authentication"]
    assert "Steam Chef shop" in refused.json()["detail"] and first.rsplit("/", 1)[-1] in refused.json()["detail"]
    # Nothing billed twice: the customer still counts one live integration.
    customers = api.get(f"/tenants/{woo.tenant.tenant_id}/customers", token=token).json()["customers"]
    assert [c["liveIntegrations"] for c in customers] == [1]
    # Once the first is deleted, the store can be connected again.
    assert api.delete(first, token=token).status == 200
    assert api.put(f"{second}/steps/authentication", credentials(woo), token=token).status == 200


def test_two_drafts_for_one_store_race_to_finish_and_only_one_goes_live(api, woo: Woo):
    token = mint(woo.tenant.tenant_id, "admin")
    first = configure(api, woo, token)
    created = api.post(base(woo), {"type": "woocommerce", "name": "Drafted twice"}, token=token)
    second = f"{base(woo)}/{created.json()['integrationId']}"
    steps = (("authentication", credentials(woo)), ("orderCreation", {"warehouseId": woo.tenant.warehouse_id}),
             ("fulfilment", {}))
    for step, body in steps:
        assert api.put(f"{second}/steps/{step}", body, token=token).status == 200  # both drafts, same store
    assert api.post(f"{first}/finish", token=token).status == 200
    refused = api.post(f"{second}/finish", token=token)
    assert refused.status == 409 and "Steam Chef shop" in refused.json()["detail"]
    assert ours(woo, second.rsplit("/", 1)[-1]) == []  # its webhooks were not left on the store


def test_a_deleted_integration_keeps_no_secret(api, woo: Woo):
    token = mint(woo.tenant.tenant_id, "admin")
    item = configure(api, woo, token)
    api.post(f"{item}/finish", token=token)
    integration_id = item.rsplit("/", 1)[-1]
    assert core().integrations.get(integration_id).platform_state["webhookSecret"]
    assert api.delete(item, token=token).status == 200
    stored = core().integrations.get(integration_id)
    assert stored.credentials is None and "webhookSecret" not in stored.platform_state
    assert stored.platform_state["deliveryUrl"]  # the rest of its history stays readable
