"""The alert-hook sandbox answers as a careful receiver would: 200 to a good signature, 401 with the reason to a
missing, stale or wrong one, 404 to a receiver it doesn't have; it keeps every delivery and lists them newest first."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from local.sandboxes.alert_hook import AlertHookSandbox
from local.sandboxes.base import SandboxRequest

SECRET = "hook-secret"
NOW = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)
BODY = b'{"text":"Alert","alerts":[]}'


def signed(timestamp: int, secret: str = SECRET, body: bytes = BODY) -> dict[str, str]:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Alert-Timestamp": str(timestamp), "X-Alert-Signature": f"v1={digest}"}


def post(sandbox: AlertHookSandbox, headers: dict[str, str], receiver: str = "ops") -> tuple[int, object]:
    answer = sandbox.handle(SandboxRequest("POST", f"/hooks/{receiver}", headers=headers, body=BODY))
    return answer.status, answer.parsed()


def test_it_accepts_a_good_signature_and_refuses_bad_missing_and_stale_ones():
    sandbox = AlertHookSandbox(now=lambda: NOW)
    sandbox.add_receiver("ops", SECRET)
    now = int(NOW.timestamp())

    assert post(sandbox, signed(now - 10)) == (200, {"ok": True})
    assert post(sandbox, signed(now, secret="wrong")) == (401, {"error": "signature does not match the body"})
    assert post(sandbox, {}) == (401, {"error": "missing X-Alert-Timestamp or X-Alert-Signature"})
    assert post(sandbox, signed(now - 301))[0] == 401
    assert post(sandbox, signed(now), receiver="nobody")[0] == 404

    listed = sandbox.handle(SandboxRequest("GET", "/_control/hooks/ops")).parsed()
    assert [(d["status"], d["verified"]) for d in listed["deliveries"]] == [
        (401, False), (401, False), (401, False), (200, True)]
    assert listed["deliveries"][1]["reason"] == "missing X-Alert-Timestamp or X-Alert-Signature"
    assert listed["deliveries"][-1]["body"] == {"text": "Alert", "alerts": []}


def test_a_receiver_is_set_up_through_the_control_api():
    sandbox = AlertHookSandbox(now=lambda: NOW)

    answer = sandbox.handle(SandboxRequest("PUT", "/_control/hooks/room-1", body=b'{"secret": "s"}'))

    assert answer.status == 200 and sandbox.secrets == {"room-1": "s"}
    assert sandbox.handle(SandboxRequest("PUT", "/_control/hooks/room-1", body=b"{}")).status == 400
    assert sandbox.handle(SandboxRequest("GET", "/_control/hooks/unknown")).status == 404
