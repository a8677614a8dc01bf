"""Issue 24 points 1 and 2: a record carries the numbers people use (the shop's #1001, the WMS order's reference),
its sync log names it by them, and a search finds it by either number, exactly or by its start — for the tenant's
admin across every customer, for a customer's user within their own — filtered by status and platform, paged."""

from __future__ import annotations

import pytest
from integrations.core.context import core

from .management_support import auth_env, mint  # noqa: F401 - auth_env is a fixture
from .woocommerce_helpers import Woo, connected_fixture, woo_fixture  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("auth_env")


def search(woo: Woo, number: str, *, role: str = "admin", customer: str | None = None, **filters: str):
    tenant = woo.tenant.tenant_id
    path = f"/tenants/{tenant}" + (f"/customers/{customer}" if customer else "") + "/records"
    token = mint(tenant, role, woo.tenant.customer_id if role == "customer" else None)  # the shop's own user
    query = "&".join(f"{k}={v}" for k, v in {"number": number, **filters}.items())
    return woo.service.http("GET", path, headers={"authorization": f"Bearer {token}"}, query=query)


def test_an_order_carries_its_numbers_and_the_sync_log_names_it_by_them(connected: Woo):
    placed = connected.place()
    connected.pump()
    link = connected.link(placed["id"])
    assert link["platformNumber"] == f"#{placed['number']}"
    assert link["wmsNumber"] == connected.wms_order_for(placed["id"])["references"]["customer"]
    tenant, customer = connected.tenant.tenant_id, connected.tenant.customer_id
    listed = connected.service.http(
        "GET", f"/tenants/{tenant}/customers/{customer}/integrations/{connected.integration_id}/sync-log",
        headers={"authorization": f"Bearer {mint(tenant, 'admin')}"}).json()
    [row] = [r for r in listed["records"] if r["recordKey"] == link["pk"]]
    assert row["label"] == f"WooCommerce order #{placed['number']} → WMS {link['wmsNumber']}"
    assert row["recordId"] == str(placed["id"])  # the id stays available


def test_a_search_finds_an_order_by_either_number_exactly_or_by_its_start(connected: Woo):
    placed = connected.place()
    connected.pump()
    key = connected.link(placed["id"])["pk"]
    number = str(placed["number"])
    for typed in (f"#{number}", number, number[:-1], f"  {number}  ".strip()):
        found = search(connected, typed)
        assert found.status == 200, found.body
        assert key in [r["recordKey"] for r in found.json()["records"]], typed
    [row] = [r for r in search(connected, f"#{number}").json()["records"] if r["recordKey"] == key]
    assert row["integrationName"] == connected.fresh().name and row["platformTitle"] == "WooCommerce"
    assert row["status"] == "SYNCED" and row["customerName"] == "Steam Chef Store"
    wms_reference = connected.link(placed["id"])["wmsNumber"]
    assert key in [r["recordKey"] for r in search(connected, wms_reference).json()["records"]]
    assert search(connected, "no-such-number").json()["records"] == []


def test_filters_and_who_may_search(connected: Woo):
    placed = connected.place()
    connected.pump()
    key = connected.link(placed["id"])["pk"]
    number = str(placed["number"])
    customer = connected.tenant.customer_id
    assert search(connected, number, status="NEEDS_ATTENTION").json()["records"] == []
    assert [r["recordKey"] for r in search(connected, number, status="SYNCED").json()["records"]] == [key]
    assert search(connected, number, platform="unleashed").json()["records"] == []
    core().tenants.update(connected.tenant.tenant_id, {"selfManagedCustomerIds": [customer]})
    own = search(connected, number, role="customer", customer=customer)
    assert own.status == 200 and [r["recordKey"] for r in own.json()["records"]] == [key]
    assert search(connected, number, role="customer", customer=customer, status="ANY").status == 400
    assert search(connected, number, role="customer").status == 403  # tenant-wide search: admins only
    other = search(connected, number, role="customer", customer="someone-else")
    assert other.status in (403, 404)
    refused = search(connected, "x" * 81)
    assert refused.status == 400 and refused.json()["errors"][0]["field"] == "number"
    bad_page = search(connected, number, after="not-a-page")
    assert bad_page.status == 400 and bad_page.json()["errors"][0]["field"] == "after"


def test_a_long_result_is_paged(connected: Woo):
    placed = [connected.place() for _ in range(30)]
    connected.pump()
    keys = {connected.link(order["id"])["pk"] for order in placed}
    seen: list[str] = []
    after: str | None = None
    for _ in range(10):
        page = search(connected, "10", **({"after": after} if after else {})).json()
        seen += [r["recordKey"] for r in page["records"]]
        after = page["next"]
        if after is None:
            break
    assert keys <= set(seen) and len(seen) == len(set(seen))
