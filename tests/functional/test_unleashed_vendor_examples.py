"""Issue 21, point 4: Unleashed's own sales orders, end to end. Each captured order (tests/fixtures/vendor/unleashed/,
SOURCES.md) is loaded into the Unleashed sandbox through its control API exactly as captured, read back unchanged
through Unleashed's API and the control API, placed and shipped there as a user would, synced through our door and
queues, and the WMS outbound order made from its shipment is checked field by field against the table in
docs/unleashed.md "Vendor examples end to end" — read from the docs, so the table and the code can't drift."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from integrations.unleashed import usage
from integrations.unleashed.client import UnleashedClient
from pydantic import SecretStr

from .unleashed_helpers import API_ID, UNLEASHED_BASE, UnleashedWorld, connected_fixture, unleashed_world_fixture  # noqa: F401  (fixtures)

ROOT = Path(__file__).parents[2]
VENDOR = ROOT / "tests" / "fixtures" / "vendor" / "unleashed"
DOCS = ROOT / "docs" / "unleashed.md"
BEGIN, END = "<!-- vendor-examples:begin -->", "<!-- vendor-examples:end -->"
EXAMPLES = ("salesorder.response.json", "salesorders-list.response.json")
#: Goods the WMS holds for the customer (the captures' product codes), and the fees Unleashed keeps as services.
GOODS = ("rrrrrrrr", "AOPPTB", "DFPPTB", "PGPPTB")
FEES = ("SHIP", "CONV")


def control(path: str, body: bytes | None = None, method: str = "POST", **params: str) -> requests.Response:
    return requests.request(method, f"{UNLEASHED_BASE}/_control/accounts/{API_ID}{path}", data=body, params=params,
                            headers={"Content-Type": "application/json"}, timeout=5)


def orders_of(example: str) -> list[dict[str, Any]]:
    given = json.loads((VENDOR / example).read_bytes())
    return given.get("Items", [given])  # type: ignore[no-any-return]


def table() -> list[dict[str, str]]:
    """The docs' rows: example | example field | our field | expected value."""
    text = DOCS.read_text(encoding="utf-8")
    block = text[text.index(BEGIN) + len(BEGIN):text.index(END)]
    rows = [line for line in block.strip().splitlines() if line.startswith("|")]
    cells = [[cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    header, _, *body = cells
    assert header == ["example", "example field", "our field", "expected value"]
    return [dict(zip(header, row, strict=True)) for row in body]


def at(document: Any, path: str) -> Any:
    """``details.deliver.address.city``, ``items[0].measures.quantity`` (a missing step: ``KeyError``)."""
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        document = document[int(index)] if index else document[name]
    return document


def unquote(cell: str) -> str:
    return cell[1:-1] if cell.startswith("`") and cell.endswith("`") else cell


@pytest.mark.parametrize("example", EXAMPLES)
def test_unleasheds_own_sales_order_goes_end_to_end_as_the_docs_table_says(connected: UnleashedWorld, example: str):
    raw = (VENDOR / example).read_bytes()
    [order] = orders_of(example)
    for code in GOODS:
        connected.wms.add_product(connected.tenant.tenant_id, customer_id=connected.tenant.customer_id, code=code,
                                  name=code)
    products = {line["Product"]["ProductCode"]: line["Product"] for line in order["SalesOrderLines"]}
    for code in FEES:  # fees are services in Unleashed (Never Diminishing), as the captured account's would be
        if code in products:
            assert control("/products", json.dumps({**products[code], "NeverDiminishing": True}).encode()).ok
    # loaded as captured, through the control API …
    loaded = control("/sales-orders", raw)
    assert loaded.status_code == 201 and loaded.json() == {"loaded": [{"Guid": order["Guid"],
                                                                       "OrderNumber": order["OrderNumber"]}]}
    # … and read back unchanged, through Unleashed's own API (signed, counted) and the control API
    client = UnleashedClient(api_id=API_ID, api_key=SecretStr(connected.api_key))
    with usage.counted(client.account):
        assert client.call("GET", f"/SalesOrders/{order['Guid']}").json() == order
        listed = client.call("GET", "/SalesOrders/1", params=[("orderNumber", order["OrderNumber"])]).json()
    assert listed["Items"] == [order]
    assert control(f"/sales-orders/{order['Guid']}/record", method="GET").json() == order
    # a user ships every line and places the order in Unleashed (its webhook reaches our door)
    assert control(f"/sales-orders/{order['Guid']}/shipments", b"{}").status_code == 201
    assert control(f"/sales-orders/{order['Guid']}/place").status_code == 200
    connected.pump()
    [shipment] = connected.shipments(order)
    [wms] = connected.wms_orders()
    link, entries = connected.history(shipment["Guid"])
    assert link["status"] == "SYNCED" and link["wmsOrderId"] == wms["id"], entries
    placeholders = {"{customer}": connected.tenant.customer_id, "{warehouse}": connected.tenant.warehouse_id}
    rows = [row for row in table() if row["example"] == example]
    assert rows, f"docs/unleashed.md has no rows for {example}"
    for row in rows:
        field = unquote(row["example field"])
        if field != "—":
            at(json.loads(raw), field)  # the table names a field the example really has
        cell, path = unquote(row["expected value"]), unquote(row["our field"])
        if cell == "absent":  # not sent: the WMS order has no such field (or it is null)
            with pytest.raises((KeyError, IndexError)):
                if at(wms, path) is None:
                    raise KeyError(path)
            continue
        expected = placeholders[cell] if cell in placeholders else json.loads(cell)
        assert at(wms, path) == expected, (row, at(wms, path))
