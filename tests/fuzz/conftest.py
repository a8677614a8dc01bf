"""The fuzz tests run on the functional tests' moto stack and handlers (fixtures shared from there)."""

from tests.functional.conftest import service, stack  # noqa: F401  (fixtures)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """How many requests the fuzzing sent and how they were answered (every 4xx also checked to change nothing)."""
    from .test_fuzz import EXAMPLES, TALLY

    if TALLY:
        answers = ", ".join(f"{cls} {n}" for cls, n in sorted(TALLY.items()))
        terminalreporter.write_line(f"fuzz: {sum(TALLY.values())} requests ({EXAMPLES} examples per operation): "
                                    f"{answers}")
