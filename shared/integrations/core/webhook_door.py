"""A platform's webhook door as a declaration, turned into a Lambda handler here.

A connector declares (in its ``door.py``) what is its own: the route, the largest body it takes, how one delivery is
checked against the integration it names (a signature or the URL's token, in constant time: :mod:`.signing`), how a
checked delivery is accepted (what is recorded and queued) and the answer on success. The frame does the rest, the
same for every platform:

- a body over the limit is 413 before anything is read;
- the integration is the cached one, else re-read uncached before anything is refused
  (:func:`.doors.verified_integration`: it may have been finished or re-keyed a moment ago, and a platform that
  never retries would lose the delivery); a deleted one is 410, never 2xx, so the platform stops sending;
- a delivery that fails the check is 401 with nothing written (:class:`.errors.SignatureInvalid`), logged and counted;
- only then is the body looked at: not JSON is 415, a body the connector can't use is its :class:`.doors.BadDelivery`
  (400, or the status its subclass names), both naming the field;
- the connector's :class:`Answer`, counted under its metric.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .doors import (
    BadBody,
    BadDelivery,
    IntegrationGone,
    UnknownIntegration,
    UnsupportedMediaType,
    lowered,
    problem,
    raw_body,
    require_media_type,
    serving,
    verified_integration,
)
from .errors import SignatureInvalid
from .integration_record import Integration, IntegrationStatus
from .timeutil import utcnow

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
    from aws_lambda_powertools.utilities.typing import LambdaContext

#: What a connector's check finds besides the integration (e.g. whether the delivery was signed at all, where a
#: signature is optional).
Proof = TypeVar("Proof")
JSON = "application/json"


@dataclass(frozen=True)
class Delivery:
    """One request at the door: the id in its path, its headers (names in lower case), query and raw body."""

    integration_id: str
    headers: Mapping[str, str]
    query: Mapping[str, str]
    body: bytes
    received_at: datetime


@dataclass(frozen=True)
class Verified(Generic[Proof]):
    """A delivery's integration, once the connector's check accepted the delivery with it."""

    integration: Integration
    proof: Proof


@dataclass(frozen=True)
class Answer:
    """What the door answers a delivery it took (a JSON body), the metric it counts, and a line for the log."""

    status: int
    body: Mapping[str, Any]
    metric: str | None = None
    note: str | None = None

    @classmethod
    def queued(cls, work_item_key: str, *, metric: str, status: int = 202) -> Answer:
        """A delivery noted and queued: the work item's key, so a redelivery can be told apart from a new one."""
        return cls(status, {"accepted": True, "workItem": work_item_key}, metric)


@dataclass(frozen=True)
class Refusal:
    """The 401 a delivery that fails the check gets (nothing in it tells a stranger which part failed)."""

    title: str = "Signature verification failed"
    detail: str = ""
    errors: tuple[Mapping[str, str], ...] = ()


@dataclass(frozen=True)
class WebhookDoor(Generic[Proof]):
    """A platform's webhook door: everything about it that is the platform's own."""

    #: The platform as people write it (e.g. "Acme Shop"): log lines and metric names.
    name: str
    #: The integration type key a delivery's integration must have.
    platform: str
    #: The Powertools route, with the integration id as its one path parameter: ``/webhooks/x/<integration_id>``.
    route: str
    max_body_bytes: int
    #: Checks a delivery with the integration it names, in constant time; raises :class:`SignatureInvalid` when it
    #: doesn't match. Called with the cached integration, then again with a fresh one before a refusal.
    check: Callable[[Integration, Delivery], Proof]
    #: Accepts a checked delivery: reads the body (raising :class:`BadDelivery`), records and queues; the answer.
    accept: Callable[[Verified[Proof], Delivery], Answer]
    #: The 410's detail: what the platform's administrator should remove.
    gone: str
    refusal: Refusal = field(default_factory=Refusal)
    #: Answers what is not a delivery at all before any check (an unsigned activation ping), else None.
    before_check: Callable[[Delivery], Answer | None] | None = None

    @property
    def metric_prefix(self) -> str:
        return self.name.replace(" ", "")


def verified(platform: str, delivery: Delivery, check: Callable[[Integration, Delivery], Proof]) -> Verified[Proof]:
    """The delivery's integration once ``check`` accepts it (cached, then re-read before refusing); a deleted one
    raises :class:`IntegrationGone` (its credentials are gone with it)."""
    found: dict[str, Proof] = {}

    def checked(integration: Integration) -> None:
        if integration.status == IntegrationStatus.DELETED:
            raise IntegrationGone(f"Integration {integration.integration_id} was deleted")
        found[integration.integration_id] = check(integration, delivery)

    integration = verified_integration(delivery.integration_id, platform, checked)
    return Verified(integration, found[integration.integration_id])


def known(platform: str, delivery: Delivery) -> Integration:
    """The integration an unsigned request names, when one exists (else :class:`UnknownIntegration`)."""
    try:
        return verified(platform, delivery, lambda integration, _delivery: None).integration
    except SignatureInvalid:
        raise UnknownIntegration(f"No {platform} integration {delivery.integration_id}") from None


def respond(door: WebhookDoor[Any], delivery: Delivery, *, logger: Logger, count: Callable[[str], None]
            ) -> Response[Any]:
    """The door's answer to one delivery (see the module's docstring for the order of the checks)."""
    from aws_lambda_powertools.event_handler import Response  # loaded already: this runs in an HTTP function

    if len(delivery.body) > door.max_body_bytes:
        return problem(413, "Delivery too large", f"The body may be at most {door.max_body_bytes} bytes")
    try:
        answer = door.before_check(delivery) if door.before_check else None
        if answer is None:
            proven = verified(door.platform, delivery, door.check)
            require_media_type(delivery.headers.get("content-type"))  # after the check: strangers learn nothing
            answer = door.accept(proven, delivery)
    except (SignatureInvalid, UnknownIntegration) as exc:
        logger.warning(f"Refused {door.name} delivery", extra={"integration_id": delivery.integration_id,
                                                               "reason": str(exc)})
        count(f"{door.metric_prefix}DeliveriesRefused")
        if isinstance(exc, UnknownIntegration):
            return problem(404, "Unknown integration")
        return problem(401, door.refusal.title, door.refusal.detail, door.refusal.errors)
    except IntegrationGone:
        return problem(410, "Integration deleted", door.gone)
    except UnsupportedMediaType as exc:
        return problem(415, "Unsupported media type", f"{exc.field} {exc.reason}",
                       [{"field": exc.field, "reason": exc.reason}])
    except BadDelivery as exc:
        return problem(exc.status, exc.title, exc.detail, [{"field": exc.field, "reason": exc.reason}])
    except BadBody as exc:  # the body is not JSON (core.doors.json_body): the same 400 as any unusable delivery
        return problem(400, BadDelivery.title, f"{exc.field} {exc.reason}", [{"field": exc.field,
                                                                             "reason": exc.reason}])
    if answer.note:
        logger.info(answer.note, extra={"integration_id": delivery.integration_id})
    if answer.metric:
        count(answer.metric)
    return Response(status_code=answer.status, content_type=JSON, body=dict(answer.body))


def lambda_handler(door: WebhookDoor[Any], app: APIGatewayHttpResolver
                   ) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda handler serving ``door`` on ``app`` (the function's own resolver), logged, traced and counted as
    every function is."""
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.metrics import MetricUnit

    from .observability import tracer as tracer_for_this_function

    logger, metrics, tracer = Logger(), Metrics(), tracer_for_this_function()

    def count(metric: str) -> None:
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)

    @app.post(door.route)
    @tracer.capture_method
    def receive(integration_id: str) -> Response[Any]:
        event = app.current_event
        delivery = Delivery(integration_id, lowered(event.headers), dict(event.query_string_parameters or {}),
                            raw_body(event.body, bool(event.is_base64_encoded)), utcnow())
        return respond(door, delivery, logger=logger, count=count)

    return serving(app, logger, metrics, tracer)
