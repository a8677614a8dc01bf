"""The integration's settings as WooCommerce's step models, and the secret its webhooks are signed with."""

from __future__ import annotations

from ..core.integration_access import sealed_secret
from ..core.integration_record import Integration
from ..core.integration_settings import IntegrationSettings
from .models import WooCommerceFulfilmentSettings, WooCommerceOrderSettings

settings_of = IntegrationSettings(
    WooCommerceOrderSettings, WooCommerceFulfilmentSettings, unusable="has no warehouse set",
    resolution="Choose the CartonCloud warehouse in the integration's order creation step, then retry from the sync "
               "log.")


def webhook_secret(integration: Integration) -> str | None:
    """The secret WooCommerce signs this integration's deliveries with (sealed in ``platformState``)."""
    return sealed_secret(integration, "webhookSecret")
