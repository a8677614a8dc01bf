"""The Rose Rocket sandbox keeps Rose Rocket's promises as docs/rose-rocket.md states them: tokens for a service
account, NestJS errors, connected objects written inline and expanded only by ``paths``, upsert by externalId,
board searches, "Order Status Changed" webhooks (unsigned, sometimes twice, never retried), a rate limit."""

from __future__ import annotations

import json

from local.sandboxes.base import RecordingSender, SandboxRequest
from local.sandboxes.rose_rocket import API_PREFIX, RoseRocketSandbox

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


def test_status_changes_send_unsigned_webhooks_sometimes_twice_never_retried():
    sender = RecordingSender(status=500)
    sandbox, org, call, _ = setup(sender=sender)
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
