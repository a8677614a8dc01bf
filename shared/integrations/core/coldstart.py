"""A Lambda function's init runs with the garbage collector paused; :func:`end_of_init` resumes it (issue 10).

Every object a function builds while its ``app`` is imported — modules, classes, clients, the resolver's routes —
lives as long as the sandbox, so the cyclic collector has nothing to free at init; yet CPython triggers it by
allocation counts: 110–140 times while a function imports (one or two of them full passes over ~90,000 objects),
about 55 ms of the ~240 ms the bare Powertools, pydantic and boto3 imports take (README "Cold start",
``bench/cold_start.py``). So init begins with ``gc.disable()`` — a worker's or a schedule's app imports
:mod:`.function_init` first, which pauses the collector as it loads; an HTTP door's app writes it as its first
statement (it must run before the imports, so it is not here) — and ends with ``end_of_init()``, which

- moves everything init built to the permanent generation (``gc.freeze``), so no later collection walks it again —
  the first requests would otherwise pay for the walk that was skipped, and every full collection of the sandbox's
  life would re-walk objects that never die;
- turns the collector back on, with its usual thresholds, for what requests allocate.

The cost: a reference cycle that init itself turned into garbage is never collected (~850 small objects for the
largest app, once per sandbox). Objects freed by reference counting — nearly all — are freed as usual, frozen or not.
"""

from __future__ import annotations

import gc


def end_of_init() -> None:
    """Call as the last statement of a function's init that began with ``gc.disable()``."""
    gc.freeze()
    gc.enable()
