"""The local stack's side of alert channels (issue 23 point 3): a notice delivered against the stack reaches moto's
SES (read back rendered at ``GET /_local/mails``) and the alert-hook sandbox, which verifies its signature; the demo
tenant's alert settings point at both. ``deliver`` is called here, in the test process pointed at the stack's moto,
as the alert checker calls it in the AlertsWorker."""

from __future__ import annotations

import pytest
import requests
from integrations.core.alerts.channels import deliver
from integrations.core.alerts.model import Alert, AlertState
from integrations.core.alerts.notices import Notice, NoticeKind
from integrations.core.context import core

from local import demo
from local.sandboxes.alert_hook import DEMO_RECEIVER, DEMO_TENANT_ADDRESS
from local.stack import ALERT_MAIL_SENDER

pytestmark = pytest.mark.e2e


def test_a_delivered_notice_is_read_back_at_local_mails_and_verified_by_the_alert_hook(client, local_stack):
    hooks = local_stack.sandboxes["alert_hook"].url
    tenant = core().tenants.get(demo.TENANT_ID, fresh=True)
    alert = Alert(tenant_id=demo.TENANT_ID, subject="e2e-integration", condition="credentials", state=AlertState.OPEN,
                  summary="The store refused our key (401)", what_to_do="Enter a new key in the integration",
                  customer_id=demo.CUSTOMER_ID, integration_name="Steam Chef", platform="WooCommerce",
                  opened_at="2026-12-07T21:40:00Z", updated_at="2026-12-07T21:40:00Z")

    [delivery] = deliver(tenant, [Notice(alert, NoticeKind.OPENED)])

    assert (delivery.delivered, delivery.message) == (
        True, f"mailed to {DEMO_TENANT_ADDRESS} and posted to the alert webhook")
    newest = requests.get(f"{client.api}/_local/mails", timeout=30).json()[0]
    assert (newest["from"], newest["to"]) == (ALERT_MAIL_SENDER, [DEMO_TENANT_ADDRESS])
    assert newest["subject"] == 'Alert: WooCommerce "Steam Chef" — The store refused our key (401)'
    assert "What to do: Enter a new key in the integration" in newest["text"] and newest["sentAt"]
    page = requests.get(f"{client.api}/_local/mails?format=html", timeout=30)
    assert page.headers["Content-Type"].startswith("text/html") and "Steam Chef" in page.text
    received = requests.get(f"{hooks}/_control/hooks/{DEMO_RECEIVER}", timeout=30).json()["deliveries"][0]
    assert received["verified"] and received["body"]["alerts"][0]["integration"]["id"] == "e2e-integration"
    assert "GET /_local/mails[?format=html]" in requests.get(f"{client.api}/_local/", timeout=30).json()["endpoints"]
