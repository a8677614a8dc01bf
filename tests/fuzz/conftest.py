"""The fuzz tests run on the functional tests' moto stack and handlers (fixtures shared from there)."""

from tests.functional.conftest import service, stack  # noqa: F401  (fixtures)


def _replay() -> str:
    from .test_fuzz import EXAMPLES, NEGATIVE_EXAMPLES, SEED

    return (f"FUZZ_SEED={SEED} FUZZ_EXAMPLES={EXAMPLES} FUZZ_NEGATIVE_EXAMPLES={NEGATIVE_EXAMPLES} "
            ".venv/bin/pytest tests/fuzz -q -p no:logging")


def pytest_report_header() -> str:
    """The seed first, so even an interrupted run can be replayed."""
    return f"fuzz: replay with {_replay()}"


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """How many requests the fuzzing sent, by generation mode, and how they were answered (every 4xx also checked to
    change nothing), and how to send the same requests again."""
    from .test_fuzz import EXAMPLES, NEGATIVE_EXAMPLES, SEED, TALLY

    if TALLY:
        for mode in sorted({mode for mode, _ in TALLY}):
            answers = ", ".join(f"{cls} {n}" for (m, cls), n in sorted(TALLY.items()) if m == mode)
            total = sum(n for (m, _), n in TALLY.items() if m == mode)
            terminalreporter.write_line(f"fuzz, {mode} data: {total} requests: {answers}")
        terminalreporter.write_line(f"fuzz: seed {SEED}, {EXAMPLES} positive and {NEGATIVE_EXAMPLES} negative "
                                    f"examples per operation besides the schema-derived ones; replay: {_replay()}")
