"""Telling people: every notice that became due in a check goes to the tenant's mail addresses and its webhook
(docs/alerts.md).

:func:`deliver` is called once per check with every notice the check claimed. It never raises for a channel that
failed: each notice gets a :class:`Delivery` saying where it went or why not, which the checker records in the
alert's history; a notice not delivered stays due and is tried again at the next check.

Who gets a notice (:func:`recipients`): the tenant's alert addresses always; a customer's own addresses too for that
customer's integrations, when the tenant lets customers receive alerts and lets that customer manage its own
integrations. A tenant-wide alert (the WMS link) goes to the tenant only. One address with more than
``digest_after`` notices in one check gets one digest mail listing them all instead of a mail each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger

from . import mail, webhook
from .model import TENANT_SUBJECT, Alert
from .notices import Notice

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics

    from ..stores.tenants import Tenant

logger = Logger(child=True)

#: Metric names (Count), when the caller passes its Powertools ``Metrics``.
MAILS_SENT, MAILS_FAILED = "AlertMailsSent", "AlertMailsFailed"
WEBHOOK_POSTS_SENT, WEBHOOK_POSTS_FAILED = "AlertWebhookPostsSent", "AlertWebhookPostsFailed"


@dataclass(frozen=True)
class Delivery:
    """What became of one notice. ``delivered`` is False when a channel failed in a way a later try may fix (the
    notice stays due); ``message`` says where it went or why not, in words the tenant reads in the alert's history.
    A notice with nowhere to go (no address, no webhook, or no mail in this deployment) is delivered: the console
    shows it, and trying again would change nothing; its message says so."""

    notice: Notice
    delivered: bool
    message: str


@dataclass
class _Outcome:
    mailed: list[str] = field(default_factory=list)
    #: How many notices the largest digest that carried this one listed (0: mailed alone).
    digest_of: int = 0
    mail_failures: list[str] = field(default_factory=list)
    not_mailed: list[str] = field(default_factory=list)
    posted: bool = False
    webhook_failure: str | None = None


def recipients(tenant: Tenant, notice: Notice) -> list[str]:
    """The addresses ``notice`` is mailed to, each once (in the order the settings list them)."""
    channels = tenant.alerts.channels
    alert = notice.alert
    addresses = list(channels.emails)
    if (channels.customers_receive_alerts and alert.subject != TENANT_SUBJECT and alert.customer_id
            and alert.customer_id in tenant.self_managed_customer_ids):
        addresses += channels.customer_emails.get(alert.customer_id, [])
    seen: set[str] = set()
    unique = []
    for address in (address.strip() for address in addresses):
        if address and address.casefold() not in seen:
            seen.add(address.casefold())
            unique.append(address)
    return unique


def deliver(tenant: Tenant, notices: Sequence[Notice], *, metrics: Metrics | None = None) -> list[Delivery]:
    """Mail and post ``notices`` (every notice of one check); one :class:`Delivery` per notice, in their order."""
    if not notices:
        return []
    outcomes = [_Outcome() for _ in notices]
    customer_of = _CustomerNames()
    _mail(tenant, notices, outcomes, customer_of, metrics)
    if tenant.alerts.channels.webhook_url:
        failure = _post(tenant, notices, customer_of)
        _count(metrics, WEBHOOK_POSTS_FAILED if failure else WEBHOOK_POSTS_SENT, 1)
        for outcome in outcomes:
            outcome.posted, outcome.webhook_failure = failure is None, failure
    return [_delivery(notice, outcome) for notice, outcome in zip(notices, outcomes, strict=True)]


def _mail(tenant: Tenant, notices: Sequence[Notice], outcomes: list[_Outcome], customer_of: _CustomerNames,
          metrics: Metrics | None) -> None:
    by_address: dict[str, list[int]] = {}
    for index, notice in enumerate(notices):
        for address in recipients(tenant, notice):
            by_address.setdefault(address, []).append(index)
    if not by_address:
        return
    if not mail.mail_configured():
        for address, indexes in by_address.items():
            for index in indexes:
                outcomes[index].not_mailed.append(address)
        return
    digest_after = tenant.alerts.thresholds.digest_after
    sent = failed = 0
    for address, indexes in by_address.items():
        for group in ([indexes] if len(indexes) > digest_after else [[index] for index in indexes]):
            failure = _send(address, mail.template_data(tenant.name, [notices[i] for i in group], customer_of))
            sent, failed = (sent, failed + 1) if failure else (sent + 1, failed)
            for index in group:
                outcome = outcomes[index]
                if failure:
                    outcome.mail_failures.append(f"mail to {address} failed: {failure}")
                else:
                    outcome.mailed.append(address)
                    outcome.digest_of = max(outcome.digest_of, len(group) if len(group) > 1 else 0)
    _count(metrics, MAILS_SENT, sent)
    _count(metrics, MAILS_FAILED, failed)


def _send(address: str, data: dict[str, object]) -> str | None:
    try:
        return mail.send(address, data)
    except Exception as exc:  # a bug must not leave the other notices unsent and every claim hanging
        logger.exception("alert mail failed unexpectedly", extra={"error": type(exc).__name__})
        return f"unexpected error ({type(exc).__name__}); reported to the operator"


def _post(tenant: Tenant, notices: Sequence[Notice], customer_of: _CustomerNames) -> str | None:
    try:
        failure = webhook.post(tenant, notices, customer_of)
    except Exception as exc:  # as above; the exception's text could carry the webhook's address: only its type
        logger.exception("alert webhook failed unexpectedly", extra={"error": type(exc).__name__,
                                                                     "tenantId": tenant.tenant_id})
        failure = (f"the alert webhook could not be posted (unexpected error {type(exc).__name__}; reported to "
                   "the operator)")
    if failure:
        logger.warning("alert webhook not delivered", extra={"tenantId": tenant.tenant_id, "reason": failure})
    return failure


def _delivery(notice: Notice, outcome: _Outcome) -> Delivery:
    done: list[str] = []
    if outcome.mailed:
        done.append("mailed to " + ", ".join(outcome.mailed)
                    + (f" (in a digest of {outcome.digest_of})" if outcome.digest_of else ""))
    if outcome.posted:
        done.append("posted to the alert webhook")
    problems = list(outcome.mail_failures)
    if outcome.webhook_failure:
        problems.append(outcome.webhook_failure)
    notes = [f"{mail.MAIL_NOT_SET_UP}, so {', '.join(outcome.not_mailed)} "
             f"{'was' if len(outcome.not_mailed) == 1 else 'were'} not mailed"] if outcome.not_mailed else []
    if not (done or problems or notes):
        return Delivery(notice, True, "no alert mail address or webhook is set: shown in the console only")
    sentences = ([" and ".join(done)] if done else []) + problems + notes
    if not done and not problems:
        sentences.append("shown in the console only")
    return Delivery(notice, not problems, "; ".join(sentences))


def _count(metrics: Metrics | None, name: str, value: int) -> None:
    if metrics is not None and value:
        from aws_lambda_powertools.metrics import MetricUnit

        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


class _CustomerNames:
    """alert → its customer's name, as the integration records it (read once per integration, per call); "" for
    an alert with no customer or when the name can't be read."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def __call__(self, alert: Alert) -> str:
        if not alert.customer_id or alert.subject == TENANT_SUBJECT:
            return ""
        if alert.subject not in self._names:
            self._names[alert.subject] = self._read(alert)
        return self._names[alert.subject]

    @staticmethod
    def _read(alert: Alert) -> str:
        from ..context import core

        try:
            integration = core().integrations.get(alert.subject)
        except Exception:  # a name is a nicety: the mail goes out with the customer's id instead
            logger.warning("customer name unavailable for an alert mail", extra={"integrationId": alert.subject})
            return ""
        return integration.customer_name if integration is not None else ""
