"""The fuzz tests run on the functional tests' moto stack and handlers (fixtures shared from there)."""

from tests.functional.conftest import service, stack  # noqa: F401  (fixtures)
