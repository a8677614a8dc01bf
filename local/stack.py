"""The whole service on one machine: ``python -m local.stack`` (``make run``).

Four processes (:mod:`local.processes` says why), started in this order so nothing talks to AWS before it points at
moto:

1. moto's server for every AWS service we use, its standard queues fair across message groups as SQS's are
   (:mod:`local.fair_queues`); this process's AWS settings then point at it (``AWS_ENDPOINT_URL``, fake credentials,
   ap-southeast-2);
2. here: the tables, queues (with their redrive policies), KMS key and schedules of template.yaml
   (:func:`local.resources.create_stack`), and the Globals environment every function gets;
3. each platform sandbox of :mod:`local.plugins` on its own port (a process for all of them);
4. the API Gateway stand-in (:mod:`local.apigw`) with every function behind an HTTP route, warm (a process);
   ``/_local/`` operator calls come back here;
5. the sandboxes' demo data, seeded through the API;
6. here: a queue consumer per SQS trigger (:mod:`local.pumps`), the scheduler (:mod:`local.scheduler`) and the
   operator endpoints.

SIGINT/SIGTERM stop everything in reverse order and exit 0; the children run in process groups of their own and
stop when this process closes their stdin, so nothing outlives it. Tests run the same :class:`LocalStack` on free
ports (tests/e2e/conftest.py); it restores the environment it changed when stopped.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import boto3

from . import demo
from .apigw import Answer, ApiGateway, ApiServer, Request
from .functions import FunctionPool
from .lambda_runtime import QueuePump
from .plugins import PLUGINS
from .processes import ChildFailed, ChildProcess
from .pumps import QueueConsumer
from .resources import ROOT, Stack, create_stack, dead_letter_queue_of, queue_max_receive_count
from .roles import PortInUse, spec_to_json
from .scheduler import LocalScheduler, UnknownSchedule

log = logging.getLogger("local.stack")

REGION = "ap-southeast-2"
LAYER = ROOT / "shared"
ACCOUNT = "123456789012"
#: What the process needs to talk to moto and nothing else; ``None`` removes the variable.
AWS_ENVIRONMENT: dict[str, str | None] = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_PROFILE": None,
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": None,
}
#: The alert mails' sender (template.yaml ``AlertMailSender``): verified in moto's SES when the stack is built.
ALERT_MAIL_SENDER = "alerts@integrations.localhost"
#: What ``GET /_local/`` lists (and an unknown operator path answers with).
OPERATOR_ENDPOINTS = [
    "GET /_local/health", "GET /_local/demo", "GET /_local/queues", "POST /_local/queues/{queue}/replay?max=N",
    "GET /_local/schedules", "POST /_local/schedules/{name}", "GET /_local/sync-log?key=…|after=…",
    "GET /_local/sync-log/{tenantId}/{entityType}/{entityId}", "GET /_local/mails[?format=html]"]
#: Powertools settings for running outside Lambda; the caller's own values win.
POWERTOOLS_DEFAULTS = {"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true"}

__all__ = ["LocalStack", "PortInUse", "RunningSandbox", "StackConfig", "banner", "main"]


@dataclass
class StackConfig:
    host: str = "127.0.0.1"
    api_port: int = 3000
    moto_port: int = 5000
    #: plugin name -> port; missing: the plugin's default.
    sandbox_ports: dict[str, int] = field(default_factory=dict)
    #: Every server on a free port (tests, or a second stack beside ``make run``).
    free_ports: bool = False
    #: Failed queue items come back after this many seconds instead of the worker's backoff (None: the backoff).
    fast_retry: int | None = None
    #: Fire schedules on their timers; when False they run only on demand (``POST /_local/schedules/{name}``).
    run_schedules: bool = True
    #: Concurrent warm instances per function (Lambda's concurrency, bounded).
    max_instances: int = 4
    #: The sandboxes to serve, by plug-in name (default: every one of local.plugins).
    plugins: list[str] = field(default_factory=lambda: [plugin.name for plugin in PLUGINS])
    #: Where the child processes' logs go (default: this process's stdout and stderr).
    log_file: Path | None = None
    #: ``python -m local.stack --verbose``: the banner lists every route, queue, schedule and the demo data.
    verbose: bool = False

    def port(self, fixed: int) -> int:
        return 0 if self.free_ports else fixed


@dataclass
class RunningSandbox:
    name: str
    url: str
    #: The demo data its seed made (``GET /_local/demo``), and "try this" lines.
    facts: dict[str, Any] | None = None
    examples: list[str] = field(default_factory=list)


class LocalStack:
    """Start with :meth:`start` (or ``with LocalStack(...) as stack``); every URL is known once it returns."""

    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig()
        self.moto_url = ""
        self.api_url = ""
        self.resources: Stack | None = None
        self.functions: dict[str, FunctionPool] = {}
        self.sandboxes: dict[str, RunningSandbox] = {}
        self.consumers: list[QueueConsumer] = []
        self.scheduler: LocalScheduler | None = None
        self.children: dict[str, ChildProcess] = {}
        self.started_in = 0.0
        self._ops_server: ApiServer | None = None
        self._log: IO[Any] | None = None
        self._saved_environment: dict[str, str] | None = None
        self._started_at = time.monotonic()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- start / stop ------------------------------------------------------------------------------------------------

    def start(self) -> LocalStack:
        self._started_at = time.monotonic()
        if str(LAYER) not in sys.path:  # what the IntegrationsLayer does for a deployed function
            sys.path.insert(0, str(LAYER))
        self._saved_environment = dict(os.environ)
        try:
            self._spawn_children()
            self._start_moto()
            self._create_resources()
            self._start_sandboxes()
            self._ops_server = ApiServer(ApiGateway([], self.invoke, self._ops), self.config.host, 0).start()
            self._start_api()
            self._seed_sandboxes()
            self._start_workers()
            self._start_scheduler()
        except ChildFailed as exc:
            self.stop()
            if exc.kind == "PortInUse":
                raise PortInUse(str(exc)) from None
            raise
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - self._started_at
        return self

    def stop(self) -> None:
        """Stop every thread, server and child process, then restore the environment. Safe to call twice."""
        if self.scheduler is not None:
            self.scheduler.stop()
        for consumer in self.consumers:
            consumer.request_stop()
        for consumer in self.consumers:
            consumer.join()
        self.consumers = []
        for role in ("api", "sandboxes", "moto"):  # moto last: the others may still be finishing a call
            child = self.children.pop(role, None)
            if child is not None:
                child.stop()
        self.sandboxes = {}
        if self._ops_server is not None:
            self._ops_server.stop()
            self._ops_server = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._saved_environment is not None:
            _restore_environment(self._saved_environment)
            self._saved_environment = None
            _reset_layer()

    @property
    def _stack(self) -> Stack:
        assert self.resources is not None, "start() first"
        return self.resources

    def _spawn_children(self) -> None:
        """All three at once: each imports what it needs while moto starts."""
        output: IO[Any] | None = None
        if self.config.log_file is not None:
            output = self._log = self.config.log_file.open("a", encoding="utf-8")
        for role in ("moto", "sandboxes", "api"):
            self.children[role] = ChildProcess(role, output=output)

    def _start_moto(self) -> None:
        started = self.children["moto"].call("start", host=self.config.host,
                                             port=self.config.port(self.config.moto_port))
        self.moto_url = started["url"]
        for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL_")]:
            del os.environ[name]
        for name, value in AWS_ENVIRONMENT.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        os.environ["AWS_ENDPOINT_URL"] = self.moto_url
        for name, value in POWERTOOLS_DEFAULTS.items():
            os.environ.setdefault(name, value)
        _reset_layer()

    def _create_resources(self) -> None:
        self.resources = create_stack(session=boto3.session.Session(),
                                      parameters={"AlertMailSender": ALERT_MAIL_SENDER})
        os.environ.update(self.resources.environment)
        _reset_layer()
        scheduler = boto3.client("scheduler")
        for spec in self._stack.functions.values():
            for schedule in spec.schedules:
                scheduler.create_schedule(
                    Name=schedule.name, ScheduleExpression=schedule.expression, State="ENABLED",
                    FlexibleTimeWindow={"Mode": "OFF"},
                    Target={"Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{spec.logical_id}",
                            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/local-scheduler",
                            "Input": schedule.input or "{}"})

    def _start_sandboxes(self) -> None:
        defaults = {plugin.name: plugin.default_port for plugin in PLUGINS}
        ports = {name: self.config.port(self.config.sandbox_ports.get(name, defaults[name]))
                 for name in self.config.plugins}
        started = self.children["sandboxes"].call("start", host=self.config.host, ports=ports,
                                                  environment=dict(os.environ))
        self.sandboxes = {name: RunningSandbox(name, url) for name, url in started["urls"].items()}
        os.environ.update(started["environment"])  # what the functions need to reach the sandboxes
        _reset_layer()

    def _start_api(self) -> None:
        assert self._ops_server is not None
        doors = [spec_to_json(spec) for spec in self._stack.functions.values() if spec.routes]
        started = self.children["api"].call(
            "start", host=self.config.host, port=self.config.port(self.config.api_port), functions=doors,
            ops_url=self._ops_server.url, max_instances=self.config.max_instances, environment=dict(os.environ))
        self.api_url = started["url"]
        if not os.environ.get("PUBLIC_API_BASE_URL"):  # as the API process did for its functions
            os.environ["PUBLIC_API_BASE_URL"] = self.api_url

    def _seed_sandboxes(self) -> None:
        seeded = self.children["sandboxes"].call("seed", api_url=self.api_url, environment=dict(os.environ))
        for name, seed in seeded["seeds"].items():
            self.sandboxes[name].facts = seed["facts"]
            self.sandboxes[name].examples = seed["examples"]

    def _start_workers(self) -> None:
        """Warm instances of every function a queue or a schedule triggers, and a consumer per queue trigger."""
        if self.config.fast_retry is not None:  # the workers' own retry delay, so their sync log says it truly
            os.environ["RETRY_DELAY_SECONDS"] = str(self.config.fast_retry)
            _reset_layer()
        self.functions = {name: FunctionPool(spec, max_instances=self.config.max_instances)
                          for name, spec in self._stack.functions.items() if spec.queues or spec.schedules}
        for name, spec in self._stack.functions.items():
            for trigger in spec.queues:
                sqs = boto3.session.Session().client("sqs")
                pump = QueuePump(sqs, self._stack.queues[trigger.queue], self._stack.queue_arns[trigger.queue],
                                 self.functions[name].handler, spec, batch_size=trigger.batch_size)
                self.consumers.append(QueueConsumer(trigger.queue, name, pump).start())

    def _start_scheduler(self) -> None:
        schedules = [(schedule, name) for name, spec in self._stack.functions.items() for schedule in spec.schedules]
        for name in self._stack.functions:
            for event in self._stack.template["Resources"][name]["Properties"].get("Events", {}).values():
                zone = event.get("Properties", {}).get("ScheduleExpressionTimezone", "UTC")
                if event["Type"] == "ScheduleV2" and zone not in ("UTC", "Etc/UTC"):
                    log.warning("%s: ScheduleExpressionTimezone %s is evaluated as UTC locally", name, zone)
        self.scheduler = LocalScheduler(schedules, self.invoke)
        if self.config.run_schedules:
            self.scheduler.start()

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Invoke a queue- or schedule-triggered function as Lambda would (a warm instance, a fresh context)."""
        return self.functions[function].invoke(event)

    # --- operator endpoints (/_local/…) ------------------------------------------------------------------------------

    def _ops(self, request: Request) -> Answer:
        parts = [part for part in request.path[len("/_local/"):].split("/") if part]
        try:
            match (request.method, parts):
                case ("GET", []):
                    return Answer.json(200, {"endpoints": OPERATOR_ENDPOINTS,
                                             "sandboxes": {name: f"{running.url}/_control/"
                                                           for name, running in self.sandboxes.items()}})
                case ("GET", ["health"]):
                    return Answer.json(200, self.health())
                case ("GET", ["demo"]):
                    return Answer.json(200, {name: running.facts for name, running in self.sandboxes.items()})
                case ("GET", ["queues"]):
                    return Answer.json(200, self.queue_depths())
                case ("POST", ["queues", queue, "replay"]):
                    return self._replay(queue, request.param("max"))
                case ("GET", ["schedules"]):
                    assert self.scheduler is not None
                    return Answer.json(200, [target.to_json() for target in self.scheduler.targets])
                case ("POST", ["schedules", name]):
                    return self._fire(name)
                case ("GET", ["sync-log"]):
                    key = request.param("key")
                    if key:
                        return Answer.json(200, self.sync_log(key))
                    return Answer.json(200, self.recent_sync_log(request.param("after"),
                                                                 int(request.param("limit") or 100)))
                case ("GET", ["mails"]):
                    return self._mails(request.param("format") or "json")
                case ("GET", ["sync-log", tenant_id, entity_type, entity_id]):
                    from integrations.core.records import WmsRef

                    wms = WmsRef(tenant_id=tenant_id, entity_type=entity_type, entity_id=entity_id)
                    return Answer.json(200, self.sync_log(wms.key))
        except ValueError as exc:
            return Answer.json(400, {"message": str(exc)})
        return Answer.json(404, {"message": "Not Found", "endpoints": OPERATOR_ENDPOINTS})

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "uptimeSeconds": round(time.monotonic() - self._started_at, 1),
            "api": self.api_url,
            "moto": self.moto_url,
            "sandboxes": {name: running.url for name, running in self.sandboxes.items()},
            "processes": {role: child.pid for role, child in self.children.items()} | {"stack": os.getpid()},
            # The API process adds its own functions' counts as it passes this on.
            "functions": {name: {"invocations": pool.invocations, "errors": pool.errors}
                          for name, pool in self.functions.items()},
        }

    def queue_depths(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs")
        consumers = {consumer.queue: consumer for consumer in self.consumers}
        depths = []
        for queue, url in self._stack.queues.items():
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed"])["Attributes"]
            consumer = consumers.get(queue)
            depths.append({
                "name": queue,
                "url": url,
                "visible": int(attributes["ApproximateNumberOfMessages"]),
                "inFlight": int(attributes["ApproximateNumberOfMessagesNotVisible"]),
                "delayed": int(attributes["ApproximateNumberOfMessagesDelayed"]),
                "deadLetterQueue": dead_letter_queue_of(self._stack, queue),
                "maxReceiveCount": queue_max_receive_count(self._stack, queue),
                "consumer": consumer.function if consumer else None,
                "received": consumer.received if consumer else 0,
                "failed": consumer.failed if consumer else 0,
            })
        return depths

    def _replay(self, queue: str, limit: str | None) -> Answer:
        from integrations.core.replay import replay

        if queue not in self._stack.queues:
            return Answer.json(404, {"message": f"No queue {queue} in template.yaml"})
        dead_letters = dead_letter_queue_of(self._stack, queue)
        if dead_letters is None:
            return Answer.json(400, {"message": f"{queue} has no dead-letter queue"})
        moved = replay(self._stack.queues[dead_letters], self._stack.queues[queue],
                       limit=int(limit) if limit else None)
        log.info("replayed %d message(s) from %s to %s", moved, dead_letters, queue)
        return Answer.json(200, {"moved": moved, "from": dead_letters, "to": queue})

    def _mails(self, form: str) -> Answer:
        """The mails moto's SES sent, newest first: JSON, or (``format=html``) a page to read them in a browser."""
        from .mails import mails_page

        if form not in ("json", "html"):
            raise ValueError("format is json or html")
        mails = self.children["moto"].call("sent_mails", timeout=30)["mails"]
        if form == "html":
            return Answer(200, [("Content-Type", "text/html; charset=utf-8")], mails_page(mails).encode())
        return Answer.json(200, mails)

    def _fire(self, name: str) -> Answer:
        assert self.scheduler is not None
        try:
            target = self.scheduler.target(name)
            result = self.scheduler.fire(name)
        except UnknownSchedule:
            return Answer.json(404, {"message": f"No schedule {name}",
                                     "schedules": [t.schedule.name for t in self.scheduler.targets]})
        except Exception as exc:
            return Answer.json(500, {"message": f"{name} failed", "error": repr(exc)})
        return Answer.json(200, {"schedule": target.schedule.name, "function": target.function, "result": result})

    def sync_log(self, key: str) -> dict[str, Any]:
        from integrations.core.context import core

        link, entries = core().sync_log.history(key)
        return {"key": key, "link": link.to_json() if link is not None else None,
                "entries": [{"key": key, **entry.to_json()} for entry in entries]}

    def recent_sync_log(self, after: str | None, limit: int) -> dict[str, Any]:
        """Log entries of every record, oldest first, newer than the ``after`` cursor (a scan: local data is small)."""
        from integrations.core.stores import from_item

        paginator = boto3.client("dynamodb").get_paginator("scan")
        entries = [from_item(item) for page in paginator.paginate(TableName=self._stack.tables["SyncTable"])
                   for item in page["Items"] if item["sk"]["S"].startswith("LOG#")]
        entries = sorted((e for e in entries if not after or e["sk"] > after), key=lambda e: e["sk"])[:limit]
        return {"entries": [_entry(e["pk"], e) for e in entries],
                "cursor": entries[-1]["sk"] if entries else after}


def _entry(key: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, **{name: value for name, value in item.items() if name not in ("pk", "expiresAt")}}


def _restore_environment(saved: dict[str, str]) -> None:
    for name in [name for name in os.environ if name not in saved]:
        del os.environ[name]
    os.environ.update(saved)


def _reset_layer() -> None:
    """Forget the layer's settings, stores and AWS clients (they were built for the previous environment)."""
    from integrations.core import context

    context.reset()


# --- the banner ------------------------------------------------------------------------------------------------------


def banner(stack: LocalStack, *, verbose: bool = False) -> str:
    """What a person needs first, last, so it is on screen when the stack is ready: the API, the console, the demo
    tenant, how to stop. ``verbose`` puts every route, queue, schedule, sandbox and the demo data above it."""
    lines = _details(stack) + [""] if verbose else []
    lines.append(f"  AWS (moto server)            {stack.moto_url}  (AWS_ENDPOINT_URL to it; keys testing/testing)")
    for name, running in stack.sandboxes.items():
        lines.append(f"  {name + ' sandbox':<28} {running.url}  control: {running.url}/_control/")
    lines.append(f"  Operator endpoints           {stack.api_url}/_local/  (health, demo, queues, schedules, sync-log, "
                 "mails)")
    lines.append(f"  Mails sent (alerts)          {stack.api_url}/_local/mails?format=html  (from {ALERT_MAIL_SENDER})")
    if stack.config.fast_retry is not None:
        lines.append(f"  Fast retry                   failed queue items come back after {stack.config.fast_retry}s")
    if not stack.config.run_schedules:
        lines.append(f"  Schedules                    on demand only: POST {stack.api_url}/_local/schedules/NAME")
    lines.append(f"  Demo tenant                  {demo.TENANT_NAME} {demo.TENANT_ID}  "
                 f"(its data: curl -s {stack.api_url}/_local/demo)")
    if not verbose:
        lines.append("  Every route, queue, schedule and the demo data: --verbose (LOCAL_VERBOSE=1)")
    lines.append(f"  README walkthroughs          export API={stack.api_url}")
    lines.append(f"  API (API Gateway stand-in)   {stack.api_url}")
    console = ROOT / "functions" / "console" / "static" / "index.html"
    lines.append(f"  Web console                  {stack.api_url}/console/  "
                 + ("(sign in as the demo tenant admin or a customer user)" if console.is_file()
                    else "(not built: make console)"))
    lines.append(f"Local stack ready in {stack.started_in:.1f}s. Ctrl-C stops it.")
    return "\n".join(lines)


def _details(stack: LocalStack) -> list[str]:
    """``--verbose``: every route, queue and schedule, the processes, each sandbox's demo data and "try" lines."""
    lines = ["Routes (API Gateway stand-in):"]
    for spec in stack._stack.functions.values():
        lines += [f"  {route.method} {route.path} → {spec.logical_id}" for route in spec.routes]
    lines += ["", "Queues and schedules:"]
    for consumer in stack.consumers:
        dlq = dead_letter_queue_of(stack._stack, consumer.queue)
        lines.append(f"  queue {consumer.queue} → {consumer.function}"
                     + (f" (to {dlq} after {queue_max_receive_count(stack._stack, consumer.queue)} receives)"
                        if dlq else ""))
    if stack.scheduler is not None:
        for target in stack.scheduler.targets:
            when = (f"next {target.next_run:%H:%M:%S}Z" if stack.config.run_schedules and target.next_run
                    else "on demand only")
            lines.append(f"  schedule {target.schedule.name} {target.schedule.expression} → {target.function} "
                         f"({when}; now: curl -X POST {stack.api_url}/_local/schedules/{target.schedule.name})")
    lines.append("  processes: " + ", ".join([f"stack (consumers, scheduler, operator endpoints) {os.getpid()}"]
                                             + [f"{role} {child.pid}" for role, child in stack.children.items()]))
    for name, running in stack.sandboxes.items():
        if running.facts is None:
            continue
        lines += ["", f"Demo data ({name}):"]
        lines += [f"  {key:<20} {json.dumps(value) if not isinstance(value, str) else value}"
                  for key, value in running.facts.items()]
        if running.examples:
            lines += ["", "Try:"] + [f"  {example}" for example in running.examples]
    return lines


# --- command line ----------------------------------------------------------------------------------------------------


def _sandbox_port(text: str) -> tuple[str, int]:
    name, sep, port = text.partition("=")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected NAME=PORT, got {text!r}")
    return name, int(port)


def parse_args(argv: list[str] | None = None) -> StackConfig:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m local.stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=env("LOCAL_HOST", "127.0.0.1"))
    parser.add_argument("--api-port", type=int, default=env("LOCAL_API_PORT", "3000"))
    parser.add_argument("--moto-port", type=int, default=env("LOCAL_MOTO_PORT", "5000"))
    parser.add_argument("--sandbox-port", type=_sandbox_port, action="append", metavar="NAME=PORT",
                        default=[_sandbox_port(p) for p in env("LOCAL_SANDBOX_PORTS", "").split(",") if p],
                        help="e.g. cartoncloud=4000 (default: 4000 upwards, one per sandbox)")
    parser.add_argument("--free-ports", action="store_true", default=env("LOCAL_FREE_PORTS") == "1",
                        help="every server on a free port")
    parser.add_argument("--fast-retry", type=int, nargs="?", const=1, metavar="SECONDS",
                        default=env("LOCAL_FAST_RETRY"),
                        help="failed queue items come back after SECONDS (default 1) instead of the worker's backoff")
    parser.add_argument("--no-schedules", action="store_true", default=env("LOCAL_NO_SCHEDULES") == "1",
                        help="fire schedules only on demand (POST /_local/schedules/{name})")
    parser.add_argument("--verbose", action="store_true", default=env("LOCAL_VERBOSE") == "1",
                        help="print every route, queue, schedule and the demo data before the summary")
    args = parser.parse_args(argv)
    return StackConfig(host=args.host, api_port=args.api_port, moto_port=args.moto_port,
                       sandbox_ports=dict(args.sandbox_port), free_ports=args.free_ports,
                       fast_retry=args.fast_retry, run_schedules=not args.no_schedules, verbose=args.verbose)


def main(argv: list[str] | None = None) -> int:
    config = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
                        datefmt="%H:%M:%S")
    for noisy in ("werkzeug", "botocore"):  # moto's per-request access log; "found credentials in environment"
        logging.getLogger(noisy).setLevel(logging.WARNING)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    stack = LocalStack(config)
    try:
        stack.start()
    except PortInUse as exc:
        print(f"Cannot start: {exc}", file=sys.stderr)
        return 2
    print(banner(stack, verbose=config.verbose), flush=True)
    while not stopping.wait(0.5):
        pass
    print("Stopping…", flush=True)
    stack.stop()
    print(f"Stopped at {datetime.now(UTC):%H:%M:%S}Z.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
