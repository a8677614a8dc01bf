"""Alert mails: the stored mail template's data for one notice or a digest of several, and sending it (docs/alerts.md).

One template (template.yaml ``AlertMailTemplate``) serves a single notice and a digest alike: its body is an
``{{#each alerts}}`` over the notices (one, or all of a digest's) and its subject and opening line come with the
data. A notice looks the same alone or in a digest, and there is one template to keep right rather than two.

The mail service does not escape what it puts into the HTML part, and a name a person typed (an integration's, a
customer's) may hold ``<`` or ``&``: every field the HTML part shows has an escaped twin (``summaryHtml`` …), and
the text part shows the plain one. Every field is always present (empty when there is nothing to say): a template
variable missing from the data makes the mail fail to render after it was accepted, with nobody told.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .. import aws
from ..settings import settings
from ..timeutil import parse_iso
from .model import TENANT_SUBJECT, Alert, Level
from .notices import Notice, NoticeKind, console_url

#: What a tenant reads when this deployment sends no mail (no sender address configured).
MAIL_NOT_SET_UP = "mail is not set up for this deployment"
#: The colour of a notice's left border in the HTML part.
_COLOURS = {Level.WARNING: "#b26a00", Level.CRITICAL: "#c62828"}
_RESOLVED_COLOUR = "#2e7d32"
#: The mail service's name never reaches a tenant: its own error texts may carry it.
_SERVICE_NAME = re.compile(r"\b(?:Amazon )?SES\b")
_BUSY_CODES = frozenset({"Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure",
                         "TooManyRequestsException", "RequestTimeout"})

#: alert → the name of the customer it concerns ("" for none, or when unknown: the mail shows its id then).
CustomerNames = Callable[[Alert], str]


def mail_configured() -> bool:
    """Whether this deployment sends mail at all (template.yaml ``AlertMailSender`` is set)."""
    return bool(settings().alert_mail_sender)


def template_data(tenant_name: str, notices: Sequence[Notice], customer_of: CustomerNames) -> dict[str, Any]:
    """The data of one mail: a single notice's, or (several notices) a digest's."""
    if len(notices) == 1:
        subject = notices[0].headline
        intro = (f"This concerns {tenant_name}'s integrations." if notices[0].kind is NoticeKind.RESOLVED
                 else f"One of {tenant_name}'s integrations needs attention.")
    else:
        counts = {kind: sum(1 for notice in notices if notice.kind is kind) for kind in NoticeKind}
        said = ", ".join(f"{count} {kind.value}" for kind, count in counts.items() if count)
        subject = f"{len(notices)} alerts for {tenant_name}'s integrations ({said})"
        intro = f"{len(notices)} alerts changed since the last check ({said}); each has a link to its page."
    footer = (f"You receive this because your address is set for alerts in {tenant_name}'s integration settings. "
              f"Everything that needs attention: {console_url()}/attention")
    return {"subject": subject, "intro": intro, "introHtml": html.escape(intro), "footer": footer,
            "footerHtml": html.escape(footer), "alerts": [_item(notice, customer_of) for notice in notices]}


def _item(notice: Notice, customer_of: CustomerNames) -> dict[str, Any]:
    alert = notice.alert
    resolved = notice.kind is NoticeKind.RESOLVED
    tenant_wide = alert.subject == TENANT_SUBJECT
    integration = "Your WMS connection" if tenant_wide else f'{alert.platform} "{alert.integration_name}"'
    what_to_do = "Nothing now: the condition cleared by itself." if resolved else alert.what_to_do
    customer = "" if tenant_wide else customer_of(alert) or alert.customer_id or ""
    plain = {"headline": notice.headline, "integration": integration, "customer": customer,
             "summary": alert.summary, "whatToDo": what_to_do, "url": notice.page_url,
             "linkText": "Open what needs attention" if tenant_wide else "Open the integration's page"}
    return {**plain, **{f"{name}Html": html.escape(value) for name, value in plain.items()},
            "resolved": resolved, "openedAt": _when(alert.opened_at), "resolvedAt": _when(alert.resolved_at),
            "colour": _RESOLVED_COLOUR if resolved else _COLOURS[alert.level]}


def _when(moment: str | None) -> str:
    """``7 Dec 2026 21:40 UTC``: how a person reads a time in a mail ("" for none)."""
    if not moment:
        return ""
    at = parse_iso(moment)
    return f"{at.day} {at:%b %Y %H:%M} UTC"


def send(address: str, data: dict[str, Any]) -> str | None:
    """Send one templated mail to ``address``; None when the mail service took it, else why not, in words."""
    config = settings()
    try:
        aws.ses().send_templated_email(Source=config.alert_mail_sender, Destination={"ToAddresses": [address]},
                                       Template=config.alert_mail_template, TemplateData=json.dumps(data))
    except ClientError as exc:
        return _refusal(exc)
    except BotoCoreError as exc:
        return f"the mail service could not be reached ({type(exc).__name__}); tried again at the next check"
    return None


def _refusal(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "")) or "an error"
    text = _SERVICE_NAME.sub("the mail service", str(error.get("Message", ""))).strip()
    if code in _BUSY_CODES:
        return f"the mail service is busy ({code}); tried again at the next check"
    if code == "TemplateDoesNotExist":
        return "this deployment's alert mail template is missing (the operator must deploy it)"
    if code in ("MessageRejected", "MailFromDomainNotVerifiedException", "AccountSendingPausedException"):
        return "the mail service refused it" + (f": {text}" if text else "")
    return f"the mail service answered {code}" + (f": {text}" if text else "")
