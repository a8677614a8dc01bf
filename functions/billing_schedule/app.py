"""BillingSchedule (EventBridge Scheduler, Monday 00:05 UTC): queue the week's billing, one item per tenant.

The schedule's input carries ``<aws.scheduler.scheduled-time>``: the run bills the ISO week that ended just before
it, and a retried invocation reuses the same run id, so its work items are absorbed by idempotency. Invoked by hand
with ``{"week": "2026-W40"}`` it bills that past week for every tenant (charges already written stay as they are).
"""

from integrations.core.schedule_function import schedule_function  # noqa: I001 - first: its init (core.function_init)

from aws_lambda_powertools import Logger
from integrations.core.timeutil import parse_iso, utcnow
from integrations.core.weeks import IsoWeek, week_just_ended
from integrations.management.billing import new_run_id, schedule_run


def queue_the_week(event: dict, logger: Logger) -> dict:
    scheduled = event.get("scheduledTime")
    if event.get("week"):
        week, run_id = IsoWeek.parse(event["week"]), event.get("runId") or new_run_id("manual")
    else:
        moment = parse_iso(scheduled) if scheduled else utcnow()
        week, run_id = week_just_ended(moment), f"scheduled:{scheduled or moment.isoformat()}"
    queued = schedule_run(week, run_id=run_id)
    logger.info("Queued weekly billing", extra={"week": str(week), "run_id": run_id, "tenants": queued})
    return {"week": str(week), "runId": run_id, "queued": queued}


handler = schedule_function(queue_the_week)
