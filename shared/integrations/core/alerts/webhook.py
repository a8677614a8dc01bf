"""A tenant's alert webhook: one signed JSON POST per check with every notice (docs/alerts.md).

The body is what a chat tool takes as it is (``text``: each headline and its link, as Slack's and Teams' incoming
webhooks read it) and what a program reads (``alerts``: one object per notice). It is signed as our own doors expect
others to sign: ``X-Alert-Timestamp`` (Unix seconds) and ``X-Alert-Signature: v1=<hex HMAC-SHA256 of
"{timestamp}.{raw body}">`` with the tenant's webhook secret, so a receiver can refuse forgeries and replays.

The words a failure is reported in never carry the webhook's address (a chat tool's webhook URL is itself a
credential) nor the secret.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from ..crypto import SealedSecretUnreadable
from ..deadline import OutOfTime
from ..errors import UpstreamAddressInvalid, UpstreamError
from ..http import HttpPolicy, UpstreamSession
from ..signing import sign_timestamped
from .model import TENANT_SUBJECT, Alert
from .notices import Notice

if TYPE_CHECKING:
    from ..stores.tenants import Tenant

TIMESTAMP_HEADER = "X-Alert-Timestamp"
SIGNATURE_HEADER = "X-Alert-Signature"
#: How the HTTP policy names it (never in a tenant's words: those are written here).
UPSTREAM = "Alert webhook"
#: A chat tool answers in a second; a check must not wait long on a receiver that hangs (it tries again in 5 min).
_POLICY = HttpPolicy(connect_timeout=3.05, read_timeout=10.0, max_attempts=3, max_delay=4.0, max_inline_wait=10.0)
#: How much of a refusing receiver's answer is quoted back to the tenant.
_QUOTED = 200


def new_webhook_secret() -> str:
    """A fresh signing secret for a tenant's alert webhook (shown to the tenant once, stored sealed)."""
    import secrets

    return secrets.token_urlsafe(32)


def seal_webhook_secret(tenant_id: str, secret: str) -> str:
    """``secret`` sealed for the tenant as :func:`post` opens it (``AlertChannels.webhook_secret``): the
    ``{"secret": …}`` shape of the WMS notification secret."""
    from ..context import core

    return core().vault.seal({"secret": secret}, tenant_id=tenant_id)


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The headers that sign ``body`` at ``now`` (Unix seconds; the current time by default)."""
    timestamp = int(time.time() if now is None else now)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign_timestamped(secret, timestamp, body)}


def payload(notices: Sequence[Notice], customer_of: Callable[[Alert], str]) -> dict[str, Any]:
    """The JSON body of one post: ``text`` for a chat tool, ``alerts`` for a program."""
    lines = [f"{notice.headline} {notice.page_url}" for notice in notices]
    text = lines[0] if len(lines) == 1 else f"{len(lines)} alerts:\n" + "\n".join(f"• {line}" for line in lines)
    return {"text": text, "alerts": [_alert(notice, customer_of) for notice in notices]}


def _alert(notice: Notice, customer_of: Callable[[Alert], str]) -> dict[str, Any]:
    alert = notice.alert
    integration = None if alert.subject == TENANT_SUBJECT else {
        "id": alert.subject, "name": alert.integration_name, "platform": alert.platform,
        "customerId": alert.customer_id or None, "customerName": customer_of(alert) or None}
    return {"headline": notice.headline, "notice": notice.kind.value, "integration": integration,
            "condition": alert.condition, "state": alert.state.value, "level": alert.level.value,
            "summary": alert.summary, "whatToDo": alert.what_to_do, "url": notice.page_url,
            "openedAt": alert.opened_at, "resolvedAt": alert.resolved_at}


def post(tenant: Tenant, notices: Sequence[Notice], customer_of: Callable[[Alert], str], *,
         session: UpstreamSession | None = None) -> str | None:
    """POST every notice to the tenant's alert webhook in one signed request; None when it took them (2xx), else
    why not, in words a tenant reads."""
    channels = tenant.alerts.channels
    assert channels.webhook_url
    if not channels.webhook_secret:
        return "the alert webhook has no signing secret: generate one in the alert settings"
    from ..context import core

    try:
        secret = core().vault.open(channels.webhook_secret, tenant_id=tenant.tenant_id).reveal("secret")
    except (SealedSecretUnreadable, KeyError):
        return "the alert webhook's signing secret could not be read: generate a new one in the alert settings"
    body = json.dumps(payload(notices, customer_of), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "integrations-alerts/1",
               **signed_headers(secret, body)}
    session = session or UpstreamSession(UPSTREAM, policy=replace(_POLICY, base_delay=HttpPolicy.from_settings()
                                                                   .base_delay))
    try:
        response = session.request("POST", channels.webhook_url, headers=headers, data=body)
    except OutOfTime:
        return "this check ran out of time before posting to the alert webhook; tried again at the next check"
    except UpstreamAddressInvalid:
        return "the alert webhook's address can't be called: check it in the alert settings"
    except UpstreamError as exc:
        if exc.status is None:
            return (f"the alert webhook did not answer ({_cause(exc)}, {session.policy.max_attempts} tries); "
                    "tried again at the next check")
        return (f"the alert webhook answered {_status(exc.status)} ({session.policy.max_attempts} tries or its "
                "Retry-After); tried again at the next check")
    if 200 <= response.status_code < 300:
        return None
    said = " ".join(response.text.split())[:_QUOTED]
    redirect = " (a redirect: set the address it points to)" if 300 <= response.status_code < 400 else ""
    return f"the alert webhook answered {_status(response.status_code)}{redirect}" + (f": {said}" if said else "")


def _status(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _cause(exc: UpstreamError) -> str:
    """``ConnectionError`` / ``ReadTimeout``: the policy's message ends with the exception's type, never its text."""
    return str(exc).rsplit(": ", 1)[-1] if ": " in str(exc) else "no answer"
