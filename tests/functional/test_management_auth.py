"""Production authentication: RS256 tokens verified with keys fetched from the identity provider's JWKS URL
(served here on a local port), and the HS256 key ignored once a JWKS URL is set."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from integrations.core.context import core
from integrations.core.stores import Tenant
from jwt.algorithms import RSAAlgorithm

from .management_support import AUDIENCE, HS256_KEY, ISSUER, ManagementApi, mint


@pytest.fixture
def identity_provider():
    """A JWKS endpoint with one RSA key (kid ``k1``); ``requests`` counts how often it was fetched."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    state = {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}], "requests": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["requests"] += 1
            body = json.dumps({"keys": state["keys"]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield {"key": key, "url": f"http://{host}:{port}/.well-known/jwks.json", "state": state}
    server.shutdown()
    server.server_close()


def rs256(key, kid: str = "k1", **claims) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "idp-user", "iat": now, "exp": now + 600,
               "tenant_id": "tenant-rs", "role": "admin", **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def test_rs256_tokens_verify_against_the_jwks_and_nothing_else_does(stack, monkeypatch, identity_provider):
    monkeypatch.setenv("AUTH_JWKS_URL", identity_provider["url"])
    monkeypatch.setenv("AUTH_HS256_KEY", HS256_KEY)  # set, but must be ignored beside a JWKS URL
    core().tenants.put(Tenant(tenant_id="tenant-rs", name="RS 3PL", wms_base_url="https://api.cartoncloud.test"))
    api = ManagementApi(stack)

    ok = api.get("/tenants/tenant-rs/settings", token=rs256(identity_provider["key"]))
    assert ok.status == 200 and ok.json()["name"] == "RS 3PL"
    assert api.get("/integration-types", token=rs256(identity_provider["key"])).status == 200
    assert identity_provider["state"]["requests"] == 1  # the key set is cached, not fetched per request

    hs256_token = mint("tenant-rs", "admin")  # signed with the local HS256 key: refused in RS256 mode
    assert api.get("/integration-types", token=hs256_token).status == 401
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert api.get("/integration-types", token=rs256(other_key)).status == 401           # not the IdP's key
    assert api.get("/integration-types", token=rs256(identity_provider["key"], kid="k9")).status == 401
    assert api.get("/integration-types", token=rs256(identity_provider["key"], aud="x")).status == 401
    foreign = api.get("/tenants/another-tenant/settings", token=rs256(identity_provider["key"]))
    assert foreign.status == 403


def test_an_unreachable_identity_provider_is_a_dependency_failure_not_a_bad_token(stack, monkeypatch):
    monkeypatch.setenv("AUTH_JWKS_URL", "http://127.0.0.1:9/.well-known/jwks.json")  # discard port: nothing there
    api = ManagementApi(stack)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    answer = api.get("/integration-types", token=rs256(key))
    assert answer.status == 502 and "identity provider" in answer.json()["detail"]
