"""SQS fair queues, which moto lacks, emulated in the local stack's moto process.

Since July 2025 a standard SQS queue whose messages carry a ``MessageGroupId`` is a *fair queue*: when one group
(for us, one integration) has a backlog, SQS hands out the other groups' messages first, so a quiet tenant's
message does not wait behind a noisy one's burst (AWS: "Amazon SQS fair queues", SQS developer guide). Our
workers tag every message with its integration (``core.workitems``) and rely on it.

moto 5.2 stores a standard queue's ``MessageGroupId`` but receives strictly oldest-first. :func:`install` makes its
standard queues hand out visible messages round-robin over their groups (the oldest message of each group, then the
second of each, …), a strict version of SQS's dwell-time balancing. FIFO queues and messages without a group keep
moto's order (ungrouped messages form one group). Only ``local/`` installs it: tests of the functions run on
unpatched moto, and deployed queues are AWS's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain, zip_longest
from typing import Any

from moto.sqs import models

_MOTO_MESSAGES = models.Queue.messages
_MISSING = object()


def fair_order(messages: list[Any]) -> list[Any]:
    """``messages`` (oldest first) reordered round-robin over their ``group_id``, groups in order of their oldest."""
    groups: dict[str | None, list[Any]] = {}
    for message in messages:
        groups.setdefault(message.group_id, []).append(message)
    if len(groups) < 2:
        return messages
    rounds = zip_longest(*groups.values(), fillvalue=_MISSING)
    return [message for message in chain.from_iterable(rounds) if message is not _MISSING]


def _fair_messages(queue: models.Queue) -> list[Any]:
    visible = _MOTO_MESSAGES.fget(queue)  # type: ignore[attr-defined]
    return visible if queue.fifo_queue else fair_order(visible)


def install() -> None:
    """From now on every standard queue of this process's moto delivers fairly across message groups."""
    models.Queue.messages = property(_fair_messages)  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    models.Queue.messages = _MOTO_MESSAGES  # type: ignore[method-assign]


@contextmanager
def installed() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        uninstall()
