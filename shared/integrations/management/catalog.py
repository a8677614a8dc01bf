"""The integration types the management API offers: importing a platform's ``integration_type`` module registers it.

The frame itself knows no platform; this list is the one place that says which platforms this deployment ships.
"""

from __future__ import annotations

import importlib
from functools import cache

from ..core.integration_types import IntegrationType, registered

PLATFORM_TYPE_MODULES = (
    "integrations.woocommerce.integration_type",
    "integrations.unleashed.integration_type",
    "integrations.starshipit.integration_type",
    "integrations.rose_rocket.integration_type",
)


@cache
def load() -> None:
    for module in PLATFORM_TYPE_MODULES:
        importlib.import_module(module)


def types() -> dict[str, IntegrationType]:
    """Every registered type by key (the shipped platforms, plus any a test registered)."""
    load()
    return dict(sorted(registered().items()))


def get(key: str) -> IntegrationType | None:
    return types().get(key)
