"""`make run`'s process: it starts, serves, and on Ctrl-C (SIGINT) or SIGTERM stops cleanly with nothing left behind."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from .conftest import PATIENCE

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (from /proc: this runs on Linux, as the stack does)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited while we looked
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_stack_process_serves_then_stops_on_a_signal_leaving_no_process(signum):
    process = subprocess.Popen(
        [sys.executable, "-m", "local.stack", "--free-ports", "--no-schedules"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
    reader.start()
    output = ""
    try:
        while not (found := re.search(r"API \(API Gateway stand-in\)\s+(\S+)", output)):
            output += lines.get(timeout=PATIENCE)
        api = found[1]

        assert requests.get(f"{api}/_local/health", timeout=10).json()["status"] == "ok"
        assert children_of(process.pid) == []  # threads only: nothing to leave behind

        process.send_signal(signum)
        assert process.wait(timeout=PATIENCE) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(timeout=PATIENCE)
    while not lines.empty():
        output += lines.get()
    assert "Stopped" in output
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{api}/_local/health", timeout=2)
