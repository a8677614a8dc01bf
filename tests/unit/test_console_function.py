"""The console's function (functions/console/app.py): the built page and its files over the HttpApi, on a built
console of our own (a temporary ``static/``), as API Gateway would call it."""

from __future__ import annotations

import base64
import gzip
import importlib.util
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from local.lambda_runtime import http_event

ROOT = Path(__file__).resolve().parents[2]
INDEX = """<!doctype html><html><head><base href="/console/">
<script id="console-config" type="application/json">{}</script>
<script type="module" src="./assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>"""


@pytest.fixture
def console(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("console_app_under_test", ROOT / "functions" / "console" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text(INDEX)
    (static / "assets" / "index-abc123.js").write_text("console.log('the console');\n" * 100)
    (static / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("not served")
    monkeypatch.setattr(module, "STATIC", static)
    for name in ("CONSOLE_DEMO_HELPER_URL", "CONSOLE_CLIENT_ID", "CONSOLE_SCOPE", "CONSOLE_CONNECT_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AUTH_ISSUER", "https://login.example.com/tenant/")
    monkeypatch.setenv("AUTH_AUDIENCE", "integrations-management")
    monkeypatch.setenv("CONSOLE_CLIENT_ID", "console-client")
    monkeypatch.setenv("STAGE", "prod")
    return module


def get(module, raw_path: str, *, gzip_ok: bool = False) -> dict:
    route, proxy = ("/console", None) if raw_path.rstrip("/").endswith("/console") else ("/console/{proxy+}", None)
    if route == "/console/{proxy+}":
        proxy = unquote(raw_path.split("/console/", 1)[1])  # API Gateway decodes path parameters
    event = http_event("GET", raw_path, route=route, path_parameters={"proxy": proxy} if proxy else None,
                       headers={"accept-encoding": "gzip, br"} if gzip_ok else {})
    event["rawPath"] = raw_path
    return module.handler(event, None)


def body_of(answer: dict) -> bytes:
    raw = base64.b64decode(answer["body"]) if answer.get("isBase64Encoded") else answer["body"].encode()
    return gzip.decompress(raw) if answer["headers"].get("Content-Encoding") == "gzip" else raw


def config_of(page: str) -> dict:
    found = re.search(r'<script id="console-config" type="application/json">(.*?)</script>', page)
    assert found
    return json.loads(found.group(1))


def test_the_bare_mount_is_the_page_with_the_mount_as_its_base(console):
    for path, base in (("/console", "/console/"), ("/dev/console", "/dev/console/")):  # a named stage keeps its prefix
        answer = get(console, path)
        assert answer["statusCode"] == 200 and f'<base href="{base}">' in body_of(answer).decode(), path


def test_the_sample_event_is_answered_with_the_page(console):
    event = json.loads((ROOT / "events" / "console.json").read_text())
    answer = console.handler(event, None)
    assert answer["statusCode"] == 200 and answer["headers"]["Content-Type"].startswith("text/html")
    assert '<div id="root">' in body_of(answer).decode()


def test_the_page_names_its_mount_and_inlines_the_sign_in_settings(console):
    answer = get(console, "/dev/console/")
    page = body_of(answer).decode()
    assert answer["statusCode"] == 200 and answer["headers"]["Content-Type"].startswith("text/html")
    assert answer["headers"]["Cache-Control"] == "no-cache"
    assert '<base href="/dev/console/">' in page
    assert config_of(page) == {"auth": {"mode": "oidc", "issuer": "https://login.example.com/tenant/",
                                        "clientId": "console-client", "audience": "integrations-management",
                                        "scope": "openid"}}


def test_the_pages_own_routes_answer_the_page_and_files_are_served_with_their_cache_rules(console):
    for route in ("/console/customers/abc", "/console/customers/abc/integrations/def", "/console/index.html"):
        assert "<div id=\"root\">" in body_of(get(console, route)).decode(), route
    script = get(console, "/console/assets/index-abc123.js")
    assert script["headers"]["Content-Type"] == "application/javascript; charset=utf-8"
    assert script["headers"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert get(console, "/console/favicon.svg")["headers"]["Cache-Control"] == "public, max-age=3600"


def test_text_is_gzipped_only_for_browsers_that_accept_it(console):
    plain = get(console, "/console/assets/index-abc123.js")
    zipped = get(console, "/console/assets/index-abc123.js", gzip_ok=True)
    assert "Content-Encoding" not in plain["headers"]
    assert zipped["headers"]["Content-Encoding"] == "gzip" and zipped["isBase64Encoded"] is True
    assert body_of(zipped) == body_of(plain)
    assert len(base64.b64decode(zipped["body"])) < len(body_of(plain)) / 10


@pytest.mark.parametrize("path", ["/console/assets/missing.js", "/console/../secret.txt",
                                  "/console/assets/../../secret.txt", "/console/%00.js",
                                  "/console/" + "a" * 300 + ".js"])
def test_nothing_outside_the_built_files_is_served(console, path):
    answer = get(console, path)
    assert answer["statusCode"] == 404, path
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert b"not served" not in body_of(answer)


def test_every_answer_carries_a_strict_content_security_policy(console):
    policy = get(console, "/console/")["headers"]["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-eval';" in policy and "'unsafe-inline'" not in policy
    assert "connect-src 'self' https://login.example.com;" in policy  # the API, and the identity provider's token call
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert get(console, "/console/nope.js")["headers"]["Content-Security-Policy"] == policy


def test_a_token_endpoint_on_another_host_can_be_allowed(console, monkeypatch):
    cognito = "https://integrations.auth.ap-southeast-2.amazoncognito.com"
    monkeypatch.setenv("CONSOLE_CONNECT_ORIGINS", f"{cognito} javascript:x")  # only https origins are taken
    policy = get(console, "/console/")["headers"]["Content-Security-Policy"]
    assert f"connect-src 'self' https://login.example.com {cognito};" in policy


def test_the_local_demo_sign_in_is_offered_only_off_prod(console, monkeypatch):
    monkeypatch.setenv("CONSOLE_DEMO_HELPER_URL", "http://127.0.0.1:4009/")
    assert config_of(body_of(get(console, "/console/")).decode())["auth"]["mode"] == "oidc"
    monkeypatch.setenv("STAGE", "dev")
    answer = get(console, "/console/")
    assert config_of(body_of(answer).decode()) == {"auth": {"mode": "demo", "helperUrl": "http://127.0.0.1:4009"}}
    assert "connect-src 'self' http://127.0.0.1:4009;" in answer["headers"]["Content-Security-Policy"]


def test_a_config_value_cannot_close_the_script_element(console, monkeypatch):
    monkeypatch.setenv("CONSOLE_CLIENT_ID", "</script><script>alert(1)</script>")
    page = body_of(get(console, "/console/")).decode()
    assert "<script>alert(1)" not in page
    assert config_of(page)["auth"]["clientId"] == "</script><script>alert(1)</script>"


def test_a_package_without_the_built_console_says_how_to_build_it(console, tmp_path, monkeypatch):
    monkeypatch.setattr(console, "STATIC", tmp_path / "empty")
    answer = get(console, "/console/")
    assert answer["statusCode"] == 503 and "make console" in json.loads(answer["body"])["detail"]
