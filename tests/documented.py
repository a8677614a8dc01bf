"""The request counts the docs state, read from the docs: a test measures, then compares with what its page says, so
each number is stated in one place and the page can't drift from the code (issue 22, point 5).

Three shapes are read: a sentence holding the number (``stated``); a table of requests, one ``service:Operation``
per row with its count (``request_table``); and a table of steps, or a sentence, listing ``Operation n`` pairs
(``operations``), summed per operation.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"

#: The AWS service of each operation the docs name without it ("PutItem 1, SendMessage 1").
SERVICE_OF = {"PutItem": "dynamodb", "GetItem": "dynamodb", "UpdateItem": "dynamodb", "DeleteItem": "dynamodb",
              "Query": "dynamodb", "TransactWriteItems": "dynamodb", "BatchWriteItem": "dynamodb",
              "SendMessage": "sqs", "SendMessageBatch": "sqs"}


def page(name: str) -> str:
    return (DOCS / name).read_text()


def stated(name: str, pattern: str) -> int:
    """The number ``pattern``'s one group finds in docs/<name>; it must be there exactly once."""
    found = re.findall(pattern, page(name))
    assert len(found) == 1, f"docs/{name} should state /{pattern}/ once; found {len(found)}"
    return int(found[0])


def section(name: str, heading: str) -> str:
    """The text of docs/<name> from the line starting with ``heading`` to the next heading."""
    text = page(name)
    assert text.count(f"\n{heading}") == 1, f"docs/{name} has no one heading {heading!r}"
    return text.split(f"\n{heading}", 1)[1].split("\n#", 1)[0]


def request_table(name: str, heading: str) -> dict[str, int]:
    """The ``| `service:Operation` | n | … |`` rows of the table under ``heading``."""
    rows = {m[1]: int(m[2]) for m in re.finditer(r"^\| `([a-z]+:[A-Za-z /]+)` \| (\d+) \|", section(name, heading),
                                                   re.M)}
    assert rows, f"docs/{name} {heading!r} has no requests table"
    return rows


def operations(text: str) -> Counter:
    """Every ``Operation n`` pair in ``text`` (a table's column, a sentence), summed as ``service:Operation``."""
    counted: Counter = Counter()
    for operation, count in re.findall(rf"\b({'|'.join(SERVICE_OF)}) (\d+)\b", text):
        counted[f"{SERVICE_OF[operation]}:{operation}"] += int(count)
    assert counted, f"no `Operation n` pairs in {text[:80]!r}…"
    return counted


def steps_table(name: str, after: str) -> Counter:
    """The operations of the first table after the line containing ``after``, summed over its rows' last column."""
    text = page(name)
    assert text.count(after) == 1, f"docs/{name} should say {after!r} once"
    rest = text.split(after, 1)[1]
    table = re.search(r"(?:^\|.*\|\n)+", rest, re.M)
    assert table, f"docs/{name}: no table after {after!r}"
    return operations("\n".join(row.rsplit("|", 2)[-2] for row in table.group(0).splitlines()[2:]))


def sentence(name: str, pattern: str) -> str:
    """The one stretch of docs/<name> that ``pattern`` matches."""
    found = re.findall(pattern, page(name), re.S)
    assert len(found) == 1, f"docs/{name} should say /{pattern}/ once; found {len(found)}"
    return found[0]
