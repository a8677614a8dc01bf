"""Serving the web console (issue 15, docs/console.md) for functions/console: the built single-page app in its
``static/`` (``make console`` builds ``web/`` into it), served through the HttpApi on the API's own origin — so the
page calls the management API with no CORS, and ``sam deploy`` ships it with everything else.

- ``/console``, ``/console/`` and any path without a file extension (the page's own routes, e.g.
  ``/console/customers/…``) answer ``index.html``, with a ``<base href>`` naming where the console is mounted
  (``/{stage}/console/`` when deployed on a named stage) and the page's sign-in settings inlined;
- files under ``assets/`` carry a content hash in their names: cached for a year, immutable; ``index.html`` is
  revalidated every time, so a deploy takes effect on the next load;
- text is gzipped when the browser accepts it (HttpApi doesn't compress); every answer carries a strict
  Content-Security-Policy (scripts and styles from this origin only, nothing framed, API calls to this origin and
  the identity provider only; eval for the forms' schema validator, see ``_security``).

Sign-in settings come from the environment: ``AUTH_ISSUER``/``AUTH_AUDIENCE`` (the tokens the API accepts) and
``CONSOLE_CLIENT_ID``/``CONSOLE_SCOPE`` (the console's OpenID Connect client), ``CONSOLE_CONNECT_ORIGINS`` (more
origins the page may call: a token endpoint on another host than the issuer). The local stack sets
``CONSOLE_DEMO_HELPER_URL`` (its demo-token service); honoured only off ``prod``, as the API's local HS256 key is.
"""

from __future__ import annotations

import base64
import gzip
import json
import mimetypes
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_PLACEHOLDER = '<base href="/console/">'
CONFIG_PLACEHOLDER = '<script id="console-config" type="application/json">{}</script>'
#: Built files with a content hash in their names (Vite's ``assets/``): they never change under a name.
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
_gzipped: dict[str, bytes] = {}


def serve(event: dict[str, Any], static: Path) -> dict[str, Any]:
    """API Gateway's answer to a GET of ``event``'s path from the built console in ``static``."""
    raw_path = event.get("rawPath") or "/console"
    proxy = (event.get("pathParameters") or {}).get("proxy")
    # "/console" and "/console/" are the page too: its <base href> makes its relative paths resolve from either.
    mount = raw_path[: raw_path.index("/console") + len("/console")] + "/" if "/console" in raw_path else "/console/"
    if not (static / "index.html").is_file():
        return _problem(503, "Console not built", "This package holds no built console: run `make console` (or "
                        "`make build`) and deploy again.")
    accepts_gzip = "gzip" in (event.get("headers") or {}).get("accept-encoding", "")
    relative = (proxy or "").strip("/")
    if not relative or relative == "index.html" or "." not in relative.rsplit("/", 1)[-1]:
        return _index(static, mount, accepts_gzip)  # the page itself, or one of its own routes
    try:
        found = (static / relative).resolve()
        exists = static.resolve() in found.parents and found.is_file()
    except (OSError, ValueError):  # a name no file system takes (NUL, too long): not one of ours either
        exists = False
    if not exists:
        return _problem(404, "Not found", "The console has no such file.")
    cache = IMMUTABLE if relative.startswith("assets/") else "public, max-age=3600"
    # Cached by the file's own path: this module lives as long as the process, whichever folder it is given.
    return _file(found.read_bytes(), _content_type(found), cache, accepts_gzip, key=str(found))


def _index(static: Path, mount: str, accepts_gzip: bool) -> dict[str, Any]:
    page = (static / "index.html").read_text(encoding="utf-8")
    # The config is JSON in a non-executable script element; "<" is escaped so no value can close the element.
    config = json.dumps(console_config(), separators=(",", ":")).replace("<", "\\u003c")
    page = page.replace(BASE_PLACEHOLDER, f'<base href="{mount}">').replace(
        CONFIG_PLACEHOLDER, f'<script id="console-config" type="application/json">{config}</script>')
    return _file(page.encode("utf-8"), "text/html; charset=utf-8", "no-cache", accepts_gzip, key=None)


def console_config() -> dict[str, Any]:
    """How the page signs people in: the identity provider (OpenID Connect, code + PKCE), or the local demo."""
    helper = os.environ.get("CONSOLE_DEMO_HELPER_URL", "")
    if helper and os.environ.get("STAGE") != "prod":
        return {"auth": {"mode": "demo", "helperUrl": helper.rstrip("/")}}
    return {"auth": {"mode": "oidc", "issuer": os.environ.get("AUTH_ISSUER", ""),
                     "clientId": os.environ.get("CONSOLE_CLIENT_ID", ""),
                     "audience": os.environ.get("AUTH_AUDIENCE", ""),
                     "scope": os.environ.get("CONSOLE_SCOPE", "") or "openid"}}


def _security() -> dict[str, str]:
    auth = console_config()["auth"]
    other = auth.get("helperUrl") or auth.get("issuer") or ""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(other)) if other.startswith(("http://", "https://")) else ""
    # An identity provider whose token endpoint is on another host than its issuer (Cognito's hosted domain) is named
    # in CONSOLE_CONNECT_ORIGINS (the ConsoleConnectOrigins parameter).
    extra = [o for o in os.environ.get("CONSOLE_CONNECT_ORIGINS", "").split() if o.startswith("https://")]
    connect = " ".join(filter(None, ["'self'", origin, *extra]))
    return {
        # 'unsafe-eval': the forms' JSON-Schema validator (Ajv, through @rjsf/validator-ajv8) compiles each step's
        # schema, served by the API at run time, into a function. Inline and foreign scripts stay refused.
        "Content-Security-Policy": f"default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self'; "
                                   f"img-src 'self' data:; "
                                   f"connect-src {connect}; frame-ancestors 'none'; base-uri 'self'; "
                                   f"form-action 'self'; object-src 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def _content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix in (".js", ".mjs"):
        guessed = "application/javascript"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") or guessed.endswith(
        ("javascript", "json")) else guessed


def _file(body: bytes, content_type: str, cache: str, accepts_gzip: bool, *, key: str | None) -> dict[str, Any]:
    headers = {"Content-Type": content_type, "Cache-Control": cache, "Vary": "Accept-Encoding", **_security()}
    if accepts_gzip and content_type.startswith(COMPRESSIBLE) and len(body) > 1024:
        # Built files don't change while this instance lives: each is compressed once.
        body = gzip.compress(body, mtime=0) if key is None else _gzipped.setdefault(key, gzip.compress(body, mtime=0))
        headers["Content-Encoding"] = "gzip"
    elif content_type.startswith(COMPRESSIBLE):
        return {"statusCode": 200, "headers": headers, "body": body.decode("utf-8")}
    return {"statusCode": 200, "headers": headers, "body": base64.b64encode(body).decode("ascii"),
            "isBase64Encoded": True}


def _problem(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"statusCode": status,
            "headers": {"Content-Type": "application/problem+json", "Cache-Control": "no-store", **_security()},
            "body": json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})}
