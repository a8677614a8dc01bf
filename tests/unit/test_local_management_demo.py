"""The local stack's management helper answers the web console's sign-in screen, which runs on the API's origin: CORS
for that origin only (a page elsewhere gets no readable answer)."""

from __future__ import annotations

import json

import local.plugins  # noqa: F401 - first: it imports the helper's module at its end (that module needs it)
from local.management_demo import ManagementDemo
from local.sandboxes.base import SandboxRequest

CONSOLE = "http://127.0.0.1:3000"


def helper() -> ManagementDemo:
    demo = ManagementDemo()
    demo.console_origin = CONSOLE
    return demo


def test_the_consoles_origin_may_read_the_tokens_it_asks_for():
    answer = helper().handle(SandboxRequest("POST", "/tokens", headers={"Origin": CONSOLE}, body=json.dumps(
        {"role": "customer", "customerId": "c-1"}).encode()))
    assert answer.status == 200 and answer.parsed()["token"]
    assert answer.headers["Access-Control-Allow-Origin"] == CONSOLE


def test_its_preflight_allows_a_json_post():
    answer = helper().handle(SandboxRequest("OPTIONS", "/billing-runs", headers={"Origin": CONSOLE}))
    assert answer.status == 204
    assert answer.headers["Access-Control-Allow-Origin"] == CONSOLE
    assert "POST" in answer.headers["Access-Control-Allow-Methods"]
    assert answer.headers["Access-Control-Allow-Headers"] == "Content-Type"


def test_another_origin_gets_no_cors_header():
    for origin in ("http://evil.example", None):
        headers = {"Origin": origin} if origin else {}
        answer = helper().handle(SandboxRequest("GET", "/tokens", headers=headers))
        assert answer.status == 200 and "Access-Control-Allow-Origin" not in answer.headers
