"""`make run`'s process: it starts its children, serves, and on Ctrl-C (SIGINT) or SIGTERM stops cleanly with nothing
left behind — nor when it is killed outright."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from .conftest import PATIENCE

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def wait_gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + PATIENCE
    while (left := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


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

        health = requests.get(f"{api}/_local/health", timeout=10).json()
        assert health["status"] == "ok"
        children = children_of(process.pid)
        assert sorted(children) == sorted(pid for role, pid in health["processes"].items() if role != "stack")
        assert len(children) == 3  # moto, the sandboxes, the API stand-in

        process.send_signal(signum)
        assert process.wait(timeout=PATIENCE) == 0
        assert wait_gone(children) == []
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


def test_children_stop_when_the_stack_is_killed_outright():
    """SIGKILL leaves no handler to run: each child sees its stdin close and stops by itself."""
    process = subprocess.Popen(
        [sys.executable, "-m", "local.stack", "--free-ports", "--no-schedules"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    output = ""
    try:
        while "Ctrl-C stops it" not in output:
            output += lines.get(timeout=PATIENCE)
        children = children_of(process.pid)
        assert len(children) == 3
        process.kill()
        process.wait(timeout=PATIENCE)
        assert wait_gone(children) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
