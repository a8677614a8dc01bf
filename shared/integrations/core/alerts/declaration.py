"""An alert condition as a connector declares it: cheap to import (a connector's declaration is read at every cold
start), its check named as ``"module:callable"`` and loaded only by the alert check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AlertCondition:
    key: str
    #: What the console's filter and docs call it.
    title: str
    #: ``"module:callable"`` of the check ``(CheckContext) -> Finding | None``.
    check: str
    #: True when the check calls a platform: it runs at most every ``platformCheckMinutes`` (a platform's rate budget
    #: is for syncing), and between runs the alert keeps its state.
    calls_platform: bool = False

    def load(self) -> Any:
        from ..connectors import load

        return load(self.check)
