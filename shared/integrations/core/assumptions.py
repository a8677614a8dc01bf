"""What a connector assumes about its vendor that no vendor page confirms, declared beside its connector.

Our sandboxes encode our reading of each vendor, so green tests prove that connectors agree with our guesses, not
that they work against a real account. Each guess a connector relies on is therefore an :class:`Assumption`:
what we assume, where it comes from (a source, or "decided"), and what happens if it is wrong — which must be a
degraded but working integration, never a broken one. Three things hang off the list:

- **dialects**: each answer the vendor might give to the open question, the first being ours. The connector's
  sandbox takes a switch per question (``local.sandboxes.base.Sandbox`` ``dialect``) and the contract suite runs
  every connector under each other answer, one switch at a time (tests/contract);
- **the live check** (:mod:`.live_check`): a read-only probe per assumption against a real account, reporting
  each as confirmed, refuted (with what it means and what to do) or not checkable read-only;
- **the docs**: each platform's page lists its assumptions in a table that a test checks against this list
  (``tests/unit/test_assumptions.py``), so the two can't drift.

Declarations stay cheap to import (this module imports nothing of the layer).
"""

from __future__ import annotations

from dataclasses import dataclass

#: ``Assumption.source`` for a choice we made where no vendor source says either way.
DECIDED = "decided"


@dataclass(frozen=True)
class Assumption:
    #: Short, unique within the connector; also the name of the sandbox's dialect switch when it has dialects.
    key: str
    #: What the connector assumes, in words a person at the 3PL could check with the vendor.
    assumes: str
    #: Where that comes from (a vendor page, public code that calls the API), or :data:`DECIDED`.
    source: str
    #: What happens if it is wrong: how the connector degrades (or why it cannot be wrong in a harmful way).
    if_wrong: str
    #: The answers the vendor may give, ours first (the sandbox's default); empty when the sandbox can't differ.
    dialects: tuple[str, ...] = ()
    #: How the live check settles it read-only; empty when it can't be settled without writing to the account.
    check: str = ""

    def __post_init__(self) -> None:
        if not self.key or not self.key.replace("-", "").isalnum() or self.key != self.key.lower():
            raise ValueError(f"assumption key {self.key!r} must be lower-case words joined by '-'")
        if len(self.dialects) == 1:
            raise ValueError(f"assumption {self.key}: dialects name ours and at least one other answer, or none")

    @property
    def ours(self) -> str | None:
        """The answer the connector is built for (the sandbox's default), if the question has dialects."""
        return self.dialects[0] if self.dialects else None

    @property
    def checkable(self) -> bool:
        return bool(self.check)


def by_key(assumptions: tuple[Assumption, ...]) -> dict[str, Assumption]:
    """The assumptions by key; a repeated key is a declaration error."""
    found: dict[str, Assumption] = {}
    for assumption in assumptions:
        if assumption.key in found:
            raise ValueError(f"assumption {assumption.key} is declared twice")
        found[assumption.key] = assumption
    return found


def markdown_table(assumptions: tuple[Assumption, ...]) -> str:
    """The assumptions as the docs' table (each platform's page holds it between ``assumptions`` markers; a test
    keeps it equal to the declaration: ``python -m local.assumptions_docs`` rewrites it)."""
    rows = ["| Assumption | What we assume | Source | If it is wrong | Live check |", "|---|---|---|---|---|"]
    for a in assumptions:
        answers = f" (sandbox dialects: {', '.join(f'`{d}`' for d in a.dialects)})" if a.dialects else ""
        cells = [f"`{a.key}`", a.assumes + answers, a.source, a.if_wrong, a.check or "not checkable read-only"]
        rows.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    return "\n".join(rows)
