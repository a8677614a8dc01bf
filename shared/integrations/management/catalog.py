"""The integration types the management API offers: one per connector (core.connectors), in key order."""

from __future__ import annotations

from ..core.connectors import Connector, connectors
from ..core.integration_types import IntegrationType


def types() -> dict[str, IntegrationType]:
    """Every connector's integration type by key (the shipped platforms, plus any a test installed)."""
    return {key: connector.load_integration_type() for key, connector in connectors().items()}


def get(key: str) -> IntegrationType | None:
    connector = connectors().get(key)
    return connector.load_integration_type() if connector is not None else None


def connector(key: str) -> Connector | None:
    return connectors().get(key)
