"""The alert webhook's signature (docs/alerts.md): what a receiver recomputes from the secret, the timestamp header
and the raw body, and what our own doors' check accepts."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from integrations.core.alerts.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from integrations.core.errors import SignatureInvalid
from integrations.core.signing import verify_timestamped

from local.sandboxes.alert_hook import signature_problem

SECRET = "alert-hook-secret"
BODY = '{"text":"Alert: WooCommerce \\"Steam shop\\" — 3 orders need attention","alerts":[]}'.encode()
NOW = 1_796_679_805


def test_the_signature_is_the_hex_hmac_sha256_of_timestamp_dot_raw_body():
    headers = signed_headers(SECRET, BODY, now=NOW + 0.9)

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers == {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: f"v1={expected}"}


def test_a_receiver_following_the_description_and_our_own_check_both_accept_it():
    headers = signed_headers(SECRET, BODY, now=NOW)

    assert signature_problem(SECRET, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], BODY, NOW + 60) is None
    verify_timestamped(secret=SECRET, timestamp=headers[TIMESTAMP_HEADER],
                       signature_header=headers[SIGNATURE_HEADER], body=BODY, now=NOW + 60)


@pytest.mark.parametrize(("secret", "body", "now", "problem"), [
    ("another-secret", BODY, NOW, "does not match"),
    (SECRET, BODY + b" ", NOW, "does not match"),
    (SECRET, BODY, NOW + 301, "stale or replayed"),
])
def test_another_secret_a_changed_body_or_a_stale_timestamp_is_refused(secret, body, now, problem):
    headers = signed_headers(SECRET, BODY, now=NOW)

    assert problem in (signature_problem(secret, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], body, now)
                       or "")
    with pytest.raises(SignatureInvalid):
        verify_timestamped(secret=secret, timestamp=headers[TIMESTAMP_HEADER],
                           signature_header=headers[SIGNATURE_HEADER], body=body, now=now)
