"""The local stack's child processes, and the little protocol the stack drives them with.

Everything in one Python process shares one interpreter lock: during a burst the workers, moto and the sandboxes
kept the WooCommerce door waiting 5–15 s for its turn, longer than a store waits for a delivery (issue 10). So the
stack runs moto, the sandboxes and the API stand-in (with the functions behind HTTP routes) each in a process of its
own (:mod:`local.roles`), and keeps the queue consumers, the scheduler and the operator endpoints in the parent.

Protocol: the parent starts ``python -m local.processes ROLE REPLY_FD`` in a process group of its own (so a Ctrl-C
in the terminal reaches only the parent, which stops the children in order). It writes one JSON command per line on
the child's stdin; the child answers each with one JSON line on ``REPLY_FD``: ``{"ok": {...}}`` or ``{"error": ...,
"kind": ...}``. The child's stdout and stderr are its logs. A child stops, exiting 0, when its stdin closes (the
parent stopped it, or died) or on SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
log = logging.getLogger("local.processes")


class ChildFailed(RuntimeError):
    """A child process refused a command or exited; its own log (stderr) says why."""

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind


class ChildProcess:
    """The parent's handle on one child: :meth:`call` a command, :meth:`stop` it."""

    def __init__(self, role: str, *, output: IO[Any] | int | None = None) -> None:
        self.role = role
        read_end, write_end = os.pipe()
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter running our own module
                [sys.executable, "-m", "local.processes", role, str(write_end)], cwd=ROOT, text=True,
                stdin=subprocess.PIPE, stdout=output, stderr=output, pass_fds=(write_end,), process_group=0)
        finally:
            os.close(write_end)
        self._replies: queue.Queue[str] = queue.Queue()
        #: One command at a time: replies come back in order, so two threads' calls (operator requests answered
        #: concurrently) must not interleave.
        self._calling = threading.Lock()
        reader = os.fdopen(read_end, "r", encoding="utf-8")
        threading.Thread(target=self._read, args=(reader,), name=f"{role}-replies", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self, reader: IO[str]) -> None:
        with reader:
            for line in reader:
                self._replies.put(line)
        self._replies.put("")  # the child closed its end: it exited

    def call(self, command: str, *, timeout: float = 120, **arguments: Any) -> dict[str, Any]:
        """Send ``command`` and wait for its answer (the child's ``ok`` object)."""
        assert self.process.stdin is not None
        with self._calling:
            try:
                self.process.stdin.write(json.dumps({"command": command, **arguments}) + "\n")
                self.process.stdin.flush()
                line = self._replies.get(timeout=timeout)
            except BrokenPipeError:
                line = ""
            except queue.Empty:
                raise ChildFailed(f"{self.role}: no answer to {command!r} within {timeout:.0f}s") from None
        if not line:
            code = self.process.wait(timeout=10)
            raise ChildFailed(f"{self.role} process exited ({code}) during {command!r}; its log above says why")
        reply = json.loads(line)
        if "error" in reply:
            raise ChildFailed(f"{self.role}: {reply['error']}", reply.get("kind"))
        return reply["ok"]  # type: ignore[no-any-return]

    def stop(self, timeout: float = 10) -> int:
        """Close its stdin (it stops and exits 0); SIGTERM, then SIGKILL, if it does not in time."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s process did not stop in %.0fs; terminating it", self.role, timeout)
            self.process.terminate()
            try:
                return self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return self.process.wait()


# --- the child's side ------------------------------------------------------------------------------------------------


def serve(role_name: str, reply_fd: int) -> int:
    """Run one role until stdin closes or SIGTERM; every command answered on ``reply_fd``."""
    from .roles import ROLES

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop, and in which order
    commands: queue.Queue[str | None] = queue.Queue()
    signal.signal(signal.SIGTERM, lambda *_: commands.put(None))

    def read_commands() -> None:
        for line in sys.stdin:
            commands.put(line)
        commands.put(None)

    threading.Thread(target=read_commands, name="commands", daemon=True).start()
    role = ROLES[role_name]()
    with os.fdopen(reply_fd, "w", encoding="utf-8", buffering=1) as replies:
        try:
            while (line := commands.get()) is not None:
                request = json.loads(line)
                try:
                    answer: dict[str, Any] = {"ok": role.handle(request.pop("command"), request)}
                except Exception as exc:
                    logging.getLogger(f"local.{role_name}").exception("command failed")
                    answer = {"error": str(exc), "kind": type(exc).__name__}
                replies.write(json.dumps(answer) + "\n")
        finally:
            role.stop()
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=os.environ.get("LOCAL_LOG_LEVEL", "INFO"),
                        format=f"%(asctime)s %(levelname)-7s [{sys.argv[1]}] %(name)s: %(message)s",
                        datefmt="%H:%M:%S")
    for noisy in ("werkzeug", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    sys.exit(serve(sys.argv[1], int(sys.argv[2])))
