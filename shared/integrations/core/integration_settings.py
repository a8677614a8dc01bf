"""An integration's step settings, read as its connector's models: one mechanism, each connector declaring its own.

A connector declares ``settings_of = IntegrationSettings(OrderModel, FulfilmentModel, unusable=…, resolution=…)``
and reads ``settings_of(integration).order`` / ``.fulfilment`` typed as its own models. Settings were validated
when they were saved, so failing here means they changed shape since (or were never completed): the flow stops
with :class:`IntegrationUnusable` saying, in the connector's words, what to complete, never with a bare
validation error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from .integration_access import IntegrationUnusable
from .integration_record import Integration

OrderT = TypeVar("OrderT", bound=BaseModel)
FulfilmentT = TypeVar("FulfilmentT", bound=BaseModel)

FULFILMENT_RESOLUTION = "Save the integration's fulfilment step again, then retry from the sync log."


@dataclass(frozen=True)
class StepSettings(Generic[OrderT, FulfilmentT]):
    """The order creation and fulfilment steps of one integration, as its connector's models."""

    order: OrderT
    fulfilment: FulfilmentT


@dataclass(frozen=True)
class IntegrationSettings(Generic[OrderT, FulfilmentT]):
    """How a connector reads its integrations' settings: its two step models and what to say when the order
    creation step can't be read (``unusable`` completes "Integration {id} …")."""

    order: type[OrderT]
    fulfilment: type[FulfilmentT]
    unusable: str
    resolution: str

    def __call__(self, integration: Integration) -> StepSettings[OrderT, FulfilmentT]:
        try:
            order = self.order.model_validate(integration.order_settings)
        except ValidationError:
            raise IntegrationUnusable(f"Integration {integration.integration_id} {self.unusable}",
                                      resolution=self.resolution) from None
        try:
            fulfilment = self.fulfilment.model_validate(integration.fulfilment_settings)
        except ValidationError:
            raise IntegrationUnusable(f"Integration {integration.integration_id} has unusable fulfilment settings",
                                      resolution=FULFILMENT_RESOLUTION) from None
        return StepSettings(order=order, fulfilment=fulfilment)
