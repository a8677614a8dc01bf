"""WooCommerceQueue worker: sync one order (re-fetch, map, create once), poll one store, retry a write-back."""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.core.worker import Worker
from integrations.woocommerce.poller import poll_integration
from integrations.woocommerce.services import ORDER_CHANGED, POLL, WRITE_BACK
from integrations.woocommerce.sync import handle_order_changed
from integrations.woocommerce.writeback import handle_write_back

logger = Logger()
tracer = Tracer()
metrics = Metrics()
worker = Worker("WooCommerceQueue", {ORDER_CHANGED: handle_order_changed, POLL: poll_integration,
                                     WRITE_BACK: handle_write_back}, metrics=metrics)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return worker.handle(event, context)
