"""Permissions, pure: the rule table over every (tenant, role, customer, permission, operation), and token checks."""

from __future__ import annotations

import itertools
import time

import jwt
import pytest
from integrations.management.errors import DependencyFailed, Forbidden, Unauthenticated
from integrations.management.permissions import (
    ADMIN_ONLY,
    CUSTOMER_SCOPED,
    AuthSettings,
    Operation,
    Principal,
    Role,
    TokenVerifier,
    authorize,
)

TENANT, OTHER_TENANT = "tenant-a", "tenant-b"
CUSTOMER, OTHER_CUSTOMER = "customer-1", "customer-2"
KEY = "unit-tests-management-key-0123456789abcdef"
SETTINGS = AuthSettings(issuer="https://issuer.test/", audience="management", hs256_key=KEY)


def allowed(tenant: str, role: Role, customer: str, permitted: bool, operation: Operation) -> bool:
    """The product rule (decision 1), written independently of the implementation."""
    if operation is Operation.READ_TYPES:
        return True
    if tenant != "own":
        return False
    if role is Role.ADMIN:
        return True
    if operation in {Operation.READ_SETTINGS, Operation.WRITE_SETTINGS, Operation.READ_STATEMENT,
                     Operation.RUN_BILLING}:
        return False
    if not permitted:
        return False
    return not (operation in {Operation.READ_INTEGRATIONS, Operation.WRITE_INTEGRATIONS} and customer != "own")


@pytest.mark.parametrize(("tenant", "role", "customer", "permitted", "operation"), list(itertools.product(
    ("own", "other"), list(Role), ("own", "other"), (True, False), list(Operation))))
def test_the_rule_table(tenant, role, customer, permitted, operation):
    principal = Principal("someone", TENANT, role, CUSTOMER if role is Role.CUSTOMER else None)
    kwargs = {
        "tenant_id": TENANT if tenant == "own" else OTHER_TENANT,
        "customer_id": CUSTOMER if customer == "own" else OTHER_CUSTOMER,
        "self_managed_customer_ids": [CUSTOMER] if permitted else [OTHER_CUSTOMER],
    }
    if allowed(tenant, role, customer, permitted, operation):
        authorize(principal, operation, **kwargs)
    else:
        with pytest.raises(Forbidden) as refused:
            authorize(principal, operation, **kwargs)
        assert refused.value.status == 403 and refused.value.resolution


def test_admin_only_and_customer_scoped_operations_are_what_the_product_says():
    assert {Operation.READ_SETTINGS, Operation.WRITE_SETTINGS, Operation.READ_STATEMENT,
                          Operation.RUN_BILLING} == ADMIN_ONLY
    assert {Operation.READ_INTEGRATIONS, Operation.WRITE_INTEGRATIONS} == CUSTOMER_SCOPED


# --- tokens ---------------------------------------------------------------------------------------------------------


def token(key: str = KEY, algorithm: str = "HS256", **claims) -> str:
    now = int(time.time())
    payload = {"iss": "https://issuer.test/", "aud": "management", "sub": "u1", "iat": now, "exp": now + 600,
               "tenant_id": TENANT, "role": "admin", **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=algorithm)


def test_a_valid_admin_and_customer_token_name_their_principal():
    verifier = TokenVerifier(SETTINGS)
    assert verifier.principal(f"Bearer {token()}") == Principal("u1", TENANT, Role.ADMIN, None)
    customer = verifier.principal(f"bearer {token(role='customer', customer_id=CUSTOMER)}")
    assert customer == Principal("u1", TENANT, Role.CUSTOMER, CUSTOMER)
    # an admin's stray customer_id claim gives no customer scope
    assert verifier.principal(f"Bearer {token(customer_id=CUSTOMER)}").customer_id is None


@pytest.mark.parametrize(("why", "header"), [
    ("missing", None),
    ("not bearer", "Basic dXNlcjpwYXNz"),
    ("garbage", "Bearer not-a-jwt"),
    ("wrong key", f"Bearer {token(key='another-key-of-thirty-two-bytes-or-more')}"),
    ("expired", f"Bearer {token(exp=int(time.time()) - 3600)}"),
    ("no exp", f"Bearer {token(exp=None)}"),
    ("no sub", f"Bearer {token(sub=None)}"),
    ("wrong issuer", f"Bearer {token(iss='https://other.test/')}"),
    ("wrong audience", f"Bearer {token(aud='billing')}"),
    ("unknown role", f"Bearer {token(role='superuser')}"),
    ("customer without customer", f"Bearer {token(role='customer')}"),
    ("no tenant", f"Bearer {token(tenant_id=None)}"),
    ("alg none", "Bearer " + jwt.encode({"iss": "https://issuer.test/", "aud": "management", "sub": "u1",
                                         "exp": int(time.time()) + 600, "tenant_id": TENANT, "role": "admin"},
                                        None, algorithm="none")),
])
def test_tokens_that_do_not_verify_are_unauthenticated(why, header):
    with pytest.raises(Unauthenticated) as refused:
        TokenVerifier(SETTINGS).principal(header)
    assert refused.value.status == 401 and refused.value.field == "Authorization", why


def test_hs256_is_never_used_in_prod_or_beside_a_jwks_url_and_short_keys_are_refused():
    for settings in (AuthSettings(SETTINGS.issuer, SETTINGS.audience, hs256_key=KEY, stage="prod"),
                     AuthSettings(SETTINGS.issuer, SETTINGS.audience, hs256_key="short")):
        with pytest.raises(DependencyFailed):
            TokenVerifier(settings).principal(f"Bearer {token()}")
    unconfigured = AuthSettings("", "", hs256_key=KEY)
    with pytest.raises(DependencyFailed):
        TokenVerifier(unconfigured).principal(f"Bearer {token()}")


def test_settings_read_at_import_are_overlaid_by_the_environment_of_the_call():
    imported = AuthSettings.from_environment({"AUTH_ISSUER": "https://issuer.test/", "AUTH_AUDIENCE": "management",
                                              "AUTH_JWKS_URL": "", "STAGE": "dev"})
    now = imported.overlaid({"AUTH_HS256_KEY": KEY})
    assert now == AuthSettings("https://issuer.test/", "management", "", KEY, "dev")


def test_the_deployed_function_is_configured_for_rs256_only():
    from local.resources import load_template

    template = load_template()
    env = template["Resources"]["ManagementApiFunction"]["Properties"]["Environment"]["Variables"]
    assert env["AUTH_JWKS_URL"] == {"Ref": "AuthJwksUrl"}
    assert env["AUTH_ISSUER"] == {"Ref": "AuthIssuer"} and env["AUTH_AUDIENCE"] == {"Ref": "AuthAudience"}
    assert "AUTH_HS256_KEY" not in str(template)  # the local key exists only in the local stack's environment
