"""AlertsSchedule (EventBridge Scheduler, every 5 minutes): queue one alert check per tenant (docs/alerts.md)."""

from integrations.core.schedule_function import poll_schedule  # noqa: I001 - first: its init (core.function_init)

from integrations.core.alerts.checker import schedule_checks

handler = poll_schedule(schedule_checks, polls="alert checks", each="tenants")
