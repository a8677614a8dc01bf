"""The CartonCloud (WMS/TMS) side every connector shares: client, models, change notifications, WMS events, the
event router and the safety-net pollers.

Every integration writes into the WMS through :class:`~integrations.cartoncloud.client.CartonCloudClient`; WMS
changes reach connectors as :class:`~integrations.core.events.WmsEvent` items routed to their own queues
(:mod:`integrations.cartoncloud.routing`).
"""

PLATFORM = "cartoncloud"
