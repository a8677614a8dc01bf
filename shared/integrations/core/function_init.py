"""A worker's or a schedule's init, written once: the first thing its ``app.py`` imports (through
:mod:`.worker_function` or :mod:`.schedule_function`) is this module.

- Init runs with the garbage collector paused: what it builds lives as long as the sandbox, so collecting during
  imports frees nothing and cost 25-60 ms (:mod:`.coldstart`). Importing this module pauses it, before anything
  heavier loads; the builders end init with :func:`end_of_init`, so building the handler is the app's last statement.
- boto3 loads here, near the top of the import chain, as the bench's bare imports do: imported deep inside the
  layer's import chain, urllib3's regexes compile at a deep Python stack, which CPython 3.11 can make ~10× slower
  (20–40 ms measured).

Each function gets its own Powertools Logger, Tracer and Metrics (:func:`instruments`), made while its ``app`` is
imported, when the function's ``POWERTOOLS_SERVICE_NAME`` is in the environment.
"""

import gc

gc.disable()

from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import boto3  # noqa: E402, F401
from aws_lambda_powertools import Logger, Metrics, Tracer  # noqa: E402
from aws_lambda_powertools.utilities.typing import LambdaContext  # noqa: E402

from .coldstart import end_of_init  # noqa: E402
from .observability import tracer  # noqa: E402

__all__ = ["LambdaContext", "LambdaHandler", "end_of_init", "instruments"]

#: What a function's ``app.handler`` is.
LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def instruments() -> tuple[Logger, Tracer, Metrics]:
    """The calling function's Logger, Tracer (none of the X-Ray SDK when tracing is off) and Metrics."""
    return Logger(), tracer(), Metrics()
