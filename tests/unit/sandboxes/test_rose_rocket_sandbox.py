"""The Rose Rocket sandbox keeps Rose Rocket's promises as docs/rose-rocket.md states them: tokens for a service
account, NestJS errors, connected objects written inline and expanded only by ``paths``, upsert by externalId,
board searches, "Order Status Changed" webhooks (unsigned, sometimes twice, retried when failed), a rate limit; and,
where Rose Rocket's answer is unknown, each answer as a dialect, strict refusals, request bodies kept, and vendor
examples loaded as they are (issue 21)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from local.sandboxes.base import RecordingSender, SandboxRequest
from local.sandboxes.rose_rocket import API_PREFIX, RoseRocketSandbox
from local.sandboxes.rose_rocket.examples import V1_ADDRESS, V1_COMMODITY, V1_ORDER

USER = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"


def setup(**kwargs):
    sender = kwargs.pop("sender", RecordingSender(status=500))
    sandbox = RoseRocketSandbox(sender=sender, **kwargs)
    org = sandbox.add_org(client_id="c", client_secret="s", service_user=USER)
    token = sandbox.handle(SandboxRequest("POST", "/oauth/token", headers={"Content-Type": "application/json"},
                                          body=json.dumps({"grant_type": "client_credentials", "client_id": "c",
                                                           "client_secret": "s", "audience": "https://roserocket.com",
                                                           "org_id": org.id, "user_id": USER}).encode()))
    assert token.status == 200
    headers = {"Authorization": f"Bearer {token.parsed()['access_token']}", "Content-Type": "application/json"}

    def call(method: str, path: str, body=None, query=None):
        return sandbox.handle(SandboxRequest(method, API_PREFIX + path, headers=headers, query=query or {},
                                             body=json.dumps(body).encode() if body is not None else b""))

    return sandbox, org, call, sender


def test_tokens_need_the_whole_service_account_and_die_with_a_rotated_secret():
    sandbox, org, call, _ = setup()
    for change, status, text in (({"client_secret": "x"}, 401, "Unauthorized"),
                                 ({"audience": "https://elsewhere"}, 403, "Service not enabled"),
                                 ({"org_id": "o"}, 403, "org_id"), ({"user_id": "u"}, 403, "user_id")):
        body = {"grant_type": "client_credentials", "client_id": "c", "client_secret": "s",
                "audience": "https://roserocket.com", "org_id": org.id, "user_id": USER, **change}
        answer = sandbox.handle(SandboxRequest("POST", "/oauth/token", headers={"Content-Type": "application/json"},
                                               body=json.dumps(body).encode()))
        assert answer.status == status and text in answer.parsed()["error_description"]
    assert call("GET", "/boards/nav").status == 200
    sandbox.rotate_secret(org.id)
    assert call("GET", "/boards/nav").parsed() == {"statusCode": 401, "message": "Unauthorized"}


def test_connected_objects_are_written_inline_and_shown_only_when_asked():
    _, org, call, _ = setup()
    customer = call("POST", "/objects", {"objectKey": "customer", "json": {"name": "A"}}).parsed()
    assert customer["fullId"] == "CUST-1" and customer["status"] == "active"
    order = call("POST", "/objects", {"objectKey": "order", "json": {
        "customer": {"id": customer["id"]}, "tasks": [{"taskType": "pickup", "stops": [{"address": {"city": "X"}}],
                                                       "commodities": [{"quantity": 2}]}]}}).parsed()
    assert order["fullId"] == "O-1" and order["status"] == "new" and "tasks" not in order
    full = call("GET", f"/objects/{order['id']}", query={"paths": ["tasks.stops.address,tasks.commodities"]}).parsed()
    [task] = full["tasks"]
    assert task["stops"][0]["address"]["city"] == "X" and task["commodities"][0]["quantity"] == 2
    # an array in an update replaces the list; what it drops (and nothing else links) is deleted
    call("PUT", f"/objects/{order['id']}", {"objectKey": "order", "json": {"tasks": [{"taskType": "delivery"}]}})
    assert not any(r["objectKey"] == "commodity" for r in org.store.records.values())
    refused = call("POST", "/objects", {"objectKey": "order", "json": {"status": "lost", "colour": 1,
                                                                        "fullId": "O-9"}})
    assert refused.status == 400 and len(refused.parsed()["message"]) == 3 and refused.parsed()["error"]


def test_upsert_search_and_boards():
    _, org, call, _ = setup()
    created = call("PATCH", "/objects", {"objectKey": "customer", "json": {"externalId": "e-1", "name": "A"}})
    updated = call("PATCH", "/objects", {"objectKey": "customer", "json": {"externalId": "e-1", "name": "B"}})
    assert (created.status, updated.status) == (201, 200) and created.parsed()["id"] == updated.parsed()["id"]
    assert call("PATCH", "/objects", {"objectKey": "customer", "json": {"name": "C"}}).status == 400
    assert call("GET", "/objects/customer/e-1/external").parsed()["name"] == "B"
    [board] = call("GET", "/boards/nav", query={"objectKey": ["customer"]}).parsed()
    found = call("POST", "/objects/search", {"boardId": board["id"], "filters": [
        {"path": "name", "operator": "in", "value": ["B", "Z"]}], "limit": 10}).parsed()
    assert found["total"] == 1 and found["results"][0]["externalId"] == "e-1"
    assert call("POST", "/objects/search", {"boardId": "nope"}).status == 400
    assert call("POST", "/objects/search", {"boardId": board["id"], "limit": 5000}).status == 400


def test_status_changes_send_unsigned_webhooks_sometimes_twice():
    sender = RecordingSender(status=500)
    sandbox, org, call, _ = setup(sender=sender, dialect={"webhook-retries": "none"})
    call("POST", "/objects", {"objectKey": "webhookDestination", "json": {
        "name": "us", "url": "https://hooks.test/x?token=t",
        "subscriptions": [{"objectKey": "webhookSubscription", "eventName": "Order Status Changed"}]}})
    customer = call("POST", "/objects", {"objectKey": "customer", "json": {"name": "A"}}).parsed()
    order = call("POST", "/objects", {"objectKey": "order", "json": {"customer": {"id": customer["id"]}}}).parsed()
    assert sender.sent == []  # created: no status change
    call("PUT", f"/objects/{order['id']}", {"objectKey": "order", "json": {"status": "delivered"}})
    [delivery] = sender.sent  # answered 500, and not sent again
    envelope = delivery.json()
    assert set(envelope) == {"id", "type", "refId", "ownerId", "orgId", "createdAt", "objectKey", "json"}
    assert envelope["refId"] == order["id"] and envelope["json"]["status"] == "delivered"
    assert not any(k.lower().endswith("signature") for k in delivery.headers)
    org.duplicate_percent = 100
    call("PUT", f"/objects/{order['id']}", {"objectKey": "order", "json": {"status": "invoiced"}})
    assert len(sender.sent) == 3 and sender.sent[1].body == sender.sent[2].body
    refused = call("POST", "/objects", {"objectKey": "webhookDestination", "json": {
        "name": "x", "url": "u", "subscriptions": [{"eventName": "Order Created"}]}})
    assert refused.status == 400


def test_the_rate_limit_answers_429_with_retry_after():
    sandbox, org, call, _ = setup()
    org.rate_limit, org.retry_after = 2, 7
    assert [call("GET", "/boards/nav").status for _ in range(3)] == [200, 200, 429]
    limited = call("GET", "/boards/nav")
    assert limited.headers["Retry-After"] == "7" and "Too Many Requests" in limited.parsed()["message"]


def test_a_dispatcher_adds_sell_quote_lines_and_edits_invoices_and_manifests_are_records():
    sandbox, org, call, _ = setup()
    customer = call("POST", "/objects", {"objectKey": "customer", "json": {"name": "A"}}).parsed()
    order = call("POST", "/objects", {"objectKey": "order", "json": {"customer": {"id": customer["id"]}}}).parsed()

    def control(method, path, body):
        return sandbox.handle(SandboxRequest(method, f"/_control/orgs/{org.id}{path}", body=json.dumps(body).encode()))

    for rate in (30, 12.5):
        added = control("POST", f"/orders/{order['id']}/sell-quote/line-items",
                        {"type": "accessorial", "description": "Waiting", "rate": rate, "quantity": 2})
        assert added.status == 200, added.body
    lines = added.parsed()["sellQuote"]["lineItems"]
    assert [(line["amount"], line["fullId"]) for line in lines] == [(60, "FLI-1"), (25, "FLI-2")]  # rate × quantity
    assert call("POST", "/objects", {"objectKey": "financialLineItem", "json": {"amount": 5}}).status == 400
    invoice = call("POST", "/objects", {"objectKey": "invoice", "json": {
        "lineItems": [{"id": line["id"]} for line in lines]}}).parsed()
    shown = call("GET", f"/objects/{invoice['id']}").parsed()
    assert shown["status"] == "created" and shown["subTotal"] == 85  # read-only: the sum of its lines
    edited = control("PATCH", f"/invoices/{invoice['id']}", {"status": "partiallyPaid", "voided": True})
    assert edited.status == 200 and edited.parsed()["voided"] is True
    assert control("PATCH", f"/invoices/{invoice['id']}", {"status": "void"}).status == 400
    manifest = control("POST", "/objects", {"objectKey": "manifest", "json": {"notes": "BNE-SYD"}})
    assert manifest.status == 201 and manifest.parsed()["fullId"] == "M-1"


# --- issue 21: strict where Rose Rocket is, and each unknown answer as a dialect ------------------------------------

DOCS = Path(__file__).resolve().parents[3] / "docs" / "rose-rocket.md"
V1_ORDER_EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "vendor" / "rose_rocket" / \
    "v1-order.response.third-party.json"


def _order_with_stop(call) -> dict:
    customer = call("POST", "/objects", {"objectKey": "customer", "json": {"name": "A"}}).parsed()
    return call("POST", "/objects", {"objectKey": "order", "json": {
        "customer": {"id": customer["id"]}, "tasks": [{"taskType": "delivery", "stops": [{"address": {
            "companyName": "Cafe"}}]}]}}).parsed()


def test_a_path_that_is_no_connected_object_is_refused_naming_it():
    _, _, call, _ = setup()
    order = _order_with_stop(call)
    refused = call("GET", f"/objects/{order['id']}", query={"paths": ["customer,tasks.stopz,colour"]})
    assert refused.status == 400 and refused.parsed()["message"] == [
        "paths: tasks.stopz is not a connected object of order", "paths: colour is not a connected object of order"]
    taken = call("GET", f"/objects/{order['id']}", query={"paths": ["serviceType,invoice,tasks.stops.address"]})
    assert taken.status == 200  # ours, as we assume (connected-paths: accepted)


def test_an_organisation_that_refuses_the_unlisted_order_paths_still_shows_a_stop_its_address():
    _, _, call, _ = setup(dialect={"connected-paths": "refused"})
    order = _order_with_stop(call)
    for path in ("serviceType", "invoice.lineItems", "tasks.stops.address"):
        refused = call("GET", f"/objects/{order['id']}", query={"paths": [f"customer,{path}"]})
        assert refused.status == 400 and refused.parsed()["message"] == [
            f"paths: {path} is not a connected object of order"]
    listed = call("GET", f"/objects/{order['id']}", query={"paths": ["customer,tasks,tasks.stops"]}).parsed()
    stop = listed["tasks"][0]["stops"][0]
    assert call("GET", f"/objects/{stop['id']}", query={"paths": ["address"]}).parsed()["address"][
        "companyName"] == "Cafe"


def test_statuses_are_spelled_as_the_dialect_says_in_answers_writes_searches_and_webhooks():
    sender = RecordingSender(status=200)
    sandbox, org, call, _ = setup(sender=sender, dialect={"status-spelling": "capitalised"})
    call("POST", "/objects", {"objectKey": "webhookDestination", "json": {
        "name": "us", "url": "https://hooks.test/x",
        "subscriptions": [{"objectKey": "webhookSubscription", "eventName": "Order Status Changed"}]}})
    order = _order_with_stop(call)
    assert order["status"] == "New"
    lowercase = call("PUT", f"/objects/{order['id']}", {"objectKey": "order", "json": {"status": "in transit"}})
    assert lowercase.status == 400 and "json.status must be one of" in lowercase.parsed()["message"][0]
    moved = call("PUT", f"/objects/{order['id']}", {"objectKey": "order", "json": {"status": "In transit"}})
    assert moved.status == 200 and moved.parsed()["status"] == "In transit"
    assert sender.sent[-1].json()["json"]["status"] == "In transit"
    assert sender.sent[-1].json()["json"]["previousStatus"] == "New"
    board = org.boards["order"]
    exact = {"boardId": board, "filters": [{"path": "status", "operator": "eq", "value": "in transit"}]}
    assert call("POST", "/objects/search", exact).parsed()["total"] == 0
    exact["filters"][0]["value"] = "In transit"
    assert call("POST", "/objects/search", exact).parsed()["total"] == 1
    sandbox.set_dialect({"status-spelling": "lowercase"}, reset=False)  # PUT /_control/dialect does this
    assert call("GET", f"/objects/{order['id']}").parsed()["status"] == "in transit"


def test_an_organisation_without_service_types_refuses_the_object_and_the_field():
    _, _, call, _ = setup(dialect={"service-type-object": "absent"})
    looked_up = call("GET", "/objects/serviceType/EXPRESS/external")
    assert looked_up.status == 400 and "objectKey must be one of" in looked_up.parsed()["message"][0]
    customer = call("POST", "/objects", {"objectKey": "customer", "json": {"name": "A"}}).parsed()
    refused = call("POST", "/objects", {"objectKey": "order", "json": {"customer": {"id": customer["id"]},
                                                                       "serviceType": {"id": customer["id"]}}})
    assert refused.status == 400 and refused.parsed()["message"] == ["json.serviceType is not a field of order"]


@pytest.mark.parametrize("answer", ["roserocket-com", "api-base-url"])
def test_auth0_takes_the_audience_the_dialect_says_and_refuses_the_other(answer):
    sandbox = RoseRocketSandbox(dialect={"token-audience": answer})
    org = sandbox.add_org(client_id="c", client_secret="s", service_user=USER)
    statuses = {}
    for audience in ("https://roserocket.com", "https://network.roserocket.com/api/v2/platformModel"):
        statuses[audience] = sandbox.handle(SandboxRequest(
            "POST", "/oauth/token", headers={"Content-Type": "application/json"}, body=json.dumps({
                "grant_type": "client_credentials", "client_id": "c", "client_secret": "s", "audience": audience,
                "org_id": org.id, "user_id": USER}).encode())).status
    assert list(statuses.values()) == ([200, 403] if answer == "roserocket-com" else [403, 200])


def test_a_failed_webhook_is_retried_three_times_thirty_seconds_apart_unless_the_dialect_says_never():
    now = [datetime(2026, 12, 1, tzinfo=UTC)]
    sender = RecordingSender(status=503)
    sandbox, org, call, _ = setup(sender=sender, now=lambda: now[0])
    call("POST", "/objects", {"objectKey": "webhookDestination", "json": {
        "name": "us", "url": "https://hooks.test/x",
        "subscriptions": [{"objectKey": "webhookSubscription", "eventName": "Order Status Changed"}]}})
    order = _order_with_stop(call)
    call("PUT", f"/objects/{order['id']}", {"objectKey": "order", "json": {"status": "delivered"}})
    assert len(sender.sent) == 1 and sandbox.send_due_retries() == 0
    for _ in range(3):
        now[0] += timedelta(seconds=30)
        assert sandbox.send_due_retries() == 1
    now[0] += timedelta(seconds=30)
    assert sandbox.send_due_retries() == 0 and len(sender.sent) == 4  # the first try and 3 retries, then no more
    assert len({d.body for d in sender.sent}) == 1  # the same event each time
    sandbox.set_dialect({"webhook-retries": "none"}, reset=False)
    call("PUT", f"/objects/{order['id']}", {"objectKey": "order", "json": {"status": "invoiced"}})
    assert sandbox.retries == [] and len(sender.sent) == 5


def test_request_bodies_are_kept_beside_the_log_with_the_secret_masked():
    sandbox, org, call, _ = setup()
    call("POST", "/objects", {"objectKey": "customer", "json": {"name": "A"}})
    [token, created] = sandbox.request_bodies()
    assert token["body"]["client_secret"] == "***" and token["body"]["org_id"] == org.id
    assert created == {"method": "POST", "path": f"{API_PREFIX}/objects", "query": "", "status": 200,
                       "body": {"objectKey": "customer", "json": {"name": "A"}}}
    assert [(m, p, s) for m, p, s in sandbox.request_log] == [(b["method"], b["path"], b["status"])
                                                             for b in sandbox.request_bodies()]
    shown = sandbox.handle(SandboxRequest("GET", "/_control/request-bodies", query={"method": ["POST"],
                                                                                   "path": ["/objects$"]}))
    assert shown.parsed() == [created]


def test_a_v1_order_loads_as_it_is_reads_back_whole_and_is_a_platform_model_order():
    sandbox = RoseRocketSandbox()
    org = sandbox.add_org(client_id="c", client_secret="s", service_user=USER)
    v1 = json.loads(V1_ORDER_EXAMPLE.read_text(encoding="utf-8"))

    def control(method, path, body=None):
        return sandbox.handle(SandboxRequest(method, f"/_control/orgs/{org.id}{path}",
                                             body=json.dumps(body).encode() if body is not None else b""))

    loaded = control("POST", "/examples", v1)
    assert loaded.status == 201 and loaded.parsed()["loadedAs"] == "v1 order"
    order = loaded.parsed()["record"]
    assert (order["id"], order["fullId"], order["status"], order["createdAt"]) == (
        v1["id"], "ATHN-TAY-4158", "in transit", "2025-01-29T15:28:42.495Z")
    pickup = next(t for t in order["tasks"] if t["taskType"] == "pickup")
    assert pickup["stops"][0]["address"]["companyName"] == v1["origin"]["org_name"]
    [commodity] = pickup["commodities"]
    assert (commodity["weightUnit"], commodity["dimensionUnit"], commodity["length"]) == ("lbs", "in", 0)
    assert control("GET", f"/examples/{v1['id']}").parsed()["original"] == v1
    assert control("POST", "/examples", v1).status == 409  # loaded already
    assert sandbox.deliveries == []  # appearing in a status is no status change


def test_the_docs_table_of_the_v1_conversion_is_the_code_s():
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### The v1 order in the sandbox"):]
    rows = re.findall(r"^\| `?(?:address |commodity )?`?([a-z_0-9]+)`? \| `([A-Za-z0-9]+)`", section, re.M)
    documented = {(theirs, ours) for theirs, ours in rows}
    in_code = {*V1_ORDER.items(), *V1_ADDRESS.items(), *V1_COMMODITY.items()}
    assert in_code <= documented, sorted(in_code - documented)
