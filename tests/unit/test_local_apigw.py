"""The API Gateway stand-in's routing, events and responses, without sockets (ApiGateway.handle)."""

from __future__ import annotations

import base64
import json

import pytest

from local.apigw import Answer, ApiGateway, ApiRoute, Request, lambda_answer, match_route

ROUTES = [
    ApiRoute("POST", "/wms/{tenantId}/notifications", "Notifications"),
    ApiRoute("GET", "/tenants/{tenantId}/settings", "Management"),
    ApiRoute("GET", "/tenants/special/settings", "Special"),
    ApiRoute("ANY", "/files/{proxy+}", "Files"),
    ApiRoute("GET", "/files/{proxy+}", "FilesGet"),
]


@pytest.mark.parametrize(("method", "path", "function", "params"), [
    ("POST", "/wms/t-1/notifications", "Notifications", {"tenantId": "t-1"}),
    ("GET", "/tenants/t-1/settings", "Management", {"tenantId": "t-1"}),
    ("GET", "/tenants/special/settings", "Special", {}),  # a literal segment beats a parameter
    ("GET", "/files/a/b/c.pdf", "FilesGet", {"proxy": "a/b/c.pdf"}),  # a named method beats ANY
    ("DELETE", "/files/a", "Files", {"proxy": "a"}),
    ("POST", "/wms/acme%20au/notifications", "Notifications", {"tenantId": "acme au"}),  # decoded, as API GW does
])
def test_the_most_specific_route_wins_and_path_parameters_are_decoded(method, path, function, params):
    route, found = match_route(ROUTES, method, path)
    assert (route.function, found) == (function, params)


@pytest.mark.parametrize(("method", "path"), [("GET", "/wms/t-1/notifications"), ("POST", "/nowhere"),
                                              ("POST", "/wms//notifications"), ("GET", "/files")])
def test_no_route_is_none(method, path):
    assert match_route(ROUTES, method, path) is None


class Recorder:
    def __init__(self, result=None, error: Exception | None = None) -> None:
        self.result = result if result is not None else {"statusCode": 202, "body": "{}"}
        self.error = error
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, function: str, event: dict):
        self.calls.append((function, event))
        if self.error:
            raise self.error
        return self.result


def test_a_request_becomes_a_payload_v2_event_for_the_routed_function():
    invoke = Recorder()
    gateway = ApiGateway(ROUTES, invoke)
    body = b'{"id": "n-1"}'

    answer = gateway.handle(Request("POST", "/wms/t-1/notifications", "a=1&a=2&b=",
                                    {"content-type": "application/json", "x-notification-timestamp": "1",
                                     "cookie": "c1=v1; c2=v2"}, body))

    assert answer.status == 202
    function, event = invoke.calls[0]
    assert function == "Notifications"
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /wms/{tenantId}/notifications"
    assert event["rawPath"] == "/wms/t-1/notifications"
    assert event["requestContext"]["stage"] == "$default"
    assert event["pathParameters"] == {"tenantId": "t-1"}
    assert event["rawQueryString"] == "a=1&a=2&b="
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["headers"]["x-notification-timestamp"] == "1"
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert (event["body"], event["isBase64Encoded"]) == (body.decode(), False)


def test_a_binary_body_is_sent_base64_encoded():
    invoke = Recorder()
    raw = bytes(range(256))
    ApiGateway(ROUTES, invoke).handle(Request("POST", "/files/x.bin", headers={"content-type": "image/png"}, body=raw))
    event = invoke.calls[0][1]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == raw


def test_unknown_routes_are_api_gateways_404_and_a_crash_is_its_500():
    assert ApiGateway(ROUTES, Recorder()).handle(Request("GET", "/nowhere")).body == b'{\n "message": "Not Found"\n}'
    crashed = ApiGateway(ROUTES, Recorder(error=RuntimeError("bug"))).handle(Request("GET", "/files/a"))
    assert crashed.status == 500
    assert json.loads(crashed.body) == {"message": "Internal Server Error"}


def test_operator_paths_go_to_ops_not_to_routes():
    invoke, seen = Recorder(), []
    gateway = ApiGateway([ApiRoute("ANY", "/{proxy+}", "CatchAll")], invoke,
                         ops=lambda request: seen.append(request.path) or Answer.json(200, {}))
    assert gateway.handle(Request("GET", "/_local/health")).status == 200
    assert gateway.handle(Request("GET", "/_local")).status == 200
    assert seen == ["/_local/health", "/_local"]
    assert invoke.calls == []


def test_a_handler_result_becomes_the_http_response():
    answer = lambda_answer({"statusCode": 201, "headers": {"Content-Type": "application/json"},
                            "multiValueHeaders": {"X-Multi": ["a", "b"]}, "cookies": ["s=1; HttpOnly"],
                            "body": '{"ok": true}'})
    assert answer.status == 201
    assert answer.headers == [("Content-Type", "application/json"), ("X-Multi", "a"), ("X-Multi", "b"),
                              ("Set-Cookie", "s=1; HttpOnly")]
    assert answer.body == b'{"ok": true}'


def test_a_base64_result_is_decoded_and_a_bare_value_is_a_200_json_body():
    png = b"\x89PNG\r\n"
    decoded = lambda_answer({"statusCode": 200, "body": base64.b64encode(png).decode(), "isBase64Encoded": True})
    assert decoded.body == png
    bare = lambda_answer({"queued": 3})
    assert (bare.status, bare.headers, json.loads(bare.body)) == (200, [("Content-Type", "application/json")],
                                                                  {"queued": 3})
