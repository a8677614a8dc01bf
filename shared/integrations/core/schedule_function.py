"""The one implementation of every function an EventBridge schedule invokes: its ``app.py`` names what it queues.

A schedule's input carries ``<aws.scheduler.scheduled-time>`` (template.yaml), so a retried invocation queues the
same items as the first, which idempotency absorbs. A connector's poll schedule is chosen by its key
(:func:`connector_poll_schedule`: its declaration's poller queues one poll per live integration); the WMS's names
its ``schedule_polls`` (:func:`poll_schedule`); billing's week is its own (:func:`schedule_function`).
"""

from . import function_init  # noqa: I001 - first: pauses the collector for init (core.function_init)

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from .connectors import declaration
from .function_init import LambdaContext, LambdaHandler, end_of_init, instruments
from .timeutil import parse_iso

__all__ = ["LambdaHandler", "connector_poll_schedule", "function_init", "poll_schedule", "schedule_function"]


def schedule_function(run: Callable[[dict[str, Any], Logger], dict[str, Any]]) -> LambdaHandler:
    """The Lambda handler answering what ``run(event, logger)`` answers; the event is logged."""
    logger, tracer, _ = instruments()

    @logger.inject_lambda_context(log_event=True)
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return run(event, logger)

    end_of_init()
    return handler


def poll_schedule(schedule_polls: Callable[[datetime | None], int], *, polls: str, each: str) -> LambdaHandler:
    """Queue one poll per scope at the scheduled minute; logs ``Queued {polls}`` with how many ``{each}``."""

    def queue_polls(event: dict[str, Any], logger: Logger) -> dict[str, Any]:
        scheduled = event.get("scheduledTime")
        queued = schedule_polls(parse_iso(scheduled) if scheduled else None)
        logger.info(f"Queued {polls}", extra={each: queued})
        return {"queued": queued}

    return schedule_function(queue_polls)


def connector_poll_schedule(key: str) -> LambdaHandler:
    """Connector ``key``'s safety net: one poll per live integration, by its declaration's poller."""
    connector = declaration(key)
    poller = connector.load_poller()
    if poller is None:
        raise TypeError(f"the {key} connector declares no poller to schedule")
    return poll_schedule(poller.schedule_polls, polls=f"{connector.title} polls", each="integrations")
