"""RoseRocketPollSchedule (EventBridge Scheduler, every 5 minutes): queue one poll of Delivered orders by
``updatedAt`` per live Rose Rocket integration (the safety net for webhooks Rose Rocket never retries:
docs/rose-rocket.md)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.core.timeutil import parse_iso
from integrations.rose_rocket.poller import schedule_polls

logger = Logger()
tracer = tracer_for_this_function()


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    # The schedule's input carries <aws.scheduler.scheduled-time>, so a retried invocation polls the same minute.
    scheduled = event.get("scheduledTime")
    queued = schedule_polls(parse_iso(scheduled) if scheduled else None)
    logger.info("Queued Rose Rocket polls", extra={"integrations": queued})
    return {"queued": queued}
