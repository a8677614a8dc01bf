"""Alert channels (issue 23 point 3): the mails moto's SES sends, rendered from template.yaml's template, and the signed
webhook the alert-hook sandbox receives and verifies with its own check."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import boto3
import pytest
import responses
from aws_lambda_powertools import Metrics
from integrations.core import context
from integrations.core.alerts.channels import deliver, recipients
from integrations.core.alerts.model import TENANT_SUBJECT, Alert, AlertState, Level
from integrations.core.alerts.notices import Notice, NoticeKind
from integrations.core.alerts.webhook import seal_webhook_secret
from integrations.core.integration_record import Integration
from integrations.core.stores import Tenant

from local.mails import sent_mails
from local.sandboxes.alert_hook import AlertHookSandbox
from local.sandboxes.transports import install_responses

from .conftest import PUBLIC_API_BASE_URL

SENDER = "alerts@integrations.test"
HOOKS = "https://hooks.alerts.test"
#: The path of a chat tool's webhook address is itself a credential: it must not be echoed either.
HOOK_URL = f"{HOOKS}/hooks/ops-room"
HOOK_SECRET = "alert-hook-secret-5f0c1e7d9a"
TENANT_ID = "3c1f8e2a-5b6d-4c7e-8f90-a1b2c3d4e5f6"
SELF_MANAGED, OTHER = "customer-self-managed", "customer-not-self-managed"


@pytest.fixture
def mail(stack, monkeypatch):
    """This deployment sends mail: a sender, verified as SES requires (template.yaml's template is already there)."""
    monkeypatch.setenv("ALERT_MAIL_SENDER", SENDER)
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    context.reset()


@pytest.fixture
def hooks(stack):
    sandbox = AlertHookSandbox()
    sandbox.add_receiver("ops-room", HOOK_SECRET)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        install_responses(rsps, sandbox, HOOKS)
        yield sandbox


def make_tenant(*, emails=("ops@3pl.example",), webhook=False, digest_after=3, customers_receive_alerts=False,
                customer_emails=None) -> Tenant:
    channels = {"emails": list(emails), "customersReceiveAlerts": customers_receive_alerts,
                "customerEmails": customer_emails or {}}
    if webhook:
        channels |= {"webhookUrl": HOOK_URL,
                     "webhookSecret": seal_webhook_secret(TENANT_ID, HOOK_SECRET)}
    return Tenant.model_validate({"tenantId": TENANT_ID, "name": "Demo 3PL", "wmsBaseUrl": "https://wms.test",
                                  "selfManagedCustomerIds": [SELF_MANAGED],
                                  "alerts": {"thresholds": {"digestAfter": digest_after}, "channels": channels}})


def notice(subject="integration-1", *, kind=NoticeKind.OPENED, customer_id=SELF_MANAGED, name="Steam shop",
           summary="3 orders need attention", level=Level.WARNING) -> Notice:
    resolved = kind is NoticeKind.RESOLVED
    alert = Alert(tenant_id=TENANT_ID, subject=subject, condition="needs-attention",
                  state=AlertState.RESOLVED if resolved else AlertState.OPEN, level=level, summary=summary,
                  what_to_do="Open each record's sync log and retry it once the cause is fixed.",
                  customer_id=customer_id, integration_name=name, platform="WooCommerce",
                  opened_at="2026-12-07T21:40:00Z", updated_at="2026-12-07T21:45:00Z",
                  resolved_at="2026-12-07T22:10:00Z" if resolved else None)
    return Notice(alert, kind)


def mails_to(address: str) -> list[dict]:
    return [mail for mail in sent_mails() if mail["to"] == [address]]


# --- mail ---------------------------------------------------------------------------------------------------------


def test_each_notice_is_mailed_to_each_address_with_its_fields_rendered(mail):
    tenant = make_tenant(emails=["ops@3pl.example", "boss@3pl.example"])
    opened = notice(name="Steam <shop> & co", summary="3 orders need attention")
    resolved = notice("integration-2", kind=NoticeKind.RESOLVED, summary="The store refused our key")

    deliveries = deliver(tenant, [opened, resolved])

    assert [(d.delivered, d.message) for d in deliveries] == [
        (True, "mailed to ops@3pl.example, boss@3pl.example")] * 2
    mails = sent_mails()
    assert len(mails) == 4 and all(len(m["to"]) == 1 and m["from"] == SENDER for m in mails)
    assert all("renderError" not in m for m in mails), mails  # every field the template names is in the data
    for address in ("ops@3pl.example", "boss@3pl.example"):
        first, second = sorted(mails_to(address), key=lambda m: m["subject"])
        assert first["subject"] == 'Alert: WooCommerce "Steam <shop> & co" — 3 orders need attention'
        assert 'Integration: WooCommerce "Steam <shop> & co"' in first["text"]
        assert f"Customer: {SELF_MANAGED}" in first["text"]  # no integration record: its id, not its name
        assert "What happened: 3 orders need attention" in first["text"]
        assert "What to do: Open each record's sync log" in first["text"]
        assert "Open since 7 Dec 2026 21:40 UTC." in first["text"]
        page = f"{PUBLIC_API_BASE_URL}/console/customers/{SELF_MANAGED}/integrations/integration-1"
        assert f"Open the integration's page: {page}" in first["text"]
        assert f'<a href="{page}">' in first["html"]
        # A typed name is escaped in the HTML part (the mail service escapes nothing) and plain in the text part.
        assert "Steam &lt;shop&gt; &amp; co" in first["html"] and "<shop>" not in first["html"]
        assert second["subject"] == 'Resolved: WooCommerce "Steam shop" — The store refused our key'
        assert "Resolved 7 Dec 2026 22:10 UTC (opened 7 Dec 2026 21:40 UTC)." in second["text"]
        assert "What to do: Nothing now: the condition cleared by itself." in second["text"]
        assert second["fields"]["alerts"][0]["resolved"] is True


def test_the_customer_is_named_as_its_integration_records_it(mail, hooks):
    now = datetime.now(UTC)
    context.core().integrations.create(Integration(
        integration_id="integration-1", tenant_id=TENANT_ID, customer_id=SELF_MANAGED, type="woocommerce",
        name="Steam shop", created_at=now, updated_at=now, customer_name="Steam Chef Store"))

    deliver(make_tenant(webhook=True), [notice("integration-1")])

    [sent] = sent_mails()
    assert "Customer: Steam Chef Store" in sent["text"]
    [received] = hooks.deliveries_to()
    assert json.loads(received.body)["alerts"][0]["integration"]["customerName"] == "Steam Chef Store"


def test_more_notices_than_digest_after_for_one_address_become_one_digest_listing_each_with_its_link(mail):
    tenant = make_tenant(digest_after=2)
    notices = [notice(f"integration-{n}", summary=f"problem {n}") for n in range(1, 4)]

    deliveries = deliver(tenant, notices)

    assert {d.message for d in deliveries} == {"mailed to ops@3pl.example (in a digest of 3)"}
    [digest] = sent_mails()
    assert digest["subject"] == "3 alerts for Demo 3PL's integrations (3 opened)"
    for n in range(1, 4):
        assert f"What happened: problem {n}" in digest["text"]
        assert f"{PUBLIC_API_BASE_URL}/console/customers/{SELF_MANAGED}/integrations/integration-{n}" in digest["text"]


def test_exactly_digest_after_notices_are_still_mailed_one_by_one(mail):
    deliveries = deliver(make_tenant(digest_after=2), [notice("integration-1"), notice("integration-2")])

    assert len(sent_mails()) == 2 and all(d.message == "mailed to ops@3pl.example" for d in deliveries)


def test_customer_addresses_get_only_their_own_integrations_and_only_when_allowed(mail):
    customer_emails = {SELF_MANAGED: ["shop@customer.example"], OTHER: ["other@customer.example"]}
    allowed = make_tenant(customers_receive_alerts=True, customer_emails=customer_emails)
    own, others, tenant_wide = (notice("integration-1", customer_id=SELF_MANAGED),
                                notice("integration-2", customer_id=OTHER),
                                notice(TENANT_SUBJECT, customer_id=SELF_MANAGED, name=""))

    assert recipients(allowed, own) == ["ops@3pl.example", "shop@customer.example"]
    assert recipients(allowed, others) == ["ops@3pl.example"]  # that customer may not self-manage
    assert recipients(allowed, tenant_wide) == ["ops@3pl.example"]  # the WMS link is the tenant's alone
    forbidden = make_tenant(customers_receive_alerts=False, customer_emails=customer_emails)
    assert recipients(forbidden, own) == ["ops@3pl.example"]

    deliver(allowed, [own, others, tenant_wide])

    [customer_mail] = mails_to("shop@customer.example")
    assert customer_mail["fields"]["alerts"][0]["url"].endswith("/integrations/integration-1")
    assert mails_to("other@customer.example") == [] and len(mails_to("ops@3pl.example")) == 3
    [wms] = [m for m in mails_to("ops@3pl.example") if m["subject"].startswith("Alert: Your WMS connection")]
    assert "Customer:" not in wms["text"] and f"{PUBLIC_API_BASE_URL}/console/attention" in wms["text"]


def test_without_a_sender_no_mail_is_sent_and_the_delivery_says_mail_is_not_set_up(stack, hooks):
    deliveries = deliver(make_tenant(webhook=True), [notice()])

    assert sent_mails() == []
    [delivery] = deliveries
    assert delivery.delivered
    assert delivery.message == ("posted to the alert webhook; mail is not set up for this deployment, so "
                                "ops@3pl.example was not mailed")
    assert "SES" not in delivery.message and "KMS" not in delivery.message


def test_a_sender_the_mail_service_refuses_is_not_delivered_in_words_without_its_name(stack, monkeypatch):
    monkeypatch.setenv("ALERT_MAIL_SENDER", "unverified@integrations.test")
    context.reset()

    [delivery] = deliver(make_tenant(), [notice()])

    assert not delivery.delivered
    assert delivery.message.startswith("mail to ops@3pl.example failed: the mail service refused it")
    assert "SES" not in delivery.message


def test_nowhere_to_send_is_delivered_to_the_console_only(mail):
    [delivery] = deliver(make_tenant(emails=()), [notice()])

    assert delivery.delivered and delivery.message == ("no alert mail address or webhook is set: shown in the "
                                                       "console only")


def test_mails_and_webhook_posts_are_counted_when_metrics_are_given(mail, hooks):
    metrics = Metrics(namespace="Integrations")
    metrics.clear_metrics()  # Powertools keeps one metric set per process: other tests' may be in it
    try:
        deliver(make_tenant(emails=["a@3pl.example", "b@3pl.example"], webhook=True), [notice()], metrics=metrics)
        counted = {name: sum(values["Value"]) for name, values in metrics.metric_set.items()}
    finally:
        metrics.clear_metrics()
    assert counted == {"AlertMailsSent": 2, "AlertWebhookPostsSent": 1}


# --- webhook ------------------------------------------------------------------------------------------------------


def test_one_signed_post_carries_every_notice_and_the_receiver_verifies_it(mail, hooks):
    notices = [notice("integration-1"), notice("integration-2", kind=NoticeKind.RESOLVED, summary="Key refused")]

    deliveries = deliver(make_tenant(webhook=True), notices)

    assert {d.message for d in deliveries} == {"mailed to ops@3pl.example and posted to the alert webhook"}
    [received] = hooks.deliveries_to("ops-room")
    assert received.verified and received.status == 200
    body = json.loads(received.body)
    page = f"{PUBLIC_API_BASE_URL}/console/customers/{SELF_MANAGED}/integrations/integration-1"
    assert body["text"].startswith("2 alerts:\n• Alert: WooCommerce \"Steam shop\" — 3 orders need attention " + page)
    first, second = body["alerts"]
    assert first == {
        "headline": 'Alert: WooCommerce "Steam shop" — 3 orders need attention', "notice": "opened",
        "integration": {"id": "integration-1", "name": "Steam shop", "platform": "WooCommerce",
                        "customerId": SELF_MANAGED, "customerName": None},
        "condition": "needs-attention", "state": "OPEN", "level": "warning", "summary": "3 orders need attention",
        "whatToDo": "Open each record's sync log and retry it once the cause is fixed.", "url": page,
        "openedAt": "2026-12-07T21:40:00Z", "resolvedAt": None}
    assert (second["notice"], second["state"], second["resolvedAt"]) == ("resolved", "RESOLVED", "2026-12-07T22:10:00Z")


def test_a_webhook_that_keeps_failing_is_not_delivered_in_words_and_nothing_raises(mail, hooks):
    hooks.inject_fault(500)

    deliveries = deliver(make_tenant(webhook=True), [notice(), notice("integration-2")])

    assert [d.delivered for d in deliveries] == [False, False]
    assert deliveries[0].message == (
        "mailed to ops@3pl.example; the alert webhook answered 500 Internal Server Error (3 tries or its "
        "Retry-After); tried again at the next check")
    assert len(hooks.requests_to("/hooks/ops-room", "POST")) == 3  # the HTTP policy's retries, then words


def test_at_the_next_try_only_the_channel_that_failed_is_tried_again(mail, hooks):
    tenant, due = make_tenant(webhook=True), notice()
    hooks.inject_fault(503)
    [first] = deliver(tenant, [due])
    hooks.clear_faults()

    [second] = deliver(tenant, [due], reached={due.alert.key: first.reached})

    assert (first.delivered, first.reached) == (False, ("mail:ops@3pl.example",))
    assert (second.delivered, second.reached) == (True, ("mail:ops@3pl.example", "webhook"))
    assert second.message == "posted to the alert webhook; already mailed to ops@3pl.example at an earlier check"
    assert len(sent_mails()) == 1 and len(hooks.deliveries_to()) == 1  # the mail was not sent twice


def test_a_webhook_that_drops_the_connection_did_not_answer(stack, hooks):
    hooks.inject_fault(None, disconnect=True)

    [delivery] = deliver(make_tenant(emails=(), webhook=True), [notice()])

    assert not delivery.delivered
    assert delivery.message == ("the alert webhook did not answer (ConnectionError, 3 tries); tried again at the "
                                "next check")


def test_a_receiver_refusing_the_signature_is_quoted_back(stack, hooks):
    hooks.add_receiver("ops-room", "a-secret-the-tenant-changed-on-its-side")

    [delivery] = deliver(make_tenant(emails=(), webhook=True), [notice()])

    assert not delivery.delivered
    assert delivery.message == ('the alert webhook answered 401 Unauthorized: {"error": "signature does not match '
                                'the body"}')
    assert len(hooks.requests_to("/hooks/ops-room")) == 1  # a 4xx is not retried within the check


def test_a_webhook_without_a_signing_secret_is_not_posted_unsigned(stack, hooks):
    tenant = make_tenant(emails=())
    tenant.alerts.channels.webhook_url = HOOK_URL

    [delivery] = deliver(tenant, [notice()])

    assert not delivery.delivered and hooks.deliveries_to() == []
    assert delivery.message == "the alert webhook has no signing secret: generate one in the alert settings"


def test_the_webhook_secret_and_address_never_reach_logs_or_delivery_messages(mail, hooks, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    messages = [d.message for d in deliver(make_tenant(webhook=True), [notice()])]
    hooks.inject_fault(503)
    messages += [d.message for d in deliver(make_tenant(webhook=True), [notice()])]
    hooks.clear_faults()
    hooks.inject_fault(None, disconnect=True)
    messages += [d.message for d in deliver(make_tenant(webhook=True), [notice()])]

    written = capsys.readouterr()
    everything = "\n".join([*messages, caplog.text, written.out, written.err])
    assert HOOK_SECRET not in everything
    assert "/hooks/ops-room" not in "\n".join(messages)
    [received] = hooks.deliveries_to()  # only the first got past the faults
    assert received.verified
