"""RoseRocketPollSchedule (EventBridge Scheduler, every 5 minutes): queue one poll of Delivered orders by
``updatedAt`` per live Rose Rocket integration (the safety net for webhooks Rose Rocket never retries:
docs/rose-rocket.md)."""

from integrations.core.schedule_function import connector_poll_schedule

handler = connector_poll_schedule("rose_rocket")
