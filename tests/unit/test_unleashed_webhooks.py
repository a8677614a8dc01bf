"""The door's signature check and the delivery's reading (the standard-webhooks test matrix, Unleashed's scheme)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from integrations.core.errors import SignatureInvalid
from integrations.unleashed.door import BadDelivery, order_guid, sign, verify_signature
from integrations.unleashed.models import WebhookDelivery

VENDOR = Path(__file__).parents[1] / "fixtures" / "vendor" / "unleashed"
KEY = "subscription-signing-key"
BODY = (VENDOR / "webhook-delivery.COMPOSED.json").read_bytes()


def test_a_genuine_delivery_verifies():
    now = int(time.time())
    signature = sign(KEY, now, BODY)
    verify_signature(key=KEY, timestamp=str(now), signature=signature, body=BODY)  # raises if not
    with pytest.raises(SignatureInvalid):  # and the very same signature over any other body does not
        verify_signature(key=KEY, timestamp=str(now), signature=signature, body=BODY[:-1])


@pytest.mark.parametrize(("case", "message"), [
    ("wrong key", "does not match"), ("tampered", "does not match"), ("old", "tolerance"), ("future", "tolerance"),
    ("no signature", "Missing"), ("no timestamp", "Missing"), ("not seconds", "integer"), ("no key", "No signing"),
    ("non-ascii", "does not match"),
])
def test_anything_else_is_refused(case, message):
    now = int(time.time())
    key, timestamp, body = KEY, str(now), BODY
    signature = sign(KEY, now, BODY)
    if case == "wrong key":
        signature = sign("guessed", now, BODY)
    elif case == "tampered":
        body = BODY.replace(b"updated", b"created")
    elif case in ("old", "future"):
        timestamp = str(now - 301 if case == "old" else now + 301)
        signature = sign(KEY, timestamp, BODY)
    elif case == "no signature":
        signature = ""
    elif case == "no timestamp":
        timestamp = ""
    elif case == "not seconds":
        timestamp = "1.7e9"
    elif case == "no key":
        key = ""
    elif case == "non-ascii":
        signature = "é" * 44
    with pytest.raises(SignatureInvalid, match=message):
        verify_signature(key=key, timestamp=timestamp, signature=signature, body=body)


def test_the_order_guid_is_read_from_the_data_string_or_object():
    delivery = WebhookDelivery.model_validate_json(BODY)
    assert order_guid(delivery) == "b0e1f7b1-2e77-4751-b694-156330575685"
    as_object = delivery.model_copy(update={"data": {"SalesOrderGuid": "B0E1F7B1-2E77-4751-B694-156330575685"}})
    assert order_guid(as_object) == "b0e1f7b1-2e77-4751-b694-156330575685"
    for data in ("not json", json.dumps({"salesOrderGuid": "SO-1"}), json.dumps([1]), None):
        with pytest.raises(BadDelivery) as refused:
            order_guid(delivery.model_copy(update={"data": data}))
        assert refused.value.field in ("data", "data.salesOrderGuid")
