"""The one implementation of every SQS-triggered function: its ``app.py`` names the queue's worker and nothing else.

A connector's worker is chosen by its key (:func:`connector_worker`: the declaration in
``integrations/<key>/connector.py``, its handlers loaded on the first item); the WMS's, the router's and billing's
name their queue and handlers (:func:`queue_worker`). Either way one Lambda per queue, as template.yaml declares it.
"""

from . import function_init  # noqa: I001 - first: pauses the collector for init (core.function_init)

# Before anything loads pydantic: Powertools' batch utility builds its parser's pydantic models (~30 ms at cold
# start) only when pydantic is already imported, for a model= option core.worker never passes.
import aws_lambda_powertools.utilities.batch  # noqa: F401
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Metrics

from .connectors import declaration
from .function_init import LambdaContext, LambdaHandler, end_of_init, instruments
from .worker import Handler, Worker

__all__ = ["LambdaHandler", "connector_worker", "function_init", "queue_worker"]


def connector_worker(key: str) -> LambdaHandler:
    """The Lambda handler of connector ``key``'s queue: every kind its declaration names."""
    connector = declaration(key)
    return _serving(lambda metrics: Worker.for_connector(connector, metrics=metrics))


def queue_worker(queue: str, handlers: dict[str, Handler]) -> LambdaHandler:
    """The Lambda handler of a queue of core's own flow (``queue`` is its template.yaml logical id)."""
    return _serving(lambda metrics: Worker(queue, handlers, metrics=metrics))


def _serving(build: Callable[[Metrics], Worker]) -> LambdaHandler:
    logger, tracer, metrics = instruments()
    worker = build(metrics)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return worker.handle(event, context)

    end_of_init()
    return handler
