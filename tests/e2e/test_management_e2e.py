"""The management API end to end through the local stack, over HTTP only: a customer user configures a WooCommerce
integration in the product's steps, reconfigures and deletes it; billing runs for the week on demand; the admin
reads the week's statement (JSON and CSV).

The WooCommerce store is a sandbox served here on a free port (the real ``woocommerce`` type checks its keys and
registers webhooks on it); tokens and the billing trigger come from the stack's ``management`` demo service.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import pytest
import requests
from integrations.core.weeks import IsoWeek

from local import demo
from local.sandboxes.transports import serve
from local.sandboxes.woocommerce import WooCommerceSandbox

from .conftest import StackClient

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def store():
    sandbox = WooCommerceSandbox()
    server, _, url = serve(sandbox)
    shop = sandbox.add_store("e2e-shop", name="E2E Store")
    key = next(iter(shop.keys.values()))
    yield {"sandbox": sandbox, "url": f"{url}/e2e-shop", "key": key.consumer_key, "secret": key.consumer_secret}
    server.shutdown()
    server.server_close()


class Api:
    def __init__(self, client: StackClient, token: str) -> None:
        self.base = client.api
        self.headers = {"Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, body=None, **params) -> requests.Response:
        return requests.request(method, f"{self.base}{path}", json=body, params=params or None,
                                headers=self.headers, timeout=30)


def test_configure_reconfigure_delete_and_the_weeks_statement(client, store):
    facts = client.local("GET", "demo")["management"]
    customer, admin = Api(client, facts["customerToken"]), Api(client, facts["adminToken"])
    base = f"/tenants/{demo.TENANT_ID}/customers/{demo.CUSTOMER_ID}/integrations"
    name = f"E2E shop {uuid.uuid4().hex[:6]}"

    created = customer("POST", base, {"type": "woocommerce", "name": name})
    assert created.status_code == 201, created.text
    item = f"{base}/{created.json()['integrationId']}"
    refused = customer("PUT", f"{item}/steps/authentication", {"storeUrl": store["url"], "consumerKey": store["key"],
                                                                "consumerSecret": "cs_wrong"})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] in ("consumerKey", "consumerSecret")
    for step, body in (
        ("authentication", {"storeUrl": store["url"], "consumerKey": store["key"], "consumerSecret": store["secret"]}),
        ("orderCreation", {"warehouseId": demo.WAREHOUSE_ID}),
        ("fulfilment", {"completeFulfilment": True, "sendTracking": True}),
    ):
        answer = customer("PUT", f"{item}/steps/{step}", body)
        assert answer.status_code == 200, (step, answer.text)
        assert store["secret"] not in answer.text
    live = customer("POST", f"{item}/finish")
    assert live.status_code == 200 and live.json()["status"] == "LIVE", live.text
    hooks = requests.get(f"{store['url'].rsplit('/', 1)[0]}/_control/stores/e2e-shop/webhooks", timeout=10).json()
    assert hooks and all(h["delivery_url"].startswith(client.api) for h in hooks), hooks

    customers = admin("GET", f"/tenants/{demo.TENANT_ID}/customers").json()["customers"]
    mine = next(c for c in customers if c["customerId"] == demo.CUSTOMER_ID)
    assert mine["hasLiveIntegrations"] is True and mine["liveIntegrations"] >= 1

    reconfigured = customer("PUT", f"{item}/steps/fulfilment", {"completeFulfilment": True, "sendTracking": False})
    assert reconfigured.status_code == 200 and reconfigured.json()["fulfilment"]["sendTracking"] is False
    renamed = customer("PUT", f"{item}/steps/name", {"name": f"{name} (renamed)"})
    assert renamed.status_code == 200 and renamed.json()["status"] == "LIVE"

    deleted = customer("DELETE", item)
    assert deleted.status_code == 200 and deleted.json()["status"] == "DELETED", deleted.text
    assert deleted.json()["stopWarning"] is None
    after = requests.get(f"{store['url'].rsplit('/', 1)[0]}/_control/stores/e2e-shop/webhooks", timeout=10).json()
    assert [h for h in after if h["delivery_url"].startswith(client.api)] == []

    week = str(IsoWeek.of(datetime.now(UTC)))
    run = requests.post(facts["billingRuns"], json={"week": week, "includeOpenWeek": True}, timeout=30)
    assert run.status_code == 202 and run.json()["queued"] >= 1, run.text
    client.wait_idle()

    statement = admin("GET", f"/tenants/{demo.TENANT_ID}/statements/{week}")
    assert statement.status_code == 200, statement.text
    lines = {line["integrationId"]: line for c in statement.json()["customers"] for line in c["integrations"]}
    charged = lines[created.json()["integrationId"]]
    assert charged["amountCents"] == 1000 and charged["name"] == f"{name} (renamed)"
    assert statement.json()["totalCents"] >= 1000
    as_csv = admin("GET", f"/tenants/{demo.TENANT_ID}/statements/{week}", format="csv")
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert created.json()["integrationId"] in {r["integration_id"] for r in rows}
    assert rows[-1]["line"] == "tenant_total"
    assert customer("GET", f"/tenants/{demo.TENANT_ID}/statements/{week}").status_code == 403
