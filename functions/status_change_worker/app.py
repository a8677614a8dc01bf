"""StatusChangeQueue worker: hand each WMS status change to the integrations linked to that WMS record.

Platforms register their write-back with ``integrations.cartoncloud.subscriptions.subscribe``; importing a
platform's subscriber module here is what subscribes it.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.cartoncloud.status import STATUS_CHANGED
from integrations.cartoncloud.subscriptions import handle_status_change
from integrations.core.worker import Worker
from integrations.woocommerce import writeback  # noqa: F401  (subscribes the WooCommerce write-back)

logger = Logger()
tracer = Tracer()
metrics = Metrics()
worker = Worker("StatusChangeQueue", {STATUS_CHANGED: handle_status_change}, metrics=metrics)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return worker.handle(event, context)
