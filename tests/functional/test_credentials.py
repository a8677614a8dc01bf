"""Credentials are sealed with KMS for their owner, cached when opened, and never show up anywhere."""

from __future__ import annotations

import boto3
import pytest
from integrations.core.context import core
from integrations.core.crypto import SealedSecretUnreadable

from .wms_helpers import deliver, place_order


def test_ciphertext_only_opens_for_its_owner(stack):
    vault = core().vault
    sealed = vault.seal({"consumerSecret": "cs_live_123"}, tenant_id="t-1", integration_id="i-1")
    assert "cs_live_123" not in sealed
    assert vault.open(sealed, tenant_id="t-1", integration_id="i-1").reveal("consumerSecret") == "cs_live_123"
    for tenant_id, integration_id in (("t-2", "i-1"), ("t-1", "i-2"), ("t-1", None)):
        with pytest.raises(SealedSecretUnreadable):
            vault.open(sealed, tenant_id=tenant_id, integration_id=integration_id)


def test_opened_credentials_are_cached_per_warm_lambda_and_print_masked(stack):
    vault = core().vault
    sealed = vault.seal({"clientSecret": "top-secret"}, tenant_id="t-1")
    calls = []
    from integrations.core import aws

    aws.add_request_listener(lambda service, operation: calls.append(operation))
    try:
        first = vault.open(sealed, tenant_id="t-1")
        second = vault.open(sealed, tenant_id="t-1")
    finally:
        aws._listeners.clear()
    assert calls == ["Decrypt"]
    assert first is second
    assert "top-secret" not in repr(first) and "top-secret" not in str(dict(first))


def test_a_whole_flow_leaves_no_secret_in_logs_items_or_messages(service, wms, tenant, sent_notifications, capfd):
    order_id = place_order(tenant)
    wms.set_outbound_order_status(tenant.tenant_id, order_id, "DISPATCHED", tracking_number="TRK-1")
    deliver(service, sent_notifications.sent[-1])
    wms.inject_fault(status=401, count=1, path_pattern=r"/outbound-orders/")  # an auth failure path too
    service.pump("WmsQueue")
    service.pump("StatusChangeQueue")
    bad = dict(sent_notifications.sent[-1].headers, **{"X-Notification-Signature": "v1=00"})
    service.http("POST", f"/wms/{tenant.tenant_id}/notifications", headers=bad, body=sent_notifications.sent[-1].body)

    secrets = [tenant.client_secret, tenant.notification_secret]
    tokens = list(wms._tokens)  # the bearer tokens the sandbox issued to our client
    assert tokens
    captured = capfd.readouterr()
    logs = captured.out + captured.err
    assert logs.strip(), "the flow should have logged something to scan"
    stored = []
    dynamodb = boto3.client("dynamodb")
    for table in service.stack.tables.values():
        stored.append(str(dynamodb.scan(TableName=table)["Items"]))
    for queue in service.stack.queues:
        stored.append(str(service.messages(queue)))
    haystack = logs + "".join(stored)
    for secret in secrets + tokens:
        assert secret not in haystack
