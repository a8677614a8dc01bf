"""An address no request can be sent to is a named, permanent error saying what to check — never a server error
(issue 20: a store URL of "not a url" reached requests as an ``InvalidURL`` and the step answered 500)."""

from __future__ import annotations

import pytest
from integrations.core.errors import PermanentError, UpstreamAddressInvalid
from integrations.core.http import HttpPolicy, UpstreamSession


@pytest.mark.parametrize("url", ["https://not a url/wp-json/", "https://my shop.com/wp-json/", "shop.example.com/x",
                                 "ftp://shop.example.com/wp-json/", "https:///wp-json/"])
def test_an_address_requests_cannot_send_to_is_named_and_not_retried(url):
    sent: list[float] = []
    session = UpstreamSession("WooCommerce", policy=HttpPolicy(max_attempts=4), sleep=sent.append)
    with pytest.raises(UpstreamAddressInvalid) as raised:
        session.request("GET", url)
    assert isinstance(raised.value, PermanentError) and not raised.value.retryable
    assert "address" in raised.value.resolution and sent == []  # one try: no retry can help
