"""The permission matrix over HTTP: tenant × role × customer × permission × operation, on every route.

- tenant: the token's tenant is the path's tenant (own) or another 3PL's (other);
- role: tenant admin, or customer user (of customer Chef for tenant A, Grocer for tenant B);
- customer: the path names the token's customer / Chef (own) or another customer, Baker (other);
- permission: the tenant lets the token's customer self-manage (allowed) or not;
- operation: every route of the management API.

Expected (product decision 1): another tenant is always refused; an admin may do everything for every customer;
a customer user may act only on their own customer, only while allowed, and never on admin-only operations.
Refusals are 403 and change nothing.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from integrations.core.alerts.model import TENANT_SUBJECT, Finding
from integrations.core.alerts.store import AlertStore, Subject
from integrations.core.context import core

from . import management_support
from .management_support import World
from .test_management_api import snapshot

world, auth_env = management_support.world, management_support.auth_env  # fixtures

#: The conditions of the alerts opened on each target integration and on the tenant itself.
ALERT, TENANT_ALERT = "recordsNeedAttention", "wmsNotificationsSilent"
TENANTS, ROLES, CUSTOMERS, PERMISSIONS = ("own", "other"), ("admin", "customer"), ("own", "other"), ("allowed",
                                                                                                    "denied")


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    #: ``{t}`` tenant, ``{c}`` customer, ``{i}`` an integration of that customer.
    path: str
    admin_only: bool = False
    customer_scoped: bool = False
    tenant_scoped: bool = True
    success: int = 200
    writes: bool = False
    query: dict[str, str] | None = None

    def body(self, world: World, integration: str = "") -> Any:
        return {
            # a record of this integration that keeps no failed work: allowed callers get 409 Nothing to retry
            "retry": {"record": f"{integration}#sandboxshop#order#1"},
            "put-settings": {"weeklyPriceCents": 1000},
            "create": {"type": "sandboxshop", "name": f"Shop {uuid.uuid4().hex[:6]}"},
            "configure-step": {"name": f"Renamed {uuid.uuid4().hex[:6]}"},
            "billing-run": {"week": "2026-W10"},
            "snooze": {"hours": 1},
            "tenant-snooze": {"hours": 1},
            "save-alert-contacts": {"emails": [f"ops-{uuid.uuid4().hex[:6]}@example.com"]},
        }.get(self.name)


OPERATIONS = [
    Operation("integration-types", "GET", "/integration-types", tenant_scoped=False),
    Operation("get-settings", "GET", "/tenants/{t}/settings", admin_only=True),
    Operation("put-settings", "PUT", "/tenants/{t}/settings", admin_only=True, writes=True),
    Operation("notification-secret", "POST", "/tenants/{t}/notification-secret", admin_only=True, success=201,
              writes=True),
    Operation("customers", "GET", "/tenants/{t}/customers"),
    Operation("warehouses", "GET", "/tenants/{t}/customers/{c}/warehouses", customer_scoped=True),
    Operation("list", "GET", "/tenants/{t}/customers/{c}/integrations", customer_scoped=True),
    Operation("create", "POST", "/tenants/{t}/customers/{c}/integrations", customer_scoped=True, success=201,
              writes=True),
    Operation("get", "GET", "/tenants/{t}/customers/{c}/integrations/{i}", customer_scoped=True),
    Operation("configure-step", "PUT", "/tenants/{t}/customers/{c}/integrations/{i}/steps/name",
              customer_scoped=True, writes=True),
    Operation("finish", "POST", "/tenants/{t}/customers/{c}/integrations/{i}/finish", customer_scoped=True,
              writes=True),
    Operation("delete", "DELETE", "/tenants/{t}/customers/{c}/integrations/{i}", customer_scoped=True, writes=True),
    Operation("sync-log", "GET", "/tenants/{t}/customers/{c}/integrations/{i}/sync-log", customer_scoped=True),
    Operation("sync-entries", "GET", "/tenants/{t}/customers/{c}/integrations/{i}/sync-log/entries",
              customer_scoped=True),
    Operation("retry", "POST", "/tenants/{t}/customers/{c}/integrations/{i}/sync-log/retry", customer_scoped=True,
              success=409, writes=True),
    # alerts (issue 23): an open alert on each target (and the tenant's own) stays open when acknowledged or snoozed
    Operation("alert-overview", "GET", "/tenants/{t}/alerts", admin_only=True),
    Operation("customer-alerts", "GET", "/tenants/{t}/customers/{c}/alerts", customer_scoped=True),
    Operation("integration-alerts", "GET", "/tenants/{t}/customers/{c}/integrations/{i}/alerts",
              customer_scoped=True),
    Operation("acknowledge", "POST", f"/tenants/{{t}}/customers/{{c}}/integrations/{{i}}/alerts/{ALERT}/acknowledge",
              customer_scoped=True, writes=True),
    Operation("snooze", "POST", f"/tenants/{{t}}/customers/{{c}}/integrations/{{i}}/alerts/{ALERT}/snooze",
              customer_scoped=True, writes=True),
    Operation("tenant-acknowledge", "POST", f"/tenants/{{t}}/alerts/TENANT/{TENANT_ALERT}/acknowledge",
              admin_only=True, writes=True),
    Operation("tenant-snooze", "POST", f"/tenants/{{t}}/alerts/TENANT/{TENANT_ALERT}/snooze", admin_only=True,
              writes=True),
    Operation("alert-contacts", "GET", "/tenants/{t}/customers/{c}/alert-contacts", customer_scoped=True),
    Operation("save-alert-contacts", "PUT", "/tenants/{t}/customers/{c}/alert-contacts", customer_scoped=True,
              writes=True),
    Operation("alert-webhook-secret", "POST", "/tenants/{t}/settings/alert-webhook-secret", admin_only=True,
              success=201, writes=True),
    # finding a record by its number (issue 24)
    Operation("search", "GET", "/tenants/{t}/records", admin_only=True, query={"number": "1001"}),
    Operation("customer-search", "GET", "/tenants/{t}/customers/{c}/records", customer_scoped=True,
              query={"number": "1001"}),
    Operation("statement", "GET", "/tenants/{t}/statements/2026-W10", admin_only=True),
    Operation("billing-run", "POST", "/tenants/{t}/billing-runs", admin_only=True, success=202, writes=True),
]


def expected_status(operation: Operation, tenant: str, role: str, customer: str, permission: str) -> int:
    if not operation.tenant_scoped:
        return operation.success
    if tenant == "other":
        return 403
    if role == "admin":
        return operation.success
    if operation.admin_only or permission == "denied":
        return 403
    if operation.customer_scoped and customer == "other":
        return 403
    return operation.success


def test_the_expected_table_is_the_product_rule():
    """The oracle itself, spelled out for a few rows (so a wrong oracle can't hide a wrong service)."""
    create = next(o for o in OPERATIONS if o.name == "create")
    statement = next(o for o in OPERATIONS if o.name == "statement")
    assert expected_status(create, "own", "customer", "own", "allowed") == 201
    assert expected_status(create, "own", "customer", "own", "denied") == 403
    assert expected_status(create, "own", "customer", "other", "allowed") == 403
    assert expected_status(create, "other", "admin", "own", "allowed") == 403
    assert expected_status(create, "own", "admin", "other", "denied") == 201
    assert expected_status(statement, "own", "customer", "own", "allowed") == 403


def _grant(world: World, allowed: bool) -> None:
    """Let (or stop) each tenant's customer user's customer self-manage."""
    stores = core()
    stores.tenants.update(world.a.tenant_id, {"selfManagedCustomerIds": [world.a.customers["chef"]] if allowed
                                              else []})
    stores.tenants.update(world.b.tenant_id, {"selfManagedCustomerIds": [world.b.customers["grocer"]] if allowed
                                              else []})


def _open_alerts(world: World, integrations: Iterable[dict[str, Any]]) -> None:
    """An open alert on each integration and on the tenant, as the checker opens them; and the tenant sends its
    customers their own alerts (so a self-managing user may set their addresses: the rule tested here is who)."""
    store = AlertStore(core().settings.alerts_table)
    finding = Finding(summary="Something needs a person", what_to_do="Look at it.")
    for integration in integrations:
        store.raise_alert(world.a.tenant_id, Subject(integration["integrationId"], integration["customerId"]),
                          ALERT, finding, None)
    store.raise_alert(world.a.tenant_id, Subject(TENANT_SUBJECT), TENANT_ALERT, finding, None)
    core().tenants.update_alerts(world.a.tenant_id, {("channels", "customersReceiveAlerts"): True})


def _token(world: World, tenant: str, role: str) -> str:
    if tenant == "own":
        return world.token(role, customer="chef" if role == "customer" else None)
    return world.token(role, tenant=world.b, customer="grocer" if role == "customer" else None)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda o: o.name)
def test_permission_matrix(world, operation):
    _grant(world, True)
    targets = {name: world.create_live(f"Target {name}", name) for name in ("chef", "baker")}
    _open_alerts(world, targets.values())
    combos = list(itertools.product(TENANTS, ROLES, CUSTOMERS, PERMISSIONS))
    denied = [c for c in combos if expected_status(operation, *c) == 403]
    allowed = [c for c in combos if c not in denied]
    mismatches: list[str] = []

    def call(tenant: str, role: str, customer: str, permission: str) -> None:
        _grant(world, permission == "allowed")
        path_customer = "chef" if customer == "own" else "baker"
        integration = targets[path_customer]["integrationId"]
        if operation.name == "delete" and expected_status(operation, tenant, role, customer, permission) != 403:
            _grant(world, True)
            integration = world.create_live(f"To delete {uuid.uuid4().hex[:6]}", path_customer)["integrationId"]
            _grant(world, permission == "allowed")
        path = operation.path.format(t=world.a.tenant_id, c=world.a.customers[path_customer], i=integration)
        answer = world.api.call(operation.method, path, token=_token(world, tenant, role),
                                json_body=operation.body(world, integration), query=operation.query)
        want = expected_status(operation, tenant, role, customer, permission)
        if answer.status != want:
            mismatches.append(f"{(tenant, role, customer, permission)}: {answer.status} (want {want}) "
                              f"{answer.body[:160]}")

    before = snapshot(world)
    for combo in denied:
        call(*combo)
    _grant(world, True)
    if operation.writes:
        assert snapshot(world) == before, "a refused request changed something"
    for combo in allowed:
        call(*combo)
    assert not mismatches, "\n".join(mismatches)
    assert len(denied) + len(allowed) == 16


def test_requests_without_a_valid_token_are_unauthenticated(world):
    path = f"/tenants/{world.a.tenant_id}/customers"
    from .management_support import mint

    bad = {
        "no token": None,
        "wrong key": mint(world.a.tenant_id, "admin", key="another-key-of-at-least-32-bytes-long!!"),
        "expired": mint(world.a.tenant_id, "admin", exp=1_000_000_000),
        "wrong issuer": mint(world.a.tenant_id, "admin", iss="https://evil.example/"),
        "wrong audience": mint(world.a.tenant_id, "admin", aud="another-api"),
        "unknown role": mint(world.a.tenant_id, "owner"),
        "customer without customer_id": mint(world.a.tenant_id, "customer"),
        "no tenant": mint("", "admin"),
    }
    for why, token in bad.items():
        answer = world.api.get(path, token=token)
        assert answer.status == 401, why
        assert answer.fields == ["Authorization"], why
        assert answer.header("WWW-Authenticate", ).startswith("Bearer"), why
    not_bearer = world.api.get(path, headers={"authorization": "Basic dXNlcjpwYXNz"})
    assert not_bearer.status == 401
