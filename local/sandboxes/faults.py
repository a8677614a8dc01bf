"""A sandbox's injected failures (``Sandbox.inject_fault``, ``POST /_control/faults``).

A fault that fails a share of requests (``percent``) draws from its own ``random.Random(seed)``: the same requests
fail on every run, whatever else the sandbox draws, so a storm test runs the same way twice.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import SandboxRequest


@dataclass
class Fault:
    """An injected failure, checked before routing. ``status=None`` only adds latency."""

    status: int | None = 500
    #: Fire on the next N matching requests, then remove itself. None: until cleared (or by ``percent``).
    count: int | None = None
    #: Fire on this share (0–100) of matching requests.
    percent: float | None = None
    #: Seconds for ``Retry-After``; sent only when given (vendors rarely document one).
    retry_after: int | None = None
    latency_ms: int = 0
    path_pattern: str | None = None
    method: str | None = None
    disconnect: bool = False
    #: Seeds the draws of a ``percent`` fault: the same matching requests fail on every run.
    seed: int | None = None
    _random: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def fires(self) -> bool:
        """Whether this matching request is one of the ``percent`` that fail (always, without a percent)."""
        return self.percent is None or self._random.random() * 100 < self.percent

    def matches(self, request: SandboxRequest) -> bool:
        if self.method and self.method.upper() != request.method:
            return False
        return not self.path_pattern or re.search(self.path_pattern, request.path) is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "count": self.count,
            "percent": self.percent,
            "retryAfter": self.retry_after,
            "latencyMs": self.latency_ms,
            "pathPattern": self.path_pattern,
            "method": self.method,
            "disconnect": self.disconnect,
            "seed": self.seed,
        }
