"""StarshipitPollSchedule (EventBridge Scheduler, every 5 minutes): queue one poll of shipped orders per live
Starshipit integration (tracking's safety net: docs/starshipit.md)."""

from integrations.core.schedule_function import connector_poll_schedule

handler = connector_poll_schedule("starshipit")
