"""How a test or the local stack reaches a sandbox: in-process through ``responses`` (no sockets), or served over
HTTP on 127.0.0.1 by ``http.server``. Both end in :meth:`~local.sandboxes.base.Sandbox.handle`, so the two cannot
drift apart."""

from __future__ import annotations

import logging
import re
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import responses
from requests.structures import CaseInsensitiveDict

from .base import EXTRA_REASONS, Sandbox, SandboxRequest, SandboxResponse

log = logging.getLogger(__name__)


# --- in-process: responses -------------------------------------------------------------------------------------------


class _SandboxCallback(responses.CallbackResponse):
    """One registration for every method on a base URL (so an unused method is not an "unfired" mock)."""

    def matches(self, request: requests.PreparedRequest) -> tuple[bool, str]:
        if not self._url_matches(self.url, str(request.url)):
            return False, "URL does not match"
        return True, ""


def install_responses(rsps: responses.RequestsMock, sandbox: Sandbox, base_url: str) -> None:
    """Route every ``requests`` call under ``base_url`` into ``sandbox.handle`` in-process (no sockets).

    The registration counts as fired once any request reaches the sandbox, so a ``RequestsMock`` with
    ``assert_all_requests_are_fired=True`` still fails a test that never called it.
    """
    base = base_url.rstrip("/")
    base_path = urlsplit(base).path
    pattern = re.compile(re.escape(base) + r"(?:[/?#].*)?$")

    def callback(prepared: requests.PreparedRequest) -> Any:
        url = urlsplit(str(prepared.url))
        path = unquote(url.path)
        if base_path and path.startswith(base_path):
            path = path[len(base_path):]
        body: Any = prepared.body  # str, bytes, None or (streamed uploads) an iterable of chunks
        if body is None:
            raw = b""
        elif isinstance(body, str):
            raw = body.encode("utf-8")
        elif isinstance(body, bytes):
            raw = body
        else:
            raw = b"".join(chunk if isinstance(chunk, bytes) else str(chunk).encode() for chunk in body)
        answer = sandbox.handle(
            SandboxRequest(
                method=str(prepared.method),
                path=path or "/",
                query=parse_qs(url.query, keep_blank_values=True),
                headers=CaseInsensitiveDict(dict(prepared.headers)),
                body=raw,
                raw_query=url.query,
            )
        )
        if answer.disconnect:
            return requests.ConnectionError(f"{sandbox.name} sandbox dropped the connection (injected fault)")
        return answer.status, dict(answer.headers), answer.body

    rsps.add(_SandboxCallback("ANY", pattern, callback=callback, content_type=None))


# --- over HTTP: http.server ------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _SandboxServer

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = SandboxRequest(
            method=self.command,
            path=unquote(url.path),
            query=parse_qs(url.query, keep_blank_values=True),
            headers=CaseInsensitiveDict(dict(self.headers.items())),
            body=body,
            raw_query=url.query,
        )
        try:
            answer = self.server.sandbox.handle(request)
        except Exception:  # a sandbox bug: answer 500 rather than hang the client
            log.exception("%s sandbox failed on %s %s", self.server.sandbox.name, self.command, self.path)
            answer = SandboxResponse.json(500, [{"message": "sandbox error"}])
        if answer.disconnect:
            self.close_connection = True
            return
        reason = EXTRA_REASONS.get(answer.status)
        self.send_response(answer.status, reason)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s sandbox: " + format, self.server.sandbox.name, *args)


class _SandboxServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        super().__init__(address, _Handler)


def serve(
    sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingHTTPServer, threading.Thread, str]:
    """Serve ``sandbox`` on ``host:port`` (0: any free port) from a daemon thread; ``server.shutdown()`` stops it."""
    server = _SandboxServer((host, port), sandbox)
    thread = threading.Thread(target=server.serve_forever, name=f"{sandbox.name}-sandbox", daemon=True)
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    return server, thread, f"http://{bound_host!s}:{bound_port}"


def serve_until_stopped(server: ThreadingHTTPServer, base_url: str) -> int:
    """Print ``base_url``, then keep serving until SIGTERM (how the local stack stops us) or Ctrl-C; returns 0.

    The standalone ``python -m local.sandboxes.<platform>`` servers end in this.
    """
    print(base_url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0
