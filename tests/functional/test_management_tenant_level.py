"""Tenant-level integrations and type actions in the management frame (issue 13, point 1 and the brief's contract).

A test platform of our own, ``sandboxtms`` — a TMS serving every customer of the tenant — is a tenant-level type
(``scope = "tenant"``) with one action and a value it hands over once at finish; ``sandboxshop`` (the management
tests' customer-level type) stands for every other platform. The frame must: list each type's scope and actions;
take tenant-level integrations only under ``/tenants/{t}/integrations``, from the tenant's admins only (a customer
user or another tenant's admin gets 403 and nothing changes); refuse either kind at the other level with 422 naming
``type``; keep one live integration per platform account per tenant; show ``shownOnce`` in the finishing answer only;
leave the customers view per customer; bill it weekly under "Tenant-level" with ``customerId: null``; route WMS events
of every customer to it when its connector subscribes.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any, ClassVar

import pytest
from integrations.core import connectors
from integrations.core.alerts.model import Finding
from integrations.core.alerts.store import AlertStore, Subject
from integrations.core.context import core
from integrations.core.events import WmsEvent
from integrations.core.integration_types import SHOWN_ONCE, IntegrationContext
from integrations.core.step_models import StepModel
from integrations.core.stores import Tenant
from integrations.core.type_actions import ActionResponse, TypeAction
from pydantic import BaseModel, Field, ValidationError

from . import management_support
from .management_support import SandboxShopType, ShopCredentials, World
from .test_billing import W10, at, charges, clock, run_week
from .test_management_api import snapshot

world, auth_env = management_support.world, management_support.auth_env  # fixtures


class TmsCredentials(StepModel):
    shop_url: str = Field(min_length=1, max_length=200)
    api_key: str = Field(min_length=1, max_length=200)
    organisation: str = Field(min_length=1, max_length=64)


class TmsOrderCreation(StepModel):
    default_service: str = "STANDARD"


class TmsFulfilment(StepModel):
    write_back: bool = True


class SandboxTmsType(SandboxShopType):
    """A tenant-level platform: one account (``organisation``) per tenant, a URL handed over once at finish."""

    key: ClassVar[str] = "sandboxtms"
    title: ClassVar[str] = "Sandbox TMS (tests)"
    scope: ClassVar[Any] = "tenant"
    credentials_model: ClassVar[type[BaseModel]] = TmsCredentials
    order_settings_model: ClassVar[type[BaseModel]] = TmsOrderCreation
    fulfilment_settings_model: ClassVar[type[BaseModel]] = TmsFulfilment
    actions: ClassVar[tuple[TypeAction, ...]] = (
        TypeAction(key="push", title="Push a shipment", description="Send one WMS consignment now.", method="POST",
                   path="consignments/{consignmentId}/push",
                   parameters={"type": "object", "required": ["consignmentId"],
                               "properties": {"consignmentId": {"type": "string"}}},
                   response=ActionResponse(content_type="application/json")),
    )

    def check_credentials(self, tenant: Tenant, credentials: BaseModel) -> dict[str, Any]:
        assert isinstance(credentials, TmsCredentials)
        shop = ShopCredentials(shop_url=credentials.shop_url, api_key=credentials.api_key)
        return SandboxShopType.check_credentials(self, tenant, shop)

    def account_identity(self, credentials: BaseModel, facts: dict[str, Any]) -> str | None:
        return str(getattr(credentials, "organisation", "")) or None

    def start(self, context: IntegrationContext) -> dict[str, Any]:
        facts = super().start(context)
        if context.integration.platform_state.get("handedOver"):
            return facts
        return {**facts, "handedOver": True,
                SHOWN_ONCE: {"webhookUrl": f"{context.api_base_url}/hooks/{uuid.uuid4().hex}"}}


SANDBOX_TMS = connectors.Connector(key="sandboxtms", title="Sandbox TMS (tests)", scope="tenant",
                                   integration_type="tests.functional.test_management_tenant_level:TMS_TYPE")
TMS_TYPE = SandboxTmsType()


@pytest.fixture
def tms(world):
    with connectors.installed(SANDBOX_TMS):
        yield world


def tenant_path(world: World, tenant=None) -> str:
    return f"/tenants/{(tenant or world.a).tenant_id}/integrations"


def credentials(world: World, organisation: str = "org-1") -> dict[str, str]:
    return {**world.shop_credentials(), "organisation": organisation}


def make_live(world: World, name: str = "Dispatch", organisation: str = "org-1") -> dict[str, Any]:
    created = world.api.post(tenant_path(world), {"type": "sandboxtms", "name": name}, token=world.admin)
    assert created.status == 201, created.body
    item = f"{tenant_path(world)}/{created.json()['integrationId']}"
    for step, body in (("authentication", credentials(world, organisation)), ("orderCreation", {}),
                       ("fulfilment", {})):
        answer = world.api.put(f"{item}/steps/{step}", body, token=world.admin)
        assert answer.status == 200, (step, answer.body)
    live = world.api.post(f"{item}/finish", token=world.admin)
    assert live.status == 200, live.body
    return {"answer": live, **live.json()}


def test_integration_types_say_each_types_scope_and_actions(tms):
    listed = {t["type"]: t for t in tms.api.get("/integration-types", token=tms.customer_user()).json()["types"]}
    assert listed["sandboxtms"]["scope"] == "tenant" and listed["sandboxshop"]["scope"] == "customer"
    assert listed["sandboxshop"]["actions"] == []
    [push] = listed["sandboxtms"]["actions"]
    assert push == {"key": "push", "title": "Push a shipment", "description": "Send one WMS consignment now.",
                    "method": "POST", "path": "consignments/{consignmentId}/push",
                    "parameters": {"type": "object", "required": ["consignmentId"],
                                   "properties": {"consignmentId": {"type": "string"}}},
                    "response": {"contentType": "application/json"}, "requiresLive": True}


def test_an_action_whose_path_and_parameters_disagree_is_refused_at_declaration():
    with pytest.raises(ValidationError, match="placeholders"):
        TypeAction(key="push", title="t", description="d", method="POST", path="consignments/{id}/push",
                   parameters={"type": "object", "properties": {"consignmentId": {"type": "string"}}},
                   response=ActionResponse(content_type="application/json"))


def test_an_admin_configures_a_tenant_level_integration_in_the_same_steps(tms):
    created = tms.api.post(tenant_path(tms), {"type": "sandboxtms", "name": "Dispatch"}, token=tms.admin)
    assert created.status == 201
    view = created.json()
    assert view["scope"] == "tenant" and view["customerId"] is None and view["customerName"] is None
    assert created.header("Location") == f"{tenant_path(tms)}/{view['integrationId']}"
    item = f"{tenant_path(tms)}/{view['integrationId']}"
    out_of_order = tms.api.put(f"{item}/steps/fulfilment", {}, token=tms.admin)
    assert out_of_order.status == 409 and out_of_order.fields == ["step"]
    refused = tms.api.put(f"{item}/steps/authentication", credentials(tms) | {"apiKey": "wrong"}, token=tms.admin)
    assert refused.status == 400 and refused.fields == ["apiKey"]
    for step, body in (("authentication", credentials(tms)), ("orderCreation", {}), ("fulfilment", {})):
        assert tms.api.put(f"{item}/steps/{step}", body, token=tms.admin).status == 200
    live = tms.api.post(f"{item}/finish", token=tms.admin)
    assert live.status == 200 and live.json()["status"] == "LIVE"
    # What start hands over is in the finishing answer only, never stored, never cached.
    assert "/hooks/" in live.json()["shownOnce"]["webhookUrl"]
    assert live.header("Cache-Control") == "no-store"
    again = tms.api.get(item, token=tms.admin).json()
    assert "shownOnce" not in again
    assert "shownOnce" not in str(core().integrations.get(view["integrationId"]).platform_state)
    assert [i["integrationId"] for i in tms.api.get(tenant_path(tms), token=tms.admin).json()["integrations"]] \
        == [view["integrationId"]]
    # Reconfiguring restarts the triggers; nothing new is handed over.
    redone = tms.api.put(f"{item}/steps/orderCreation", {"defaultService": "EXPRESS"}, token=tms.admin)
    assert redone.status == 200 and "shownOnce" not in redone.json()
    # The customers view stays per customer: a tenant-level integration is nobody's green dot.
    customers = {c["name"]: c for c in tms.api.get(f"/tenants/{tms.a.tenant_id}/customers",
                                                   token=tms.admin).json()["customers"]}
    assert all(c["liveIntegrations"] == 0 and not c["hasLiveIntegrations"] for c in customers.values())
    history = tms.api.get(f"{item}/sync-log/entries", token=tms.admin).json()
    assert [e["event"] for e in history["entries"]][-1] == "integration.step.orderCreation"
    deleted = tms.api.delete(item, token=tms.admin)
    assert deleted.status == 200 and deleted.json()["status"] == "DELETED"
    assert tms.api.get(tenant_path(tms), token=tms.admin).json()["integrations"] == []
    assert len(tms.api.get(tenant_path(tms), token=tms.admin, query={"includeDeleted": "true"}).json()[
        "integrations"]) == 1


def test_only_the_tenants_admins_reach_tenant_level_integrations(tms):
    live = make_live(tms)
    item = f"{tenant_path(tms)}/{live['integrationId']}"
    core().tenants.update(tms.a.tenant_id, {"selfManagedCustomerIds": [tms.a.customers["chef"]]})
    strangers = {"customer user (allowed to self-manage)": tms.customer_user(),
                 "another tenant's admin": tms.token("admin", tenant=tms.b)}
    calls = [("GET", tenant_path(tms), None), ("POST", tenant_path(tms), {"type": "sandboxtms", "name": "x"}),
             ("GET", item, None), ("PUT", f"{item}/steps/name", {"name": "Renamed"}),
             ("POST", f"{item}/finish", None), ("GET", f"{item}/sync-log", None),
             ("GET", f"{item}/sync-log/entries", None), ("POST", f"{item}/sync-log/retry", {"record": f"{item}#x"}),
             ("POST", f"{item}/backfill", {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"}),
             ("GET", f"{item}/backfills/0123456789abcdef", None), ("GET", f"{item}/alerts", None),
             ("POST", f"{item}/alerts/recordsNeedAttention/acknowledge", None),
             ("POST", f"{item}/alerts/recordsNeedAttention/snooze", {"hours": 1}), ("DELETE", item, None)]
    before = snapshot(tms)
    for who, token in strangers.items():
        for method, path, body in calls:
            answer = tms.api.call(method, path, token=token, json_body=body)
            assert answer.status == 403, (who, method, path, answer.body)
            assert answer.header("Content-Type") == "application/problem+json"
    assert snapshot(tms) == before
    assert tms.api.get(item, token=tms.admin).json()["name"] == "Dispatch"
    # its admins see and act on its alerts there (issue 23)
    AlertStore(core().settings.alerts_table).raise_alert(
        tms.a.tenant_id, Subject(live["integrationId"]), "recordsNeedAttention",
        Finding(summary="A consignment needs attention", what_to_do="Retry it from the sync log."), None)
    acknowledged = tms.api.post(f"{item}/alerts/recordsNeedAttention/acknowledge", token=tms.admin)
    assert acknowledged.status == 200 and acknowledged.json()["customerId"] is None
    assert [e["event"] for e in tms.api.get(f"{item}/alerts", token=tms.admin).json()["history"]] == [
        "acknowledged", "opened"]


def test_each_kind_lives_only_at_its_own_level(tms):
    before = snapshot(tms)
    at_customer = tms.api.post(tms.path(), {"type": "sandboxtms", "name": "Wrong"}, token=tms.admin)
    assert at_customer.status == 422 and at_customer.fields == ["type"]
    assert "/tenants/" in at_customer.json()["resolution"]
    at_tenant = tms.api.post(tenant_path(tms), {"type": "sandboxshop", "name": "Wrong"}, token=tms.admin)
    assert at_tenant.status == 422 and at_tenant.fields == ["type"]
    assert snapshot(tms) == before
    shop = tms.create_live("Chef shop", "chef")
    tenant_level = make_live(tms)
    assert tms.api.get(f"{tenant_path(tms)}/{shop['integrationId']}", token=tms.admin).status == 404
    assert tms.api.get(f"{tms.path()}/{tenant_level['integrationId']}", token=tms.admin).status == 404
    assert [i["integrationId"] for i in tms.api.get(tms.path(), token=tms.admin).json()["integrations"]] \
        == [shop["integrationId"]]


def test_one_live_integration_per_platform_account_per_tenant_and_names_unique_per_tenant(tms):
    first = make_live(tms, "Dispatch", organisation="org-1")
    taken = tms.api.post(tenant_path(tms), {"type": "sandboxtms", "name": "dispatch"}, token=tms.admin)
    assert taken.status == 409 and taken.fields == ["name"]
    second = tms.api.post(tenant_path(tms), {"type": "sandboxtms", "name": "Second"}, token=tms.admin).json()
    item = f"{tenant_path(tms)}/{second['integrationId']}"
    same_account = tms.api.put(f"{item}/steps/authentication", credentials(tms, "org-1"), token=tms.admin)
    assert same_account.status == 409 and same_account.fields == ["authentication"]
    assert first["integrationId"] in same_account.json()["detail"] and "This tenant" in same_account.json()["detail"]
    assert tms.api.put(f"{item}/steps/authentication", credentials(tms, "org-2"), token=tms.admin).status == 200
    # Another tenant may connect the same account (the limit is per tenant).
    core().tenants.update(tms.b.tenant_id, {"name": "Other 3PL"})
    other = tms.api.post(tenant_path(tms, tms.b), {"type": "sandboxtms", "name": "Dispatch"},
                         token=tms.token("admin", tenant=tms.b))
    assert other.status == 201


def test_a_tenant_level_integration_is_billed_weekly_as_tenant_level(tms, service):
    with clock(tms, at(3)):
        live = make_live(tms, "Dispatch")
    with clock(tms, at(3)):
        shop = tms.create_live("Chef shop", "chef")
    run_week(service, W10)
    charged = charges(W10)
    assert set(charged) == {live["integrationId"], shop["integrationId"]}
    assert "customerId" not in charged[live["integrationId"]]
    statement = tms.api.get(f"/tenants/{tms.a.tenant_id}/statements/{W10}", token=tms.admin).json()
    first, second = statement["customers"]
    assert first == {"customerId": None, "customerName": "Tenant-level", "integrationCount": 1, "totalCents": 1000,
                     "integrations": [{"integrationId": live["integrationId"], "name": "Dispatch",
                                       "type": "sandboxtms", "amountCents": 1000,
                                       "periodStart": first["integrations"][0]["periodStart"], "periodEnd": None}]}
    assert second["customerId"] == tms.a.customers["chef"] and statement["totalCents"] == 2000
    text = tms.api.get(f"/tenants/{tms.a.tenant_id}/statements/{W10}", token=tms.admin,
                       query={"format": "csv"}).body
    rows = list(csv.DictReader(io.StringIO(text)))
    tenant_rows = [r for r in rows if r["customer_name"] == "Tenant-level"]
    assert [r["line"] for r in tenant_rows] == ["charge", "customer_total"]
    assert all(r["customer_id"] == "" for r in tenant_rows) and tenant_rows[0]["type"] == "sandboxtms"


def test_wms_events_of_every_customer_reach_a_subscribing_tenant_level_integration(tms):
    from integrations.cartoncloud.routing import subscribers

    subscribing = connectors.Connector(key="sandboxtms", title="Sandbox TMS (tests)", scope="tenant",
                                       integration_type=SANDBOX_TMS.integration_type,
                                       subscribes=frozenset({"CONSIGNMENT.CREATED"}))
    with connectors.installed(subscribing):
        live = make_live(tms)
        shop = tms.create_live("Baker shop", "baker")
        for customer in ("chef", "baker"):
            event = WmsEvent(tenant_id=tms.a.tenant_id, entity_type="CONSIGNMENT", entity_id=str(uuid.uuid4()),
                             changes=["CREATED"], status="AWAITING_PICKUP", customer_id=tms.a.customers[customer],
                             modified_at="2026-03-03T00:00:00.000000Z")
            assert [i.integration_id for i, _ in subscribers(event)] == [live["integrationId"]]
        # An event no tenant-level connector subscribes to is routed to the customer's own integrations only.
        event = WmsEvent(tenant_id=tms.a.tenant_id, entity_type="OUTBOUND_ORDER", entity_id=str(uuid.uuid4()),
                         changes=["DISPATCHED"], status="DISPATCHED", customer_id=tms.a.customers["baker"],
                         modified_at="2026-03-03T00:00:00.000000Z")
        assert subscribers(event) == []
        assert shop["status"] == "LIVE"


def test_the_tenant_type_is_checked_against_the_tenants_own_record(tms):
    """A tenant-level integration is created for a registered tenant only (404 otherwise), as a customer's is."""
    unknown = str(uuid.uuid4())
    answer = tms.api.post(f"/tenants/{unknown}/integrations", {"type": "sandboxtms", "name": "x"},
                          token=management_support.mint(unknown, "admin"))
    assert answer.status == 404 and answer.fields == ["tenantId"]
