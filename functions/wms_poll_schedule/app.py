"""WmsPollSchedule (EventBridge Scheduler, every 5 minutes): queue one WMS poll per tenant."""

from integrations.core.schedule_function import poll_schedule  # noqa: I001 - first: its init (core.function_init)

from integrations.cartoncloud.poller import schedule_polls

handler = poll_schedule(schedule_polls, polls="WMS polls", each="tenants")
