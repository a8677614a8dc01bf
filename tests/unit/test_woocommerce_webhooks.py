"""The door's pure parts: telling WooCommerce's ping from a delivery, and the version key that dedupes deliveries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from integrations.woocommerce.door import ping_webhook_id
from integrations.woocommerce.models import WooOrder
from integrations.woocommerce.refs import order_version
from integrations.woocommerce.webhooks import same_url

VENDOR = Path(__file__).parents[1] / "fixtures" / "vendor" / "woocommerce"


@pytest.mark.parametrize(("headers", "body", "expected"), [
    ({}, b"webhook_id=142", "142"),
    ({"x-wc-webhook-signature": "abc"}, b"webhook_id=142", None),  # signed: a delivery, never a ping
    ({}, b"webhook_id=abc", None),
    ({}, b"webhook_id=1&extra=2", None),
    ({}, b'{"id": 142}', None),
    ({}, b"", None),
    ({}, b"webhook_id=" + b"9" * 80, None),
])
def test_only_woocommerces_unsigned_form_ping_is_a_ping(headers, body, expected):
    assert ping_webhook_id(headers, body) == expected


def order(**changes) -> WooOrder:
    return WooOrder.model_validate(json.loads((VENDOR / "order-retrieve.response.json").read_text()) | changes)


def test_the_version_tells_apart_changes_made_within_the_same_second():
    base = order()
    assert order_version(base) == order_version(order())  # the same order twice: one version
    assert order_version(base) != order_version(order(status="on-hold"))  # same second, another status
    assert order_version(base) != order_version(order(customer_note="Ring the bell"))  # same second, an edit
    assert order_version(base) != order_version(order(date_modified_gmt="2017-03-22T19:28:09"))
    assert order_version(base).startswith("2017-03-22T19:28:08:processing:")


def test_our_webhooks_are_recognised_by_their_delivery_url():
    assert same_url("https://api.example/webhooks/woocommerce/i-1/", "https://api.example/webhooks/woocommerce/i-1")
    assert not same_url("https://api.example/webhooks/woocommerce/i-1", "https://api.example/webhooks/woocommerce/i-2")
