"""The signing CLI signs exactly as the service verifies (checked with the service's own verifier)."""

from __future__ import annotations

import json
import shlex

import pytest
from integrations.cartoncloud.notifications import WmsNotification
from integrations.core.errors import SignatureInvalid
from integrations.core.signing import verify_timestamped

from local import demo
from local.sign_notification import curl_command, main, notification, signed_headers


def test_a_signed_notification_passes_the_services_verifier_and_its_contract():
    tenant, consignment = "2f9e1c4a-6f0b-4b8e-9d7a-0c1d2e3f4a5b", "028ff38c-a68f-11e8-98d0-529269fb1459"
    body = notification(tenant, "CONSIGNMENT", consignment, notification_id="n-1")
    headers = signed_headers("s3cret", body, timestamp=1_763_700_000)

    verify_timestamped(secret="s3cret", timestamp=headers["X-Notification-Timestamp"],
                       signature_header=headers["X-Notification-Signature"], body=body, now=1_763_700_010)
    parsed = WmsNotification.model_validate_json(body)
    assert (parsed.id, parsed.tenant_id, parsed.entity_type, parsed.entity_id) == ("n-1", tenant, "CONSIGNMENT",
                                                                                   consignment)
    assert parsed.happened_at.utcoffset() is not None
    with pytest.raises(SignatureInvalid):
        verify_timestamped(secret="other", timestamp=headers["X-Notification-Timestamp"],
                           signature_header=headers["X-Notification-Signature"], body=body, now=1_763_700_010)


def test_the_curl_line_carries_the_exact_signed_bytes(capsys, monkeypatch):
    monkeypatch.delenv("API", raising=False)
    assert main(["--entity-id", "o-1"]) == 0
    words = shlex.split(capsys.readouterr().out)

    url = words[words.index("POST") + 1]
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    body = words[words.index("--data-binary") + 1].encode()
    assert url == f"{demo.API_URL}/wms/{demo.TENANT_ID}/notifications"
    assert json.loads(body)["entityId"] == "o-1"
    verify_timestamped(secret=demo.NOTIFICATION_SECRET, timestamp=headers["X-Notification-Timestamp"],
                       signature_header=headers["X-Notification-Signature"], body=body)
    assert curl_command(url, headers, body) == shlex.join(words)


def test_the_api_is_the_one_the_readme_exports(capsys, monkeypatch):
    """The README's walkthroughs ``export API=…`` (the stack prints the line); the curl line goes there."""
    monkeypatch.setenv("API", "http://127.0.0.1:41234")
    assert main(["--entity-id", "o-1"]) == 0
    assert f" http://127.0.0.1:41234/wms/{demo.TENANT_ID}/notifications " in capsys.readouterr().out
    assert main(["--entity-id", "o-1", "--api", "http://127.0.0.1:5"]) == 0  # the flag wins
    assert " http://127.0.0.1:5/wms/" in capsys.readouterr().out
