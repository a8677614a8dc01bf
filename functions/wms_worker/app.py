"""WmsQueue worker: re-fetch changed WMS entities and publish status changes; run per-tenant polls."""

# Init runs with the garbage collector paused: what it builds lives as long as the sandbox, so collecting during
# imports frees nothing and cost 25-60 ms (integrations.core.coldstart). The last statement resumes it.
import gc

gc.disable()

# First, before anything loads pydantic: Powertools' batch utility builds its parser's pydantic models (~30 ms at
# cold start) only when pydantic is already imported, for a model= option core.worker never passes.
import aws_lambda_powertools.utilities.batch  # noqa: F401

# boto3 first, at the top level, as the bench's bare imports do: imported deep inside the layer's import chain,
# urllib3's regexes compile at a deep Python stack, which CPython 3.11 can make ~10× slower (20–40 ms measured).
import boto3  # noqa: F401
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.cartoncloud.notifications import ENTITY_CHANGED
from integrations.cartoncloud.poller import POLL, poll_tenant
from integrations.cartoncloud.status import handle_entity_changed
from integrations.core.coldstart import end_of_init
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.core.worker import Worker

logger = Logger()
tracer = tracer_for_this_function()
metrics = Metrics()
worker = Worker("WmsQueue", {ENTITY_CHANGED: handle_entity_changed, POLL: poll_tenant}, metrics=metrics)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return worker.handle(event, context)


end_of_init()
