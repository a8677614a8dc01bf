"""UnleashedPollSchedule (EventBridge Scheduler, every 5 minutes): queue one poll per live Unleashed integration;
each poll decides from its account's monthly call budget whether it is due (docs/unleashed.md "Budgets")."""

# Init runs with the garbage collector paused: what it builds lives as long as the sandbox, so collecting during
# imports frees nothing and cost 25-60 ms (integrations.core.coldstart). The last statement resumes it.
import gc

gc.disable()

# boto3 first, at the top level, as the bench's bare imports do: imported deep inside the layer's import chain,
# urllib3's regexes compile at a deep Python stack, which CPython 3.11 can make ~10× slower (20–40 ms measured).
import boto3  # noqa: F401
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.core.coldstart import end_of_init
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.core.timeutil import parse_iso
from integrations.unleashed.poller import schedule_polls

logger = Logger()
tracer = tracer_for_this_function()


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    # The schedule's input carries <aws.scheduler.scheduled-time>, so a retried invocation polls the same slot.
    scheduled = event.get("scheduledTime")
    queued = schedule_polls(parse_iso(scheduled) if scheduled else None)
    logger.info("Queued Unleashed polls", extra={"integrations": queued})
    return {"queued": queued}


end_of_init()
