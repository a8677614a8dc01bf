"""BillingSchedule (EventBridge Scheduler, Monday 00:05 UTC): queue the week's billing, one item per tenant.

The schedule's input carries ``<aws.scheduler.scheduled-time>``: the run bills the ISO week that ended just before
it, and a retried invocation reuses the same run id, so its work items are absorbed by idempotency. Invoked by hand
with ``{"week": "2026-W40"}`` it bills that past week for every tenant (charges already written stay as they are).
"""

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
from integrations.core.timeutil import parse_iso, utcnow
from integrations.core.weeks import IsoWeek, week_just_ended
from integrations.management.billing import new_run_id, schedule_run

logger = Logger()
tracer = tracer_for_this_function()


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    scheduled = event.get("scheduledTime")
    if event.get("week"):
        week, run_id = IsoWeek.parse(event["week"]), event.get("runId") or new_run_id("manual")
    else:
        moment = parse_iso(scheduled) if scheduled else utcnow()
        week, run_id = week_just_ended(moment), f"scheduled:{scheduled or moment.isoformat()}"
    queued = schedule_run(week, run_id=run_id)
    logger.info("Queued weekly billing", extra={"week": str(week), "run_id": run_id, "tenants": queued})
    return {"week": str(week), "runId": run_id, "queued": queued}


end_of_init()
