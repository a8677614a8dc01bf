"""The README's walkthroughs, pasted in order into one bash shell against one stack, as a new user would (issue 20).

The shell is README.md's own: every fenced block tagged ``bash`` in a "### Walkthrough…" section, read at test time,
so the walkthroughs can't drift from what this runs. Plain fences there are not run (the ``make run`` line, which
this test replaces by starting ``python -m local.stack`` with the environment that line sets, on free ports as the
README offers). The blocks go to one ``bash`` with ``set -euo pipefail``: a failing command, an unset variable or a
failing pipe stops the run at its block. ``API`` is exported the way the README tells a user: the ``export API=…``
line the stack prints. ``TMPDIR`` points at this test's folder, so what the walkthroughs save (their ``mktemp -d``)
can be checked there, and nothing lands in the repository.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from local import sign_notification

from .conftest import PATIENCE

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
#: What the walkthroughs save (in their ``mktemp -d`` folder, never in the repository).
SAVED = ("label.pdf", "customers.csv", "matches.csv", "rates.json", "statement.csv")
#: Longest the whole walkthrough may take: each wait in it gives up after 30 s, so this only stops a hung shell.
RUN_TIMEOUT = 300
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\s*$")
MARK = "@@readme-block"


@dataclass(frozen=True)
class Block:
    section: str
    line: int
    lang: str
    code: str


def walkthrough_blocks(markdown: str) -> list[Block]:
    """Every fenced block of the "### Walkthrough…" sections, in order, dedented to the fence's indentation."""
    blocks: list[Block] = []
    section = ""
    fence: re.Match[str] | None = None
    start = 0
    body: list[str] = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        if fence is None:
            if line.startswith("#"):  # a heading: outside a fence, a "#" line can be nothing else
                section = line.lstrip("#").strip()
            elif (fence := FENCE.match(line)) is not None:
                start, body = number, []
            continue
        if line.strip() == "```":
            if section.startswith("Walkthrough"):
                blocks.append(Block(section, start, fence["lang"], textwrap.dedent("\n".join(body))))
            fence = None
        else:
            body.append(line)
    return blocks


def stack_environment(blocks: list[Block]) -> dict[str, str]:
    """The ``LOCAL_…=…`` settings of the README's ``make run`` line for the walkthroughs."""
    starts = [block for block in blocks if block.lang != "bash" and "make run" in block.code]
    assert len(starts) == 1, f"expected one make run line in the walkthroughs, found {starts}"
    command = starts[0].code.split("#", 1)[0]
    return dict(re.findall(r"\b(LOCAL_[A-Z_]+)=(\S+)", command))


def script(blocks: list[Block]) -> str:
    """One bash script: each block between markers that name it, so the output can be split per block."""
    parts = ["set -euo pipefail"]
    for index, block in enumerate(blocks):
        parts += [f"echo '{MARK} {index} start'", block.code, f"echo '{MARK} {index} end'"]
    return "\n".join(parts) + "\n"


def outputs(text: str) -> dict[int, str]:
    """Each block's output by its index; a block that never ended has no "end" and is absent."""
    found: dict[int, str] = {}
    pattern = re.compile(rf"^{MARK} (\d+) start$\n(.*?)^{MARK} \1 end$", re.S | re.M)
    for match in pattern.finditer(text):
        found[int(match[1])] = match[2]
    return found


@pytest.fixture(scope="module")
def readme_blocks() -> list[Block]:
    return walkthrough_blocks(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def api(readme_blocks: list[Block]) -> Iterator[str]:
    """``python -m local.stack`` (what ``make run`` runs) with the README's settings, on free ports; its API's URL
    from the ``export API=…`` line it prints for the walkthroughs."""
    environment = {**os.environ, **stack_environment(readme_blocks), "LOCAL_FREE_PORTS": "1",
                   "PYTHONUNBUFFERED": "1"}
    environment.pop("API", None)
    process = subprocess.Popen([sys.executable, "-m", "local.stack"], cwd=ROOT, env=environment, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: queue.Queue[str] = queue.Queue()
    # Read to the end, so the stack never blocks on a full pipe while the walkthroughs run.
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout or []], daemon=True).start()
    banner: list[str] = []
    try:
        while not (banner and "Ctrl-C stops it" in banner[-1]):
            banner.append(lines.get(timeout=PATIENCE).rstrip("\n"))
        exported = [line.split("export API=", 1)[1].strip() for line in banner if "export API=" in line]
        assert len(exported) == 1, banner
        yield exported[0]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_walkthroughs_are_shell_blocks_of_their_sections(readme_blocks: list[Block]):
    """What the run below covers: every walkthrough section has shell to run, and the stack is started as told."""
    sections = {block.section for block in readme_blocks if block.lang == "bash"}
    assert {"Walkthrough", "Walkthrough: a WooCommerce store", "Walkthrough: an Unleashed account",
            "Walkthrough: a Starshipit account", "Walkthrough: a Rose Rocket organisation (tenant-level)",
            "Walkthrough: customers, reconfigure, delete, and the week's bill",
            "Walkthrough: the web console"} <= sections
    assert stack_environment(readme_blocks).get("LOCAL_FAST_RETRY")  # step 4's dead letters in seconds


def test_the_walkthroughs_pasted_in_order_into_one_shell(api: str, readme_blocks: list[Block], tmp_path: Path):
    runnable = [block for block in readme_blocks if block.lang == "bash"]
    before = {path.name for path in ROOT.iterdir()}
    # stderr beside stdout: a failing command's message stays in its block's output.
    run = subprocess.run(["bash", "-c", script(runnable)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=RUN_TIMEOUT, env={**os.environ, "API": api, "TMPDIR": str(tmp_path)})
    done = outputs(run.stdout)
    if run.returncode != 0 or len(done) != len(runnable):
        failed = next(index for index in range(len(runnable)) if index not in done)
        block = runnable[failed]
        pytest.fail(f"README.md line {block.line} ({block.section}) failed, exit {run.returncode}:\n{block.code}\n"
                    f"--- its output ---\n{run.stdout.rpartition(f'{MARK} {failed} start')[2]}")

    def said(fragment: str) -> str:
        """The output of the one block whose code holds ``fragment``."""
        matches = [index for index, block in enumerate(runnable) if fragment in block.code]
        assert len(matches) == 1, f"{fragment!r} is in {len(matches)} blocks"
        return done[matches[0]]

    # The WMS walkthrough: the asynchronous chain, the refused signature, the retry, the dead letter replayed.
    assert "[fan-out]" in said('"status":"PACKED","trackingNumber":"TRK-1"')
    signed = said("--secret wrong")
    assert '"accepted":true' in signed and "401" in signed and "[unchanged]" in signed
    # With the fast retry the README starts the stack with, the log says the retry it really makes (issue 20)
    assert "[retry] Attempt 1 failed: CartonCloud answered 429" in said('"count":4')
    assert "next try in about 1 s" in said('"count":4')
    replayed = said("/replay")
    assert '"moved": 1' in replayed and "[dead-lettered] Gave up after 5 attempts: CartonCloud answered 429" in replayed
    # Each platform's round trip, and the sync log reached through the management API.
    assert "completed" in said("WOO_WMS_ORDER/status")
    # Each platform's live check, as its walkthrough shows it (issue 21)
    woo_check = said("$WOO_ID/check")
    assert "Live check of the WooCommerce account:" in woo_check and "refuted: tracking-extension" in woo_check
    ul_check = said("$UL_ID/check")
    assert "Live check of the Unleashed account:" in ul_check and "refuted: subscription-api" in ul_check
    ssi_check = said("$SSI_ID/check")
    assert "Live check of the Starshipit account:" in ssi_check and "refuted: order-lookup-missing" in ssi_check
    rr_check = said("$RR_ID/check")
    assert "Live check of the Rose Rocket account:" in rr_check and "refuted: status-spelling" in rr_check
    assert "Dispatched" in said("UL_WMS_ORDER/status")
    assert "X-Reprint: true" in said("label.pdf") and "%PDF-1.4" in said("label.pdf")
    assert "Unleashed API calls in" in said("api-usage")
    assert "No matching rate found." in said('"rateCard":null') and "Standard Rate Card" in said('"rateCard":null')
    assert "invoiced paid" in said("$INV/approve")
    # The bill: the deleted WooCommerce integration is charged for this week.
    assert "Steam Chef shop" in said("statements/$WEEK")

    folders = [path for path in tmp_path.iterdir() if path.is_dir()]
    assert len(folders) == 1, folders  # the walkthroughs' one mktemp -d
    saved = folders[0]
    assert sorted(path.name for path in saved.iterdir()) == sorted(SAVED)
    assert (saved / "label.pdf").read_bytes().startswith(b"%PDF-1.4")
    assert {path.name for path in ROOT.iterdir()} - before == set(), "the walkthroughs wrote into the repository"
    assert "Traceback" not in run.stdout


def test_signing_against_no_stack_says_what_to_do(capsys):
    """The walkthrough's ``--send`` with nothing listening at the API: a plain sentence and exit 2, no traceback."""
    with socket.socket() as probe:  # a port nothing listens on: bound, then closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert sign_notification.main(["--entity-id", "o-1", "--api", f"http://127.0.0.1:{port}", "--send"]) == 2
    message = capsys.readouterr().err
    assert message.startswith(f"No local stack answers at http://127.0.0.1:{port} (")
    assert "make run" in message and "export API=" in message
