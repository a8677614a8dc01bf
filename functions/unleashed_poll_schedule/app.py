"""UnleashedPollSchedule (EventBridge Scheduler, every 5 minutes): queue one poll per live Unleashed integration;
each poll decides from its account's monthly call budget whether it is due (docs/unleashed.md "Budgets")."""

from integrations.core.schedule_function import connector_poll_schedule

handler = connector_poll_schedule("unleashed")
