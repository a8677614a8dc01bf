"""The CartonCloud (WMS/TMS) connector: client, models, change notifications, status changes, poller.

Every integration writes into the WMS through :class:`~integrations.cartoncloud.client.CartonCloudClient` and
subscribes to its status changes through :mod:`integrations.cartoncloud.subscriptions`.
"""

PLATFORM = "cartoncloud"
