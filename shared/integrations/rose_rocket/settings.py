"""The integration's settings as Rose Rocket's step models, and the boards its searches go through."""

from __future__ import annotations

from ..core.integration_access import IntegrationUnusable
from ..core.integration_record import Integration
from ..core.integration_settings import IntegrationSettings
from .models import RoseRocketFulfilment, RoseRocketOrderCreation

settings_of = IntegrationSettings(
    RoseRocketOrderCreation, RoseRocketFulfilment, unusable="has unusable settings",
    resolution="Save the integration's order creation and fulfilment steps again, then retry from the sync log.")


def board_of(integration: Integration, object_key: str) -> str:
    """The board id a search of ``object_key`` records goes through (found when the credentials were checked)."""
    board = integration.platform_state.get(f"{object_key}sBoardId")
    if not isinstance(board, str) or not board:
        raise IntegrationUnusable(f"The integration knows no {object_key} board of its Rose Rocket organisation",
                                  resolution="Save the integration's authentication step again (it finds the "
                                             "organisation's boards), then retry.")
    return board
