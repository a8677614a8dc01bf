"""What the fuzz tests need around schemathesis: a ``requests`` adapter that hands each request to our Lambda
handlers as API Gateway would (routes from template.yaml, path parameters decoded, payload v2), and a snapshot of
everything a request could change (every table's items, every queue's depth) to prove a refused request changed
nothing."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3 import HTTPHeaderDict, HTTPResponse

from local.lambda_runtime import http_event, invoke, route_template_matches
from tests.functional.conftest import Service, function_environment

BASE_URL = "http://api.fuzz.test"


class ServiceAdapter(BaseAdapter):
    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url or "")
        body = request.body or b""
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        status, headers, text = self._route(request.method or "GET", url.path, dict(request.headers), raw, url.query)
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response._content = text.encode("utf-8")
        # What urllib3 would hand requests (schemathesis reads the headers from it).
        response.raw = HTTPResponse(body=io.BytesIO(response._content), headers=HTTPHeaderDict(headers), status=status,
                                    version=11, preload_content=False)
        response.request = request
        response.url = request.url or ""
        response.encoding = "utf-8"
        return response

    def _route(self, method: str, path: str, headers: dict[str, str], body: bytes, query: str
               ) -> tuple[int, dict[str, str], str]:
        for name, spec in self.service.stack.functions.items():
            for route in spec.routes:
                params = route_template_matches(route.path, path)
                if route.method == method.upper() and params is not None:
                    decoded = {key: unquote(value) for key, value in params.items()}
                    event = http_event(method, path, route=route.path, path_parameters=decoded, headers=headers,
                                       body=body, query=query)
                    with function_environment(spec):
                        result = invoke(self.service.handlers[name], event, spec)
                    return result["statusCode"], result.get("headers") or {}, result.get("body") or ""
        # What API Gateway answers for a path no route takes (never one of ours).
        return 404, {"Content-Type": "application/json"}, json.dumps({"message": "Not Found"})

    def close(self) -> None:
        pass


def session_for(service: Service) -> requests.Session:
    session = requests.Session()
    session.mount(BASE_URL, ServiceAdapter(service))
    return session


#: Not state a request changes: the count of calls made to each upstream API in its current window. A refusal that
#: could only be known from the platform (Rose Rocket's order can't be rated yet: it has no service type) made the
#: read that found it out, and that read is counted, as every call is.
NOT_STATE = frozenset({"RateBudgetTable"})


def state_of(service: Service) -> dict[str, Any]:
    """Every table's items (but :data:`NOT_STATE`'s) and every queue's depth, read from moto's in-process backends:
    what a Scan and GetQueueAttributes answer, without two dozen serialised AWS calls. Through boto3 a snapshot took
    about 90 ms, taken once or twice per request: most of the fuzzing's time (issue 20)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.sqs.models import sqs_backends

    # https://sqs.<region>.amazonaws.com/<account>/<name>: where moto keeps the stack's resources.
    _, _, host, account, _ = next(iter(service.stack.queues.values())).split("/", 4)
    region = host.split(".")[1]
    tables_backend, queues_backend = dynamodb_backends[account][region], sqs_backends[account][region]
    tables = {name: sorted(json.dumps(item.to_json()["Attributes"], sort_keys=True)
                           for item in tables_backend.get_table(table).all_items())
              for name, table in service.stack.tables.items() if name not in NOT_STATE}
    queues = {name: queue.approximate_number_of_messages + queue.approximate_number_of_messages_not_visible
              for name, url in service.stack.queues.items()
              for queue in [queues_backend.get_queue(url.rsplit("/", 1)[1])]}
    return {"tables": tables, "queues": queues}


def state_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What differs between two states, briefly: the items added or removed per table, queue depths."""
    changes = []
    for name, items in after["tables"].items():
        added, removed = set(items) - set(before["tables"][name]), set(before["tables"][name]) - set(items)
        changes += [f"{name} + {item[:400]}" for item in sorted(added)]
        changes += [f"{name} - {item[:400]}" for item in sorted(removed)]
    changes += [f"{name}: depth {before['queues'][name]} → {depth}" for name, depth in after["queues"].items()
                if depth != before["queues"][name]]
    return "\n".join(changes)
