"""Dialects: where a vendor's behaviour is unknown, a sandbox offers each possibility as a switch.

A sandbox declares ``DIALECTS``: each open question (named as the connector's assumption that relies on it,
``integrations.core.assumptions``) and the answers the vendor may give, the connector's own first (the default).
``Sandbox(dialect={"status-spelling": "capitalised"})`` answers one question the other way; so does the control
API, for a running sandbox::

    GET /_control/dialect                             → {"status-spelling": "lowercase", …}
    PUT /_control/dialect {"status-spelling": "capitalised"}

The contract suite runs every connector under each other answer of its assumptions, one switch at a time
(tests/contract), and the live check must report, against a sandbox in a dialect, exactly that dialect's truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .base import SandboxRequest, SandboxResponse


class UnknownDialect(ValueError):
    """A switch the sandbox doesn't have, or an answer it doesn't offer."""


class Dialects:
    #: Switch → its answers, the connector's assumption first (the default).
    DIALECTS: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    dialect: dict[str, str]

    def set_dialect(self, given: Mapping[str, str] | None = None, *, reset: bool = True) -> dict[str, str]:
        """Answer each open question as ``given`` says (the rest: ours, when ``reset``)."""
        chosen = {switch: answers[0] for switch, answers in self.DIALECTS.items()} if reset else dict(self.dialect)
        for switch, answer in (given or {}).items():
            answers = self.DIALECTS.get(switch)
            if answers is None:
                raise UnknownDialect(f"{type(self).__name__} has no dialect switch {switch!r}; it has: "
                                     f"{', '.join(self.DIALECTS) or 'none'}")
            if answer not in answers:
                raise UnknownDialect(f"{switch} is one of {', '.join(answers)}, not {answer!r}")
            chosen[switch] = answer
        self.dialect = chosen
        return chosen

    def speaks(self, switch: str, answer: str) -> bool:
        """Whether the sandbox answers the question ``switch`` with ``answer`` now."""
        if switch not in self.DIALECTS:
            raise UnknownDialect(f"{type(self).__name__} has no dialect switch {switch!r}")
        return self.dialect.get(switch) == answer

    def _control_get_dialect(self, request: SandboxRequest) -> SandboxResponse:
        from .base import SandboxResponse

        return SandboxResponse.json(200, {"dialect": self.dialect, "answers": {k: list(v) for k, v in
                                                                                self.DIALECTS.items()}})

    def _control_put_dialect(self, request: SandboxRequest) -> SandboxResponse:
        from .base import SandboxResponse, control_body

        body = control_body(request)
        try:
            chosen = self.set_dialect({str(k): str(v) for k, v in body.items()}, reset=False)
        except UnknownDialect as exc:
            return SandboxResponse.json(400, {"error": str(exc)})
        return SandboxResponse.json(200, {"dialect": chosen})
