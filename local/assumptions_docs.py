"""Write each connector's assumptions table into its docs page (between the ``assumptions`` markers).

    python -m local.assumptions_docs           # rewrite the tables from the declarations
    python -m local.assumptions_docs --check   # exit 1 if a page differs (tests/unit/test_assumptions.py does this)

The declaration (``integrations/<platform>/connector.py``) is the one source: the page shows it, never the reverse.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- assumptions:begin (python -m local.assumptions_docs writes this table) -->"
END = "<!-- assumptions:end -->"
BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)


def page_of(key: str) -> Path:
    return ROOT / "docs" / f"{key.replace('_', '-')}.md"


def expected_block(key: str) -> str:
    from integrations.core.assumptions import markdown_table
    from integrations.core.connectors import get

    connector = get(key)
    if connector is None:
        raise KeyError(key)
    return f"{BEGIN}\n{markdown_table(connector.assumptions)}\n{END}"


def current_block(key: str) -> str | None:
    found = BLOCK.search(page_of(key).read_text(encoding="utf-8"))
    return found.group(0) if found else None


def main(argv: list[str] | None = None) -> int:
    from integrations.core.connectors import shipped

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    differ = []
    for key, connector in sorted(shipped().items()):
        if not connector.assumptions:
            continue
        page, block = page_of(key), expected_block(key)
        text = page.read_text(encoding="utf-8")
        if block in text:
            continue
        differ.append(page.name)
        if not args.check:
            if BLOCK.search(text) is None:
                raise SystemExit(f"{page}: add the markers {BEGIN!r} … {END!r} where the table belongs")
            start, end = BLOCK.search(text).span()  # type: ignore[union-attr]
            page.write_text(text[:start] + block + text[end:], encoding="utf-8")
    if differ:
        print(("differs: " if args.check else "rewrote: ") + ", ".join(differ))
    return 1 if differ and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
