"""The contract suite runs once per shipped, available connector, with that connector's kit
(``tests/contract/kits/<key>.py``). ``pytest tests/contract -k woocommerce`` runs it for one connector."""

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


@pytest.fixture(params=CONNECTORS)
def kit(request, service) -> ConnectorKit:  # noqa: F811
    made = kit_class(request.param)()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        made.start(service, rsps)
        try:
            yield made
        finally:
            made.stop()
