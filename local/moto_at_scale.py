"""moto at a burst's scale, for the local stack: transactions and queues whose cost does not grow with what is stored.

**DynamoDB transactions.** moto 5.2's ``transact_write_items`` keeps a ``copy.deepcopy`` of every table a transaction
names, to roll back if an action fails. The copy grows with the table and holds the interpreter lock while it runs: a
one-action transaction took 3.3 ms at 100 stored items and 44 ms at 3,000 (1.5 and 1.8 ms with this fix;
``bench/moto_at_scale.py``, 2026-11-30). Every link our workers make is a transaction on the sync table, which also
holds every sync-log entry, so a 2,000-order burst left the moto process copying tables: doors answered in 10 s,
stores timed out their deliveries and disabled our webhooks, and moto's server raised ``dictionary changed size during
iteration`` when a write landed mid-copy. Its rollback also puts the copied table back whole, which drops whatever
other requests wrote meanwhile.

:func:`install` keeps moto's transaction logic (validation, conditions, cancellation reasons) and changes only the
backup: before the transaction runs, each item it names is copied (or noted absent); if it fails, those items are
put back as they were; the tables themselves are never copied. One lock serializes transactions, as DynamoDB
isolates them from each other.

**SQS visibility.** moto decides whether a message is visible or delayed by reading the clock through ``datetime``
(twice for each message), and does so for every stored message on every send (``Queue.attributes`` counts them),
receive and count. With 3,000 deferred messages waiting in a queue a send and a receive took 630 ms together (47 ms
with this fix; same bench). :func:`install` reads the same clock (milliseconds since the epoch, UTC) with
``time.time()``.

**Delays end on time.** A long poll in moto looks again when a message is sent, or else once a second, so a message
whose delay ends while a consumer polls is received up to a second late (0.5 s on average); SQS hands it out when
its delay ends. Every deferred work item is such a message, woken for its turn at the budget: the second was lost
from the turn. :func:`install` makes a long poll also look again when the next stored message is due.

Only ``local/`` installs these: tests of the functions run on unpatched moto, and deployed tables and queues are
AWS's.
"""

from __future__ import annotations

import copy
import threading
import time
from types import SimpleNamespace
from typing import Any

from moto.dynamodb import models
from moto.dynamodb.models.table import Table
from moto.sqs.models import Message, Queue

_MOTO_TRANSACT = models.DynamoDBBackend.transact_write_items
_MOTO_COPY = models.copy  # type: ignore[attr-defined]
_TRANSACTIONS = threading.Lock()
_MOTO_VISIBLE = Message.visible
_MOTO_DELAYED = Message.delayed
_MOTO_WAIT = Queue.wait_for_messages

#: (table, hash key, range key or None, the item as it was or None when absent)
Backup = tuple[Table, Any, Any, Any]


def _deepcopy_sharing_tables(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy``, except that a whole table is shared: moto's own backup becomes free (and unused)."""
    return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _keys(backend: Any, table: Table, op_type: str, op: dict[str, Any]) -> tuple[Any, Any] | None:
    names = [name for name in (table.hash_key_attr, table.range_key_attr) if name]
    key = op.get("Key") if op_type != "Put" else {name: op.get("Item", {}).get(name) for name in names}
    if not isinstance(key, dict) or any(not key.get(name) for name in names):
        return None
    return backend.get_keys_value(table, key)  # type: ignore[no-any-return]


def _backups(backend: Any, transact_items: list[dict[str, Any]]) -> list[Backup]:
    backups: list[Backup] = []
    for action in transact_items:
        op_type, op = next(iter(action.items()))
        table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        if table is None:
            continue  # moto reports the missing table; nothing of this action is applied
        keys = _keys(backend, table, op_type, op)
        if keys is not None:  # else moto rejects the malformed action before applying any of it
            backups.append((table, *keys, copy.deepcopy(table.get_item(*keys))))
    return backups


def _restore(backups: list[Backup]) -> None:
    # In reverse, so an item named twice ends as it was before the first.
    for table, hash_key, range_key, item in reversed(backups):
        if table.has_range_key:
            partition = table.items[hash_key]
            if item is None:
                partition.pop(range_key, None)
            else:
                partition[range_key] = item
        elif item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    with _TRANSACTIONS:
        backups = _backups(self, transact_items) if len(transact_items) <= 100 else []
        try:
            _MOTO_TRANSACT(self, transact_items)
        except BaseException:
            _restore(backups)
            raise


def _visible(message: Message) -> bool:
    return time.time() * 1000.0 > message.visible_at


def _delayed(message: Message) -> bool:
    return time.time() * 1000.0 < message.delayed_until


def seconds_until_next_due(queue: Queue, now: float) -> float | None:
    """Seconds until the next message that is delayed or in flight becomes visible; None if none is."""
    now_ms = now * 1000.0
    due = [at for message in list(queue._messages)
           if (at := max(message.visible_at, message.delayed_until)) > now_ms]
    return (min(due) - now_ms) / 1000.0 if due else None


def _wait_for_messages(queue: Queue, timeout: float) -> None:
    next_due = seconds_until_next_due(queue, time.time())
    if next_due is not None:
        timeout = min(timeout, next_due + 0.005)
    _MOTO_WAIT(queue, timeout)  # type: ignore[arg-type]  # a Condition wait takes any number of seconds


def install() -> None:
    """From now on this process's moto backs up only the items a transaction touches, reads the clock cheaply and
    ends a long poll's wait when the next message is due."""
    models.copy = SimpleNamespace(deepcopy=_deepcopy_sharing_tables)  # type: ignore[attr-defined,assignment]
    models.DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    Message.visible = property(_visible)  # type: ignore[method-assign,assignment]
    Message.delayed = property(_delayed)  # type: ignore[method-assign,assignment]
    Queue.wait_for_messages = _wait_for_messages  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    models.copy = _MOTO_COPY  # type: ignore[attr-defined]
    models.DynamoDBBackend.transact_write_items = _MOTO_TRANSACT  # type: ignore[method-assign]
    Message.visible = _MOTO_VISIBLE  # type: ignore[method-assign]
    Message.delayed = _MOTO_DELAYED  # type: ignore[method-assign]
    Queue.wait_for_messages = _MOTO_WAIT  # type: ignore[method-assign]
