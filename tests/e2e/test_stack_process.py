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

from local import demo

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


def assert_short_banner(banner: list[str], api: str) -> None:
    """What a person needs first is on screen when the stack is ready: the banner is short and ends with the API, the
    console and the ready line; the README's walkthroughs take ``API`` from its ``export API=`` line."""
    assert len(banner) <= 25, "\n".join(banner)
    assert banner[-1].startswith("Local stack ready in") and banner[-1].endswith("Ctrl-C stops it.")
    assert re.match(rf"\s+Web console\s+{re.escape(api)}/console/", banner[-2])
    assert re.match(rf"\s+API \(API Gateway stand-in\)\s+{re.escape(api)}$", banner[-3])
    assert f"export API={api}" in banner[-4]
    assert any("Demo tenant" in line and demo.TENANT_ID in line for line in banner)
    assert any("--verbose" in line for line in banner)
    assert not any(" → " in line for line in banner)  # no route, queue or schedule: those are --verbose's


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
        while "Ctrl-C stops it" not in output:
            output += lines.get(timeout=PATIENCE)
        api = re.search(r"API \(API Gateway stand-in\)\s+(\S+)", output)[1]
        assert_short_banner(output.splitlines(), api)

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
    """SIGKILL leaves no handler to run: each child sees its stdin close and stops by itself. (Started with
    LOCAL_VERBOSE=1: the long banner, its summary still last.)"""
    process = subprocess.Popen(
        [sys.executable, "-m", "local.stack", "--free-ports", "--no-schedules"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "LOCAL_VERBOSE": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    output = ""
    try:
        while "Ctrl-C stops it" not in output:
            output += lines.get(timeout=PATIENCE)
        banner = output.splitlines()
        assert "POST /wms/{tenantId}/notifications → WmsNotificationFunction" in output
        assert "queue WmsQueue → WmsWorkerFunction" in output and "Demo data (cartoncloud):" in output
        assert banner[-1].startswith("Local stack ready in") and "Web console" in banner[-2]
        children = children_of(process.pid)
        assert len(children) == 3
        process.kill()
        process.wait(timeout=PATIENCE)
        assert wait_gone(children) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
