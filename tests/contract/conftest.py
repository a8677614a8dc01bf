"""The contract suite runs once per shipped, available connector, with that connector's kit
(``tests/contract/kits/<key>.py``), and once more per other answer of each assumption the connector declares with
dialects (``integrations.core.assumptions``): the kit's sandbox then answers that one question the other way, the
rest as ours. ``pytest tests/contract -k woocommerce`` runs it for one connector; ``-k "unleashed and
subscriptions"`` for one dialect."""

from __future__ import annotations

import importlib
import importlib.util

import pytest
import responses
from integrations.core.connectors import shipped

from tests.functional.conftest import service, stack  # noqa: F401  (fixtures: moto from template.yaml, handlers)

from .kit import ConnectorKit

CONNECTORS = sorted(key for key, connector in shipped().items() if connector.available)


def kit_class(key: str) -> type[ConnectorKit]:
    name = f"tests.contract.kits.{key}"
    if importlib.util.find_spec(name) is None:
        pytest.fail(f"connector {key} has no contract kit: write tests/contract/kits/{key}.py (docs/"
                    "writing-a-connector.md)")
    return importlib.import_module(name).KIT  # type: ignore[no-any-return]


def variants() -> list:  # type: ignore[type-arg]
    """Each connector as we built it, then under each other answer of each of its assumptions, one at a time."""
    found = []
    for key in CONNECTORS:
        found.append(pytest.param((key, {}), id=key))
        for assumption in shipped()[key].assumptions:
            for answer in assumption.dialects[1:]:
                found.append(pytest.param((key, {assumption.key: answer}), id=f"{key}:{assumption.key}={answer}"))
    return found


@pytest.fixture(params=variants())
def kit(request, service) -> ConnectorKit:  # noqa: F811
    key, dialect = request.param
    made = kit_class(key)()
    made.dialect = dict(dialect)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        made.start(service, rsps)
        try:
            yield made
        finally:
            made.stop()
