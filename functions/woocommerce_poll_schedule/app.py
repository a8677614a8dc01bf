"""WooCommercePollSchedule (EventBridge Scheduler, every 5 minutes): queue one poll per live WooCommerce integration."""

from integrations.core.schedule_function import connector_poll_schedule

handler = connector_poll_schedule("woocommerce")
