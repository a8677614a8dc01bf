"""What each child process of the local stack does (:mod:`local.processes` runs one role per process).

- ``moto``: moto's server, its SQS standard queues delivering fairly across message groups (:mod:`local.fair_queues`);
  it also answers ``sent_mails`` (the mails its SES sent, :mod:`local.mails`);
- ``sandboxes``: every platform sandbox of :mod:`local.plugins` on its own port; seeded on a second command, once the
  API answers (seeds create demo integrations through it);
- ``api``: the API Gateway stand-in and, behind it, warm instances of every function with an HTTP route (the doors
  and the management API); ``/_local/`` operator calls are forwarded to the parent, which owns the queues' consumers
  and the scheduler.

``start`` carries the whole environment the role must see (the parent's, once it points at moto and holds the
resources' names), applied before any function or store is loaded.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from typing import Any

from .apigw import Answer, ApiGateway, ApiServer, Request, routes_of
from .functions import FunctionPool
from .resources import FunctionSpec, HttpRoute, QueueTrigger, Schedule

log = logging.getLogger(__name__)


class PortInUse(OSError):
    """A fixed port is taken (another ``make run``?): pick others with the flags or ``--free-ports``."""


def apply_environment(environment: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(environment)
    from integrations.core import context

    context.reset()


class Role:
    def handle(self, command: str, arguments: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, f"do_{command}", None)
        if handler is None:
            raise ValueError(f"unknown command {command!r}")
        return handler(**arguments)  # type: ignore[no-any-return]

    def stop(self) -> None:
        pass


class MotoRole(Role):
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        from . import fair_queues, mails, moto_at_scale

        fair_queues.install()
        moto_at_scale.install()
        mails.install()
        self._server_class = ThreadedMotoServer
        self._server: Any = None

    def do_start(self, host: str, port: int) -> dict[str, Any]:
        check_port_free(host, port, "--moto-port")
        self._server = self._server_class(ip_address=host, port=port, verbose=False)
        self._server.start()
        bound_host, bound_port = self._server.get_host_and_port()
        return {"url": f"http://{bound_host}:{bound_port}"}

    def do_sent_mails(self) -> dict[str, Any]:
        """The mails moto's SES sent, rendered, newest first (``GET /_local/mails``): moto keeps them in this
        process and its server lists them nowhere."""
        from .mails import sent_mails

        return {"mails": sent_mails()}

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()


class SandboxesRole(Role):
    def __init__(self) -> None:
        from .plugins import PLUGINS

        self.plugins = {plugin.name: plugin for plugin in PLUGINS}
        self.running: dict[str, tuple[Any, Any, str]] = {}  # name -> (sandbox, server, url)

    def do_start(self, host: str, ports: dict[str, int], environment: dict[str, str]) -> dict[str, Any]:
        from .sandboxes.transports import serve

        apply_environment(environment)
        for name, port in ports.items():
            plugin = self.plugins[name]
            sandbox = plugin.factory(_logging_sender(name))
            try:
                server, _, url = serve(sandbox, host, port)
            except OSError as exc:
                raise PortInUse(f"{name} sandbox: port {port} is taken ({exc.strerror}); "
                                f"use --sandbox-port {name}=PORT or --free-ports") from exc
            self.running[name] = (sandbox, server, url)
        return {"urls": {name: url for name, (_, _, url) in self.running.items()},
                "environment": {key: value for name, (_, _, url) in self.running.items()
                                for key, value in self.plugins[name].environment(url).items()}}

    def do_seed(self, api_url: str, environment: dict[str, str]) -> dict[str, Any]:
        from .plugins import SeedContext

        apply_environment(environment)
        started: dict[str, str] = {}
        seeds: dict[str, Any] = {}
        for name, (sandbox, _, url) in self.running.items():
            result = self.plugins[name].seed(SeedContext(api_url, sandbox, url, dict(started)))
            seeds[name] = {"facts": result.facts, "examples": result.examples}
            started[name] = url
        return {"seeds": seeds}

    def stop(self) -> None:
        for _, server, _ in self.running.values():
            server.shutdown()
            server.server_close()


class ApiRole(Role):
    def __init__(self) -> None:
        # What every function imports, loaded while the parent still starts moto.
        import aws_lambda_powertools.event_handler  # noqa: F401
        import boto3  # noqa: F401
        import pydantic  # noqa: F401

        self.pools: dict[str, FunctionPool] = {}
        self._api: ApiServer | None = None
        self._ops_url = ""

    def do_start(self, host: str, port: int, functions: list[dict[str, Any]], ops_url: str, max_instances: int,
                 environment: dict[str, str]) -> dict[str, Any]:
        apply_environment(environment)
        specs = [spec_from_json(spec) for spec in functions]
        self.pools = {spec.logical_id: FunctionPool(spec, max_instances=max_instances) for spec in specs}
        self._ops_url = ops_url
        gateway = ApiGateway(routes_of(specs), lambda name, event: self.pools[name].invoke(event), self._ops)
        try:
            self._api = ApiServer(gateway, host, port).start()
        except OSError as exc:
            raise PortInUse(f"API: port {port} is taken ({exc.strerror}); use --api-port or --free-ports") from exc
        # What the PublicApiBaseUrl parameter is for a deployment: webhook URLs are built on it, never on a request's
        # Host. Here the stand-in's own address (functions read it at call time; the parent sets it for workers).
        if not environment.get("PUBLIC_API_BASE_URL"):
            os.environ["PUBLIC_API_BASE_URL"] = self._api.url
        return {"url": self._api.url}

    def _ops(self, request: Request) -> Answer:
        """Operator calls belong to the parent; health adds what this process's functions did."""
        answer = forward(self._ops_url, request)
        if request.method == "GET" and request.path.rstrip("/") == "/_local/health" and answer.status == 200:
            health = json.loads(answer.body)
            for name, pool in self.pools.items():
                health.setdefault("functions", {})[name] = {"invocations": pool.invocations, "errors": pool.errors}
            answer = Answer.json(200, health)
        return answer

    def stop(self) -> None:
        if self._api is not None:
            self._api.stop()


ROLES: dict[str, type[Role]] = {"moto": MotoRole, "sandboxes": SandboxesRole, "api": ApiRole}


def forward(base_url: str, request: Request, timeout: float = 300) -> Answer:
    """``request`` replayed against ``base_url`` (same method, path, query, body and content type)."""
    url = base_url + request.path + (f"?{request.query}" if request.query else "")
    headers = {"Content-Type": request.headers["content-type"]} if "content-type" in request.headers else {}
    outgoing = urllib.request.Request(url, data=request.body or None, headers=headers, method=request.method)
    try:
        with urllib.request.urlopen(outgoing, timeout=timeout) as response:
            return Answer(response.status, list(response.headers.items()), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, list(exc.headers.items()), exc.read())
    except OSError as exc:
        return Answer.json(503, {"message": f"the stack's operator endpoints did not answer: {exc}"})


def spec_to_json(spec: FunctionSpec) -> dict[str, Any]:
    return {"logicalId": spec.logical_id, "codeUri": spec.code_uri, "handler": spec.handler,
            "timeout": spec.timeout, "environment": spec.environment,
            "routes": [[route.method, route.path] for route in spec.routes],
            "queues": [[q.queue, q.batch_size, q.report_batch_item_failures] for q in spec.queues],
            "schedules": [[s.name, s.expression, s.input] for s in spec.schedules]}


def spec_from_json(value: dict[str, Any]) -> FunctionSpec:
    return FunctionSpec(value["logicalId"], value["codeUri"], value["handler"], value["timeout"],
                        value["environment"], [HttpRoute(*route) for route in value["routes"]],
                        [QueueTrigger(*q) for q in value["queues"]], [Schedule(*s) for s in value["schedules"]])


def _logging_sender(platform: str) -> Any:
    from .sandboxes.base import urllib_sender

    def send(url: str, headers: dict[str, str], body: bytes) -> int:
        status = urllib_sender(url, headers, body)
        log.info("%s webhook → %s: %d", platform, url, status)
        return status

    return send


def check_port_free(host: str, port: int, flag: str) -> None:
    """moto's server thread would hang on a taken port instead of failing: check first."""
    import socket

    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUse(f"port {port} is taken ({exc.strerror}); use {flag} or --free-ports") from exc
