"""Telling people: every notice that became due in a check goes to the tenant's mail addresses and its webhook
(docs/alerts.md).

:func:`deliver` is called once per check with every notice the check claimed. It never raises for a channel that
failed: each notice gets a :class:`Delivery` saying where it went or why not, which the checker records in the
alert's history; a notice not delivered stays due and is tried again at the next check.

Who gets a notice (:func:`recipients`): the tenant's alert addresses always; a customer's own addresses too for that
customer's integrations, when the tenant lets customers receive alerts and lets that customer manage its own
integrations. A tenant-wide alert (the WMS link) goes to the tenant only. One address with more than
``digest_after`` notices in one check gets one digest mail listing them all instead of a mail each.

A notice that one channel took and another refused is tried again at the next check on the one that refused only,
when the caller passes back what :attr:`Delivery.reached` said (``reached=``): a webhook that stays down must not
mail the same alert to every address every five minutes.
"""

from __future__ import annotations

import traceback
from collections.abc import Collection, Mapping, Sequence
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
#: How :attr:`Delivery.reached` names the webhook; a mail address is ``mail:{address}`` (:func:`mail_target`).
WEBHOOK_TARGET = "webhook"


@dataclass(frozen=True)
class Delivery:
    """What became of one notice. ``delivered`` is False when a channel failed in a way a later try may fix (the
    notice stays due); ``message`` says where it went or why not, in words the tenant reads in the alert's history.
    A notice with nowhere to go (no address, no webhook, or no mail in this deployment) is delivered: the console
    shows it, and trying again would change nothing; its message says so."""

    notice: Notice
    delivered: bool
    message: str
    #: Every channel that has taken this notice, in this call or (passed in as ``reached``) an earlier one:
    #: :data:`WEBHOOK_TARGET` and ``mail:{address}``. Kept with a notice not delivered and passed back to
    #: :func:`deliver` at the next try, only the channels that failed are tried again.
    reached: tuple[str, ...] = ()


def mail_target(address: str) -> str:
    return f"mail:{address.casefold()}"


@dataclass
class _Outcome:
    #: What took the notice at an earlier try (``deliver(reached=…)``): skipped now.
    earlier: frozenset[str] = frozenset()
    mailed: list[str] = field(default_factory=list)
    earlier_mailed: list[str] = field(default_factory=list)
    #: How many notices the largest digest that carried this one listed (0: mailed alone).
    digest_of: int = 0
    mail_failures: list[str] = field(default_factory=list)
    not_mailed: list[str] = field(default_factory=list)
    posted: bool = False
    webhook_failure: str | None = None

    @property
    def reached(self) -> tuple[str, ...]:
        now = [mail_target(address) for address in self.mailed] + ([WEBHOOK_TARGET] if self.posted else [])
        return tuple(sorted(self.earlier | set(now)))


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


def deliver(tenant: Tenant, notices: Sequence[Notice], *, metrics: Metrics | None = None,
            reached: Mapping[str, Collection[str]] | None = None) -> list[Delivery]:
    """Mail and post ``notices`` (every notice of one check); one :class:`Delivery` per notice, in their order.

    ``reached``: alert key (:attr:`Alert.key`) → the :attr:`Delivery.reached` of an earlier try of the same notice;
    those channels are not tried again. (A new notice of the alert starts with none.)"""
    if not notices:
        return []
    outcomes = [_Outcome(earlier=frozenset((reached or {}).get(notice.alert.key, ()))) for notice in notices]
    customer_of = _CustomerNames()
    _mail(tenant, notices, outcomes, customer_of, metrics)
    unposted = [index for index, outcome in enumerate(outcomes) if WEBHOOK_TARGET not in outcome.earlier]
    if tenant.alerts.channels.webhook_url and unposted:
        failure = _post(tenant, [notices[index] for index in unposted], customer_of)
        _count(metrics, WEBHOOK_POSTS_FAILED if failure else WEBHOOK_POSTS_SENT, 1)
        for index in unposted:
            outcomes[index].posted, outcomes[index].webhook_failure = failure is None, failure
    return [_delivery(notice, outcome) for notice, outcome in zip(notices, outcomes, strict=True)]


def _mail(tenant: Tenant, notices: Sequence[Notice], outcomes: list[_Outcome], customer_of: _CustomerNames,
          metrics: Metrics | None) -> None:
    by_address: dict[str, list[int]] = {}
    for index, notice in enumerate(notices):
        for address in recipients(tenant, notice):
            if mail_target(address) in outcomes[index].earlier:
                outcomes[index].earlier_mailed.append(address)
            else:
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
    except Exception as exc:  # as above; its text could carry the webhook's address: the type and frames only
        logger.error("alert webhook failed unexpectedly", extra={
            "error": type(exc).__name__, "tenantId": tenant.tenant_id,
            "frames": traceback.format_tb(exc.__traceback__)})
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
    before = ([f"mailed to {', '.join(outcome.earlier_mailed)}"] if outcome.earlier_mailed else []) + (
        ["posted to the alert webhook"] if WEBHOOK_TARGET in outcome.earlier else [])
    earlier = [f"already {' and '.join(before)} at an earlier check"] if before else []
    problems = list(outcome.mail_failures)
    if outcome.webhook_failure:
        problems.append(outcome.webhook_failure)
    notes = [f"{mail.MAIL_NOT_SET_UP}, so {', '.join(outcome.not_mailed)} "
             f"{'was' if len(outcome.not_mailed) == 1 else 'were'} not mailed"] if outcome.not_mailed else []
    if not (done or earlier or problems or notes):
        return Delivery(notice, True, "no alert mail address or webhook is set: shown in the console only")
    sentences = ([" and ".join(done)] if done else []) + earlier + problems + notes
    if not (done or earlier or problems):
        sentences.append("shown in the console only")
    return Delivery(notice, not problems, "; ".join(sentences), outcome.reached)


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
