"""Tenant settings: the WMS API credentials (checked with a token call), the weekly price, who may self-manage;
and what the API answers when the tenant's WMS is broken or unavailable."""

from __future__ import annotations

import json
import uuid

import pytest
from integrations.core import context
from integrations.core.context import core

from . import management_support
from .conftest import signed
from .management_support import WMS_BASE, mint
from .test_management_api import snapshot, table

world, auth_env = management_support.world, management_support.auth_env  # fixtures

@pytest.fixture
def new_tenant(world, monkeypatch):
    """A 3PL that exists in the WMS but not yet in our service (this deployment's region is the sandbox)."""
    monkeypatch.setenv("WMS_BASE_URL", WMS_BASE)
    context.reset()
    tenant_id, client_id, secret = str(uuid.uuid4()), f"cc-{uuid.uuid4().hex[:6]}", f"s-{uuid.uuid4().hex}"
    world.wms.add_tenant(tenant_id, client_id=client_id, client_secret=secret, name="New 3PL",
                         notification_url="https://integrations.test/n", notification_secret="n")
    warehouse = world.wms.add_warehouse(tenant_id, "Darwin")["id"]
    customer = world.wms.add_customer(tenant_id, "Fresh Foods", warehouse_ids=[warehouse])["id"]
    return {"tenantId": tenant_id, "clientId": client_id, "clientSecret": secret, "customerId": customer,
            "token": mint(tenant_id, "admin")}


def test_the_first_save_registers_the_tenant_after_a_token_call(world, new_tenant):
    path = f"/tenants/{new_tenant['tenantId']}/settings"
    assert world.api.get(path, token=new_tenant["token"]).status == 404
    tokens_before = len(world.wms.requests_to(r"/uaa/oauth/token"))
    saved = world.api.put(path, {
        "name": "New 3PL", "wmsCredentials": {"clientId": new_tenant["clientId"],
                                               "clientSecret": new_tenant["clientSecret"]},
        "weeklyPriceCents": 1200, "selfManagedCustomerIds": [new_tenant["customerId"]]}, token=new_tenant["token"])
    assert saved.status == 200, saved.body
    view = saved.json()
    assert view.pop("alerts")["thresholds"]["attentionHours"] == 24  # the defaults until set (test_management_alerts)
    assert view == {"tenantId": new_tenant["tenantId"], "name": "New 3PL", "wmsBaseUrl": WMS_BASE,
                    "wmsCredentialsSet": True, "notificationSecretSet": False, "weeklyPriceCents": 1200,
                    "selfManagedCustomerIds": [new_tenant["customerId"]]}
    assert len(world.wms.requests_to(r"/uaa/oauth/token")) > tokens_before
    stored = next(t for t in table(world, "TenantsTable") if t["tenantId"] == new_tenant["tenantId"])
    assert new_tenant["clientSecret"] not in str(stored)
    opened = core().vault.open(stored["wmsCredentials"], tenant_id=new_tenant["tenantId"])
    assert opened.reveal("clientSecret") == new_tenant["clientSecret"]
    # the registered tenant works at once: its customers come from the WMS with the saved credentials
    customers = world.api.get(f"/tenants/{new_tenant['tenantId']}/customers", token=new_tenant["token"]).json()
    assert [c["name"] for c in customers["customers"]] == ["Fresh Foods"]


@pytest.mark.parametrize(("body", "fields"), [
    ({"name": "No credentials"}, ["wmsCredentials"]),
    ({"wmsCredentials": {"clientId": "x"}}, ["wmsCredentials.clientSecret"]),
    ({"wmsCredentials": {"clientId": "wrong", "clientSecret": "wrong"}}, ["wmsCredentials.clientSecret"]),
    ({"wmsBaseUrl": "https://evil.example", "wmsCredentials": {"clientId": "a", "clientSecret": "b"}},
     ["wmsBaseUrl"]),
    ({"weeklyPriceCents": -1}, ["weeklyPriceCents"]),
    ({"weeklyPriceCents": "ten dollars"}, ["weeklyPriceCents"]),
    ({"weeklyPriceCents": "2500"}, ["weeklyPriceCents"]),   # issue 20: JSON's own types only, never coerced
    ({"weeklyPriceCents": 2500.0}, ["weeklyPriceCents"]),
    ({"weeklyPriceCents": True}, ["weeklyPriceCents"]),
    ({"name": "Bay\nLogistics"}, ["name"]),                 # issue 20: names a person can read
    ({"selfManagedCustomerIds": ["a", "a"]}, ["selfManagedCustomerIds"]),
    ({"colour": "blue"}, ["colour"]),
])
def test_bad_settings_name_the_field_and_register_nothing(world, new_tenant, body, fields):
    before = snapshot(world)
    answer = world.api.put(f"/tenants/{new_tenant['tenantId']}/settings", body, token=new_tenant["token"])
    assert answer.status == 400 and answer.fields == fields, answer.body
    assert snapshot(world) == before


@pytest.mark.parametrize("field", ["name", "wmsBaseUrl", "wmsCredentials", "weeklyPriceCents",
                                   "selfManagedCustomerIds"])
def test_null_is_no_value_for_a_setting_it_is_a_400_naming_the_field(world, field):
    """Negative fuzzing (issue 20, seed 951714642) sent ``{"wmsBaseUrl": null}``: answered 200, read as "left out",
    where openapi/management.yaml takes no null. A client clearing a setting with null would have been told it
    worked; a field left out keeps what is stored, and null is refused."""
    before = snapshot(world)
    answer = world.api.put(f"/tenants/{world.a.tenant_id}/settings", {field: None}, token=world.admin)
    assert answer.status == 400 and answer.fields == [field], answer.body
    assert snapshot(world) == before


def test_updates_change_only_the_fields_sent_and_check_customers_against_the_wms(world):
    path = f"/tenants/{world.a.tenant_id}/settings"
    core().tenants.update(world.a.tenant_id, {"someOtherFeature": "kept"})  # an attribute this model doesn't know
    before = world.api.get(path, token=world.admin).json()
    refused = world.api.put(path, {"selfManagedCustomerIds": [world.a.customers["baker"],
                                                              world.b.customers["grocer"]]}, token=world.admin)
    assert refused.status == 400 and refused.fields == ["selfManagedCustomerIds[1]"]
    assert world.api.get(path, token=world.admin).json() == before

    saved = world.api.put(path, {"weeklyPriceCents": 1500, "selfManagedCustomerIds": [world.a.customers["baker"]]},
                          token=world.admin).json()
    assert saved == {**before, "weeklyPriceCents": 1500, "selfManagedCustomerIds": [world.a.customers["baker"]]}
    stored = next(t for t in table(world, "TenantsTable") if t["tenantId"] == world.a.tenant_id)
    assert stored["someOtherFeature"] == "kept"
    # chef may no longer self-manage; baker now may
    assert world.api.get(world.path("chef"), token=world.customer_user("chef")).status == 403
    assert world.api.get(world.path("baker"), token=world.customer_user("baker")).status == 200


def test_rotated_wms_credentials_are_checked_and_replace_the_stored_ones(world):
    path = f"/tenants/{world.a.tenant_id}/settings"
    wrong = world.api.put(path, {"wmsCredentials": {"clientId": world.a.client_id, "clientSecret": "old"}},
                          token=world.admin)
    assert wrong.status == 400 and wrong.fields == ["wmsCredentials.clientSecret"]
    assert "More > Self-Managed Integrations" in wrong.json()["resolution"]
    right = world.api.put(path, {"wmsCredentials": {"clientId": world.a.client_id,
                                                    "clientSecret": world.a.client_secret}}, token=world.admin)
    assert right.status == 200 and right.json()["wmsCredentialsSet"] is True


def test_a_tenant_whose_wms_credentials_were_revoked_gets_a_clear_dependency_error(world):
    stores = core()
    stores.tenants.update(world.a.tenant_id, {"wmsCredentials": stores.vault.seal(
        {"clientId": world.a.client_id, "clientSecret": "revoked"}, tenant_id=world.a.tenant_id)})
    answer = world.api.get(f"/tenants/{world.a.tenant_id}/customers", token=world.admin)
    assert answer.status == 502
    assert answer.json()["title"] == "The WMS refused the tenant's API credentials"
    assert "tenant settings" in answer.json()["resolution"]


def test_an_unavailable_wms_is_a_retryable_503_and_nothing_is_created(world):
    world.wms.inject_fault(503, path_pattern=r"/customers")
    before = snapshot(world)
    answer = world.api.post(world.path(), {"type": "sandboxshop", "name": "Shop"}, token=world.admin)
    assert answer.status == 503 and answer.header("Retry-After")
    assert snapshot(world) == before


def test_the_notification_secret_is_shown_once_signs_wms_notifications_and_rotates(world, service):
    """The 3PL hands this secret to CartonCloud's staff; a rotation refuses the old one at once."""
    path = f"/tenants/{world.a.tenant_id}/notification-secret"
    answer = world.api.post(path, token=world.admin)
    assert answer.status == 201
    first = answer.json()["notificationSecret"]
    assert answer.json()["notificationUrl"].endswith(f"/wms/{world.a.tenant_id}/notifications")
    settings = world.api.get(f"/tenants/{world.a.tenant_id}/settings", token=world.admin).json()
    assert settings["notificationSecretSet"] is True
    stored = next(t for t in table(world, "TenantsTable") if t["tenantId"] == world.a.tenant_id)
    assert first not in json.dumps(settings) and first not in json.dumps(stored, default=str)

    notification = {"id": "n-1", "tenantId": world.a.tenant_id, "entityType": "OUTBOUND_ORDER",
                    "entityId": str(uuid.uuid4()), "eventTime": "2026-11-21T10:15:00+10:00"}
    endpoint = f"/wms/{world.a.tenant_id}/notifications"
    headers, raw = signed(first, notification)
    assert service.http("POST", endpoint, headers=headers, body=raw).status == 202

    second = world.api.post(path, token=world.admin).json()["notificationSecret"]
    assert second != first
    headers, raw = signed(first, notification | {"id": "n-2"})
    assert service.http("POST", endpoint, headers=headers, body=raw).status == 401
    headers, raw = signed(second, notification | {"id": "n-3"})
    assert service.http("POST", endpoint, headers=headers, body=raw).status == 202


@pytest.mark.parametrize("credentials", [{"clientId": "😀", "clientSecret": "x"},
                                         {"clientId": "a b", "clientSecret": "x"},
                                         {"clientId": "id", "clientSecret": "naïve"}])
def test_wms_credentials_that_could_not_be_sent_are_a_400_naming_the_field(world, credentials):
    """Found by fuzzing (issue 9): a client id HTTP Basic can't carry was a 500 when the token call encoded it."""
    answer = world.api.put(f"/tenants/{world.a.tenant_id}/settings", {"wmsCredentials": credentials}, token=world.admin)
    assert answer.status == 400 and answer.fields[0].startswith("wmsCredentials."), answer.body
