"""The live check: read-only probes of a real platform account against everything its connector assumes.

As Airbyte's ``check``, but deeper: a connector's :meth:`~integrations.core.integration_types.IntegrationType.
check_live` probes, read-only, each endpoint and each :class:`~integrations.core.assumptions.Assumption` it
declares, and this module turns what it saw into a :class:`Report` with one :class:`Finding` per declared
assumption — **confirmed**, **refuted** (with what it means for this integration and what to do), **not
checkable** read-only (with why), or **could not check** (the probe itself failed: unreachable, refused).

It runs when an integration is finished (never blocking one whose credentials work), on demand from the console or
the management API (``POST …/integrations/{id}/check``), and from the command line for operators, with the
credentials in environment variables::

    python -m integrations.core.live_check <platform>     # each credential field as <PLATFORM>_<FIELD>

Reports are kept on the integration's configuration log. Against a sandbox under each dialect of its assumptions,
the report says exactly the dialect's truth (tests/contract).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger

from .assumptions import Assumption, by_key
from .timeutil import utc_iso, utcnow

logger = Logger(child=True)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .connectors import Connector


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    REFUTED = "refuted"
    NOT_CHECKABLE = "not-checkable"
    COULD_NOT_CHECK = "could-not-check"


@dataclass(frozen=True)
class Finding:
    """What a probe saw about one assumption. ``seen`` is the evidence in words; ``means`` (refuted, could not
    check) what it means for the integration and what to do — for one not checkable, what happens if it is wrong.
    ``assumes`` (filled in by :func:`report`) is the assumption itself, in words."""

    key: str
    outcome: Outcome
    seen: str
    means: str = ""
    assumes: str = ""

    def to_json(self) -> dict[str, str]:
        return {"key": self.key, "assumes": self.assumes, "outcome": self.outcome.value, "seen": self.seen,
                **({"means": self.means} if self.means else {})}


def confirmed(key: str, seen: str) -> Finding:
    return Finding(key, Outcome.CONFIRMED, seen)


def refuted(key: str, seen: str, means: str = "") -> Finding:
    """``means`` defaults to the assumption's own ``if_wrong`` (filled in by :func:`report`)."""
    return Finding(key, Outcome.REFUTED, seen, means)


def could_not_check(key: str, seen: str, means: str = "") -> Finding:
    return Finding(key, Outcome.COULD_NOT_CHECK, seen, means)


@dataclass(frozen=True)
class Report:
    platform: str
    checked_at: datetime
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for finding in self.findings if finding.outcome is outcome)

    def of(self, key: str) -> Finding:
        return next(finding for finding in self.findings if finding.key == key)

    @property
    def summary(self) -> str:
        parts = [f"{self.count(outcome)} {label}" for outcome, label in (
            (Outcome.CONFIRMED, "confirmed"), (Outcome.REFUTED, "refuted"),
            (Outcome.NOT_CHECKABLE, "not checkable read-only"), (Outcome.COULD_NOT_CHECK, "could not be checked"))
            if self.count(outcome)]
        return f"Live check of the {self.platform} account: " + ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"platform": self.platform, "checkedAt": utc_iso(self.checked_at), "summary": self.summary,
                "findings": [finding.to_json() for finding in self.findings]}


class UndeclaredFinding(ValueError):
    """A probe reported on an assumption its connector doesn't declare (a programming error: the list is the one
    source of truth)."""


def report(connector: Connector, findings: Iterable[Finding], *, at: datetime | None = None) -> Report:
    """One finding per declared assumption, in declaration order: what the probes said, refuted ones explained by
    the assumption's ``if_wrong`` unless the probe said more, and every unprobed one "not checkable" with why."""
    declared = by_key(connector.assumptions)
    seen: dict[str, Finding] = {}
    for finding in findings:
        if finding.key not in declared:
            raise UndeclaredFinding(f"{connector.key}: the live check reported on {finding.key!r}, which the "
                                    "connector does not declare")
        seen[finding.key] = finding
    ordered = [_explained(seen.get(key), assumption) for key, assumption in declared.items()]
    return Report(connector.title, at or utcnow(), tuple(ordered))


def _explained(finding: Finding | None, assumption: Assumption) -> Finding:
    if finding is None:
        why = (f"Not probed ({assumption.check})" if assumption.check
               else "Can't be settled without writing to the account")
        return Finding(assumption.key, Outcome.NOT_CHECKABLE, why, assumption.if_wrong, assumption.assumes)
    means = finding.means or (assumption.if_wrong if finding.outcome is Outcome.REFUTED else "")
    return Finding(finding.key, finding.outcome, finding.seen, means, assumption.assumes)


def unable(connector: Connector, reason: str, means: str, *, at: datetime | None = None) -> Report:
    """Every assumption "could not check": the probes could not run at all (credentials refused, unreachable)."""
    return report(connector, [could_not_check(a.key, reason, means) for a in connector.assumptions], at=at)


def run(connector: Connector, credentials: BaseModel, platform_state: Mapping[str, Any]) -> Report:
    """Probe the account with the connector's ``check_live`` and report on every assumption. Never raises for what
    the account or the network does: a check that can't run is a report that says so (it must not block a step)."""
    from .errors import IntegrationError, RateBudgetExhausted

    try:
        findings = connector.load_integration_type().check_live(credentials, platform_state)
        return report(connector, findings)
    except UndeclaredFinding:
        raise  # a programming error: the tests must see it
    except RateBudgetExhausted:
        # Workers are using every request the account allows right now: the check stops rather than push it over.
        return unable(connector, f"The check did not run: syncing was using every request the {connector.title} "
                                 "account allows at that moment",
                      "Nothing is wrong with the account for this; run the check again in a minute (syncing goes on).")
    except IntegrationError as exc:
        return unable(connector, f"The check could not reach the account: {exc}", exc.resolution)
    except Exception as exc:  # a fault of ours: say so in words, and leave the trace to the caller's log
        logger.exception("The live check failed", extra={"platform": connector.key})
        return unable(connector, f"The check itself failed ({type(exc).__name__}); reported to the operator",
                      "Nothing to change on the account for this; run the check again later.")


# --- the command line ---------------------------------------------------------------------------------------------


def env_name(platform: str, alias: str) -> str:
    """A platform key and a credential field's alias (``apiId``) → ``<PLATFORM>_API_ID``: where the command line
    reads that field from."""
    return f"{platform}_{re.sub(r'(?<!^)(?=[A-Z])', '_', alias)}".upper()


def credentials_from(environment: Mapping[str, str], model: type[BaseModel], platform: str) -> BaseModel:
    """The connector's credentials model, each field read from its environment variable (:func:`env_name`)."""
    values = {}
    for name, info in model.model_fields.items():
        alias = info.alias or name
        value = environment.get(env_name(platform, alias))
        if value is not None:
            values[alias] = value
    return model.model_validate(values)


def main(argv: list[str] | None = None) -> int:
    from .connectors import get, shipped

    known = sorted(key for key, connector in shipped().items() if connector.available)
    parser = argparse.ArgumentParser(description="Probe a platform account, read-only, against what its connector "
                                                 "assumes. Credentials come from environment variables.")
    parser.add_argument("platform", choices=known)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    connector = get(args.platform)
    if connector is None:  # argparse already refused an unknown platform
        return 2
    integration_type = connector.load_integration_type()
    model = integration_type.credentials_model
    try:
        credentials = credentials_from(os.environ, model, connector.key)
    except ValueError as exc:
        names = ", ".join(env_name(connector.key, info.alias or name) for name, info in model.model_fields.items())
        print(f"The {connector.title} credentials are missing or invalid ({names}): {exc}", file=sys.stderr)
        return 2
    result = run(connector, credentials, {})
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(result.summary)
        for finding in result.findings:
            print(f"- {finding.key}: {finding.outcome.value} — {finding.seen}"
                  + (f"\n  {finding.means}" if finding.means else ""))
    return 1 if result.count(Outcome.REFUTED) else 0


if __name__ == "__main__":
    # Run as ``python -m``, this file is ``__main__``, a second copy of the module beside the one connectors import
    # their ``confirmed``/``refuted`` from: its Outcome enum would not be theirs (every finding miscounted, no
    # refutation explained, exit 0). The imported module's main sees one enum.
    from integrations.core.live_check import main as imported_main

    raise SystemExit(imported_main())
