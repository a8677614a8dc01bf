"""SQS event source mappings for the local stack: one long-polling thread per SQS trigger in template.yaml.

Each thread runs :class:`~local.lambda_runtime.QueuePump`: receive up to BatchSize messages, invoke the function,
delete what succeeded, leave ``batchItemFailures`` in flight. The retry delay is the visibility the worker itself
set (its backoff, or the upstream's ``Retry-After``; ``--fast-retry`` shortens the worker's own delay through
``RETRY_DELAY_SECONDS``, so its sync log says the truth), or at once for tests (``fast_retry``).
Dead-lettering is SQS's: moto's server, like SQS, moves a message to the queue's DLQ when a receive finds it has
already been received ``maxReceiveCount`` times (tests/e2e checks it), so nothing here counts receives.
"""

from __future__ import annotations

import logging
import threading

from .lambda_runtime import QueuePump

log = logging.getLogger(__name__)


class QueueConsumer:
    """Feeds one queue to one function until :meth:`stop`."""

    def __init__(self, queue: str, function: str, pump: QueuePump, *, wait_seconds: int = 1) -> None:
        self.queue = queue
        self.function = function
        self.pump = pump
        self.wait_seconds = wait_seconds
        self.received = 0
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"pump-{queue}", daemon=True)

    def start(self) -> QueueConsumer:
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Stop after the batch in hand (a long poll ends within ``wait_seconds``); :meth:`join` waits for it."""
        self._stop.set()

    def join(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result = self.pump.pump_once(wait_seconds=self.wait_seconds)
            except Exception:  # moto unreachable, a throttled call: the mapping keeps polling, as Lambda's does
                if self._stop.is_set():
                    break
                log.exception("%s → %s: polling failed; retrying in 1 s", self.queue, self.function)
                self._stop.wait(1)
                continue
            if result.received:
                self.received += result.received
                self.failed += result.failed
                log.info("%s → %s: batch of %d, %d failed", self.queue, self.function, result.received,
                         result.failed)
