"""The connector frame: one declaration per platform, and the one list of them.

A platform is a package ``integrations/<platform>/`` whose ``connector.py`` declares ``CONNECTOR``: its key and
title, its integration type (the management steps), its work queue and worker, the handlers of its work items,
the WMS events it subscribes to, its doors, its schedules, its poller and its local sandbox. :func:`connectors`
finds every such package; nothing registers itself by being imported, and core names no platform.

Declarations are cheap to import: what they point at (handlers, the integration type, the poller) is named as
``"module:attribute"`` and loaded on first use, so the WMS event router or the management API can read every
declaration without importing every platform's client. ``tests/unit/test_connectors.py`` checks that each name
resolves and ``tests/unit/test_template.py`` that template.yaml has what each declaration says.

docs/writing-a-connector.md walks through writing one.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from .assumptions import Assumption
from .settings import settings

if TYPE_CHECKING:
    from .alerts.declaration import AlertCondition
    from .integration_types import IntegrationType
    from .poller import CursorPoller
    from .worker import Handler

#: The kind of a routed WMS event on a connector's queue is ``{key}.wms-event`` (see :mod:`.exporter`).
WMS_EVENT = "wms-event"
#: A poll of one integration (the safety net) and one page of a backfill (see :mod:`.poller`, :mod:`.backfill`).
POLL = "poll"
BACKFILL = "backfill"


def load(reference: str) -> Any:
    """The object ``"package.module:attribute"`` names."""
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


@dataclass(frozen=True)
class Door:
    """An HTTP door of the connector: the function template.yaml routes ``method path`` to."""

    function: str
    method: str
    path: str


@dataclass(frozen=True)
class Deployment:
    """What template.yaml says of the connector's worker and poll schedule beyond the names the frame derives: the
    block ``python -m local.template_blocks`` writes for it (queue, dead-letter queue, worker, poll schedule, their
    alarms, the router's and the management API's right to send to the queue, the queue's variable and outputs)."""

    #: The worker function's description.
    worker: str
    #: The poll schedule function's description, its schedule's, and its errors alarm's (a connector with a poller).
    poll_schedule: str = ""
    poll: str = ""
    poll_failing: str = ""
    #: Seconds a worker invocation may run (the queue's visibility timeout is 6 times this).
    timeout: int = 120
    #: At most this many worker Lambdas at once (the SQS event's ``MaximumConcurrency``), and why that many.
    concurrency: int = 10
    concurrency_reason: str = ""
    #: The worker's own environment variables → the template parameter each is given.
    environment: Mapping[str, str] = field(default_factory=dict)
    #: Why the worker writes the integrations table ("": it only reads it).
    writes_integrations: str = ""


@dataclass(frozen=True)
class Connector:
    #: The integration type's key, and the ``platform`` part of its records' keys (e.g. ``shop``).
    key: str
    title: str
    #: ``"module:attribute"`` of the :class:`~integrations.core.integration_types.IntegrationType` instance.
    integration_type: str
    #: template.yaml logical ids: its work queue (with a ``…DeadLetterQueue``) and the worker consuming it.
    queue: str = ""
    worker: str = ""
    #: Work item kinds (``{key}.…``) → ``"module:function"`` handlers (``(item, attempt) -> dict``).
    handlers: Mapping[str, str] = field(default_factory=dict)
    #: WMS event kinds (``OUTBOUND_ORDER.DISPATCHED`` …) routed to this connector's queue, handled by ``exporter``.
    subscribes: frozenset[str] = frozenset()
    #: ``"module:attribute"`` of the :class:`~integrations.core.exporter.Exporter` for routed WMS events.
    exporter: str | None = None
    #: ``"module:attribute"`` of its :class:`~integrations.core.poller.CursorPoller` (the safety net; backfill).
    poller: str | None = None
    doors: tuple[Door, ...] = ()
    #: template.yaml logical ids of its schedule functions (each with a ScheduleV2 event).
    schedules: tuple[str, ...] = ()
    #: ``"module:callable"`` returning the local stack's sandbox plugin (``local/plugins.py``).
    sandbox: str | None = None
    #: False while the platform can't go live yet: listed as such, never finished, not in the contract suite.
    available: bool = True
    #: ``"tenant"`` for a platform that serves the whole tenant (its integration type's ``scope``, declared here too
    #: so the WMS event router can tell without loading the type): its live integrations receive the WMS events of
    #: every customer of the tenant.
    scope: str = "customer"
    #: What the connector assumes about its vendor that no vendor page confirms (:mod:`.assumptions`): sandbox
    #: dialects, the live check and the docs' assumptions table all come from this one list.
    assumptions: tuple[Assumption, ...] = ()
    #: Its worker's and poll schedule's deployment (template.yaml's generated block for it).
    deployment: Deployment | None = None
    #: Alert conditions of its own (its webhooks gone, a budget filling), checked beside the frame's for each of its
    #: live integrations (:mod:`.alerts.conditions`; docs/alerts.md).
    alert_conditions: tuple[AlertCondition, ...] = ()

    @property
    def queue_variable(self) -> str:
        """The environment variable template.yaml's Globals give every function with this queue's URL."""
        return f"{self.key.upper()}_QUEUE_URL"

    def queue_url(self) -> str:
        return settings().queue_url(self.queue_variable)

    @property
    def reads_from_platform(self) -> bool:
        """It pulls records from its platform: it has a poller, so backfill is offered."""
        return self.poller is not None

    def kind(self, what: str) -> str:
        return f"{self.key}.{what}"

    def load_integration_type(self) -> IntegrationType:
        return load(self.integration_type)  # type: ignore[no-any-return]

    def load_poller(self) -> CursorPoller[Any] | None:
        return load(self.poller) if self.poller else None

    def handler_table(self) -> dict[str, Handler]:
        """Every kind this connector's worker takes → its handler (loaded now)."""
        table: dict[str, Handler] = {kind: load(reference) for kind, reference in self.handlers.items()}
        if self.exporter:
            table[self.kind(WMS_EVENT)] = load(self.exporter).handle
        poller = self.load_poller()
        if poller is not None:
            from .backfill import handle_backfill_page

            table[self.kind(POLL)] = poller.handle
            table[self.kind(BACKFILL)] = handle_backfill_page
        return table

    def subscribes_to(self, kinds: set[str] | frozenset[str]) -> bool:
        return bool(self.subscribes & kinds)

    @property
    def tenant_level(self) -> bool:
        return self.scope == "tenant"


def _declared(module: str) -> Connector:
    declared = importlib.import_module(module).CONNECTOR
    if not isinstance(declared, Connector):
        raise TypeError(f"{module}.CONNECTOR is not a Connector")
    return declared


def _discover() -> Iterator[Connector]:
    import integrations

    for found in pkgutil.iter_modules(integrations.__path__):
        name = f"integrations.{found.name}.connector"
        if found.ispkg and importlib.util.find_spec(name) is not None:
            yield _declared(name)


def declaration(key: str) -> Connector:
    """Connector ``key``'s declaration, importing its package's ``connector.py`` alone (a function's cold start
    needs no other platform's)."""
    declared = _declared(f"integrations.{key}.connector")
    if declared.key != key:
        raise TypeError(f"integrations.{key}.connector declares {declared.key!r}, not {key!r}")
    return declared


@cache
def shipped() -> dict[str, Connector]:
    """The connectors this deployment ships (what template.yaml must provide for), by key."""
    return {connector.key: connector for connector in sorted(_discover(), key=lambda c: c.key)}


_extra: list[Connector] = []


def connectors() -> dict[str, Connector]:
    """Every connector this deployment ships (plus any a test installed), by key."""
    return {**shipped(), **{connector.key: connector for connector in _extra}}


def get(key: str) -> Connector | None:
    return connectors().get(key)


def for_kind(kind: str) -> Connector | None:
    """The connector whose queue takes work items of ``kind``."""
    return get(kind.split(".", 1)[0])


@contextmanager
def installed(connector: Connector) -> Iterator[Connector]:
    """Offer one more connector while the block runs (tests of the frame with a platform of their own)."""
    _extra.append(connector)
    try:
        yield connector
    finally:
        _extra.remove(connector)

