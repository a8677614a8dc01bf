"""Signature checks over raw request bodies, always in constant time, never with an empty secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from .errors import SignatureInvalid

#: Replay window for timestamped signatures (Stripe's and Standard Webhooks' tolerance): docs/wms-notifications.md
DEFAULT_TOLERANCE_SECONDS = 300
#: Unix seconds have 10 digits until the year 2286; anything much longer is not a timestamp.
MAX_TIMESTAMP_DIGITS = 12


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()


def sign_timestamped(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``v1=<hex>`` signature of ``"{timestamp}.{body}"`` (what senders compute; used by tests and sandboxes)."""
    return "v1=" + hmac_sha256(secret, f"{timestamp}.".encode() + body).hex()


def sign_timestamped_base64(secret: str, timestamp: int | str, body: bytes) -> str:
    """The base64 HMAC-SHA256 of ``"{timestamp}.{body}"``, with no prefix (the other spelling platforms use)."""
    return base64.b64encode(hmac_sha256(secret, f"{timestamp}.".encode() + body)).decode("ascii")


def _required(secret: str | None, timestamp: str | None, signature: str | None) -> tuple[str, str, str]:
    if not secret:
        # An empty secret would let anyone sign (n8n PR#28964, newspack PR#475): refuse outright.
        raise SignatureInvalid("No signing secret is configured for this sender; every request is refused")
    if not timestamp or not signature:
        raise SignatureInvalid("Missing signature or timestamp header")
    return secret, timestamp, signature


def _fresh(timestamp: str, tolerance: int, now: float | None) -> int:
    """The timestamp as Unix seconds, once it is one and within ``tolerance`` of now."""
    # ASCII digits only, and few enough that no float or overflow ever comes into it.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= MAX_TIMESTAMP_DIGITS):
        raise SignatureInvalid("Signature timestamp is not an integer of seconds")
    sent_at = int(timestamp)
    if abs((now if now is not None else time.time()) - sent_at) > tolerance:
        raise SignatureInvalid(f"Signature timestamp is outside the {tolerance}s tolerance")
    return sent_at


def verify_timestamped(
    *,
    secret: str | None,
    timestamp: str | None,
    signature_header: str | None,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> None:
    """Check a ``v1=<hex>`` HMAC-SHA256 over ``"{timestamp}.{raw body}"``; raise :class:`SignatureInvalid` if not.

    ``signature_header`` may list several comma-separated signatures (secret rotation): any valid one passes.
    """
    secret, timestamp, signature_header = _required(secret, timestamp, signature_header)
    sent_at = _fresh(timestamp, tolerance, now)
    expected = hmac_sha256(secret, f"{sent_at}.".encode() + body).hex().encode()
    candidates = [part.strip()[3:] for part in signature_header.split(",") if part.strip().startswith("v1=")]
    # compare_digest on every candidate, as bytes (a non-ASCII header can't raise): no early exit that would
    # time-leak which one matched.
    matched = [hmac.compare_digest(expected, candidate.encode("utf-8", "replace")) for candidate in candidates]
    if not any(matched):
        raise SignatureInvalid("Signature does not match the body")


def verify_timestamped_base64(*, secret: str | None, timestamp: str | None, signature: str | None, body: bytes,
                              tolerance: int = DEFAULT_TOLERANCE_SECONDS, now: float | None = None) -> None:
    """Check one base64 HMAC-SHA256 over ``"{timestamp}.{raw body}"`` (timestamp and signature in headers the
    connector names), the timestamp within ``tolerance``; raise :class:`SignatureInvalid` if not."""
    secret, timestamp, signature = _required(secret, timestamp, signature)
    _fresh(timestamp, tolerance, now)
    expected = sign_timestamped_base64(secret, timestamp, body).encode("ascii")
    if not hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace")):
        raise SignatureInvalid("Signature does not match the body")


def verify_base64_body_signature(*, secret: str | None, signature: str | None, body: bytes) -> None:
    """Check a base64 HMAC-SHA256 of the raw body (the connector says which header carries it)."""
    if not secret:
        raise SignatureInvalid("No signing secret is configured for this sender; every request is refused")
    if not signature:
        raise SignatureInvalid("Missing signature header")
    expected = base64.b64encode(hmac_sha256(secret, body))
    if not hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace")):
        raise SignatureInvalid("Signature does not match the body")
