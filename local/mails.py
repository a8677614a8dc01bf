"""The mails moto's SES "sent", rendered as a recipient would read them (``GET /_local/mails``).

moto keeps every templated mail in its SES backend (template name, data, addresses) but never renders one, and its
server has no endpoint listing them. So this runs where the backend is: in the local stack's moto process (the
``moto`` role's ``sent_mails`` command, :mod:`local.roles`) and in the functional tests' in-process moto. Each mail is
rendered with moto's own template renderer, which takes the ``{{var}}``, ``{{#each}}`` and ``{{#if}}…{{else}}``
of SES's Handlebars: a field missing from the data shows as ``renderError``, as SES would fail to render that mail
after accepting it. :func:`install` stamps each mail with when it was sent (moto keeps no time).
"""

from __future__ import annotations

import html
import json
import time
from datetime import UTC, datetime
from typing import Any

#: moto's own ``send_templated_email`` while :func:`install` is in force. moto is imported by the functions that
#: use it, not here: the stack's parent process renders the page (:func:`mails_page`) without loading moto.
_moto_send_templated: Any = None


def _send_templated_email(self: Any, *args: Any, **kwargs: Any) -> Any:
    message = _moto_send_templated(self, *args, **kwargs)
    message.sent_at = time.time()
    return message


def install() -> None:
    """From now on every templated mail this process's moto sends carries ``sent_at``."""
    global _moto_send_templated
    from moto.ses import models

    if _moto_send_templated is None:
        _moto_send_templated = models.SESBackend.send_templated_email
        models.SESBackend.send_templated_email = _send_templated_email  # type: ignore[method-assign]


def uninstall() -> None:
    global _moto_send_templated
    from moto.ses import models

    if _moto_send_templated is not None:
        models.SESBackend.send_templated_email = _moto_send_templated  # type: ignore[method-assign]
        _moto_send_templated = None


def sent_mails() -> list[dict[str, Any]]:
    """Every templated mail of every account and region, newest first: who it went to, its subject, text and HTML
    as rendered, and the fields it was rendered from."""
    from moto.ses import models, ses_backends

    mails: list[tuple[float, int, dict[str, Any]]] = []
    for account, regions in list(ses_backends.items()):
        for region, backend in list(regions.items()):
            for order, message in enumerate(list(backend.sent_messages)):
                if isinstance(message, models.TemplateMessage):
                    sent_at = getattr(message, "sent_at", None)
                    mails.append((sent_at or 0.0, order, _mail(backend, message, sent_at)
                                  | {"account": account, "region": region}))
    return [mail for _, _, mail in sorted(mails, key=lambda entry: (entry[0], entry[1]), reverse=True)]


def _mail(backend: Any, message: Any, sent_at: float | None) -> dict[str, Any]:
    from moto.ses.exceptions import MissingRenderingAttributeException
    from moto.ses.template import parse_template

    destinations = message.destinations or {}
    mail: dict[str, Any] = {
        "id": message.id,
        "sentAt": datetime.fromtimestamp(sent_at, UTC).isoformat(timespec="seconds") if sent_at else None,
        "from": message.source,
        "to": list(destinations.get("ToAddresses", [])),
        "cc": list(destinations.get("CcAddresses", [])),
        "template": message.template,
    }
    try:
        data = json.loads(message.template_data)
    except ValueError:
        return mail | {"renderError": "the template data is not JSON", "fields": message.template_data}
    template = backend.templates.get(message.template) or {}
    try:
        rendered = {part: parse_template(str(template.get(f"{part}_part") or ""), data)
                    for part in ("subject", "text", "html")}
    except MissingRenderingAttributeException as exc:
        return mail | {"renderError": f"the template needs a field the data lacks: {exc}", "fields": data}
    return mail | rendered | {"fields": data}


def mails_page(mails: list[dict[str, Any]]) -> str:
    """A page a person reads in a browser: each mail's addresses, subject, text, and its HTML as a mail client
    would show it (in a sandboxed frame)."""
    sections = []
    for mail in mails:
        heading = html.escape(mail.get("subject") or "(not rendered)")
        meta = html.escape(f"{mail.get('sentAt') or ''} · from {mail['from']} · to {', '.join(mail['to'])}")
        if "renderError" in mail:
            body = f'<p class="error">{html.escape(mail["renderError"])}</p>'
        else:
            # Tall enough for every alert the mail lists, so a digest reads without scrolling inside the frame.
            rem = 8 + 14 * max(1, len(mail.get("fields", {}).get("alerts") or []))
            body = (f'<iframe sandbox title="{heading}" style="height:{rem}rem" '
                    f'srcdoc="{html.escape(mail["html"], quote=True)}"></iframe>'
                    f"<details><summary>Text part</summary><pre>{html.escape(mail['text'])}</pre></details>")
        sections.append(f"<section><h2>{heading}</h2><p class=meta>{meta}</p>{body}</section>")
    empty = "<p>No mail sent yet.</p>" if not mails else ""
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Mails sent (local stack)</title><style>"
            "body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}section{border-top:1px solid #ccc;"
            "padding:1rem 0}.meta{color:#555}.error{color:#b00020}iframe{width:100%;border:1px solid #ddd;"
            "resize:vertical}pre{white-space:pre-wrap}</style></head><body>"
            f"<h1>Mails sent ({len(mails)}, newest first)</h1><p>JSON: <code>?format=json</code> (the default)</p>"
            f"{empty}{''.join(sections)}</body></html>")
