"""The integration's settings as Starshipit's step models, and the secret its tracking webhooks are signed with."""

from __future__ import annotations

from ..core.integration_access import IntegrationUnusable, credential, open_credentials
from ..core.integration_record import Integration
from ..core.integration_settings import IntegrationSettings
from .models import StarshipitFulfilment, StarshipitOrderCreation

settings_of = IntegrationSettings(
    StarshipitOrderCreation, StarshipitFulfilment, unusable="has no usable order creation settings",
    resolution="Complete the integration's order creation step (the status that creates Starshipit orders), then "
               "retry from the sync log.")


def webhook_secret(integration: Integration) -> str | None:
    """The secret Starshipit signs this integration's tracking webhooks with (an optional credential)."""
    if not integration.credentials:
        return None
    try:
        return credential(open_credentials(integration), "webhookSecret") or None
    except IntegrationUnusable:
        return None
