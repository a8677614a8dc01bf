import base64
import hashlib
import hmac
import time

import pytest
from integrations.core.errors import SignatureInvalid
from integrations.core.signing import sign_timestamped, verify_base64_body_signature, verify_timestamped

SECRET = "s3cret-notification-key"
BODY = (b'{"id":"n-1","tenantId":"t-1","entityType":"OUTBOUND_ORDER","entityId":"o-1",'
        b'"eventTime":"2026-11-21T10:00:00+10:00"}')


def test_valid_signature_over_timestamp_and_raw_body_passes():
    now = time.time()
    ts = str(int(now))
    expected = hmac.new(SECRET.encode(), f"{ts}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign_timestamped(SECRET, ts, BODY) == f"v1={expected}"
    verify_timestamped(secret=SECRET, timestamp=ts, signature_header=f"v1={expected}", body=BODY, now=now)


@pytest.mark.parametrize(
    ("secret", "timestamp", "signature", "body", "reason"),
    [
        ("", "NOW", "SIG", BODY, "No signing secret"),
        (None, "NOW", "SIG", BODY, "No signing secret"),
        (SECRET, None, "SIG", BODY, "Missing signature or timestamp"),
        (SECRET, "NOW", None, BODY, "Missing signature or timestamp"),
        (SECRET, "NOW", "SIG", BODY + b" ", "does not match"),
        (SECRET, "NOW", "v1=" + "0" * 64, BODY, "does not match"),
        (SECRET, "yesterday", "SIG", BODY, "not an integer"),
    ],
)
def test_bad_signatures_are_refused(secret, timestamp, signature, body, reason):
    now = int(time.time())
    ts = str(now) if timestamp == "NOW" else timestamp
    sig = sign_timestamped(SECRET, now, BODY) if signature == "SIG" else signature
    with pytest.raises(SignatureInvalid, match=reason):
        verify_timestamped(secret=secret, timestamp=ts, signature_header=sig, body=body, now=now)


@pytest.mark.parametrize("skew", [-301, 301])
def test_timestamps_outside_five_minutes_are_refused(skew):
    now = 1_763_700_000
    sent = now + skew
    with pytest.raises(SignatureInvalid, match="tolerance"):
        verify_timestamped(secret=SECRET, timestamp=str(sent), signature_header=sign_timestamped(SECRET, sent, BODY),
                           body=BODY, now=now)


def test_timestamps_inside_five_minutes_pass():
    now = 1_763_700_000
    for sent in (now - 300, now + 300):
        # verify_timestamped raises SignatureInvalid on any failure and returns None when the signature holds
        assert verify_timestamped(secret=SECRET, timestamp=str(sent), body=BODY, now=now,
                                  signature_header=sign_timestamped(SECRET, sent, BODY)) is None


def test_any_of_several_signatures_passes_during_rotation():
    now = 1_763_700_000
    old = sign_timestamped("old-secret", now, BODY)
    new = sign_timestamped(SECRET, now, BODY)
    verify_timestamped(secret=SECRET, timestamp=str(now), signature_header=f"{old}, {new}", body=BODY, now=now)
    with pytest.raises(SignatureInvalid):
        verify_timestamped(secret=SECRET, timestamp=str(now), signature_header=old, body=BODY, now=now)


def test_base64_body_signature_as_woocommerce_signs():
    signature = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()).decode()
    verify_base64_body_signature(secret=SECRET, signature=signature, body=BODY)
    with pytest.raises(SignatureInvalid):
        verify_base64_body_signature(secret=SECRET, signature=signature, body=BODY.replace(b"o-1", b"o-2"))
    with pytest.raises(SignatureInvalid, match="No signing secret"):
        verify_base64_body_signature(secret="", signature=signature, body=BODY)
