"""Who may do what: bearer JWTs in, a :class:`Principal` out, and one rule table for every operation.

Tokens (docs/management-api.md#authentication) are verified with PyJWT against the issuer, audience and key from
the environment: RS256 with keys from a JWKS URL in production (``AUTH_JWKS_URL``), or HS256 with a local key
(``AUTH_HS256_KEY``) only when no JWKS URL is set — the local stack and tests. Claims:

- ``sub`` (who), ``tenant_id`` (the 3PL), ``role`` (``admin`` or ``customer``), and for a customer user
  ``customer_id`` (the WMS customer UUID they act for); ``exp`` is required.

Rules (product decision 1): a tenant admin may do everything for every customer of their tenant; a customer user
may read and change only their own customer's integrations (and see only that customer), and only while the
tenant lists that customer in ``selfManagedCustomerIds``; tenant settings, statements and billing runs are admin
only; nobody touches another tenant. Integration types are public to any signed-in user.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..core.context import on_reset
from .errors import DependencyFailed, Forbidden, Unauthenticated

if TYPE_CHECKING:
    # PyJWT and the cryptography it loads (~30 ms) are imported when the first token is verified (TokenVerifier),
    # not at import: a door's module load pays for what every request needs, and the verifier is made on first use.
    import jwt

#: Clock skew tolerated on exp/iat/nbf.
LEEWAY_SECONDS = 30
#: HS256 keys shorter than this are refused (RFC 7518 §3.2: at least the hash size).
MIN_HS256_KEY_BYTES = 32


class Role(StrEnum):
    ADMIN = "admin"
    CUSTOMER = "customer"


class Operation(StrEnum):
    READ_TYPES = "types:read"
    READ_SETTINGS = "settings:read"
    WRITE_SETTINGS = "settings:write"
    READ_CUSTOMERS = "customers:read"
    READ_INTEGRATIONS = "integrations:read"
    WRITE_INTEGRATIONS = "integrations:write"
    READ_STATEMENT = "billing:read"
    RUN_BILLING = "billing:run"


ADMIN_ONLY = frozenset({Operation.READ_SETTINGS, Operation.WRITE_SETTINGS, Operation.READ_STATEMENT,
                        Operation.RUN_BILLING})
CUSTOMER_SCOPED = frozenset({Operation.READ_INTEGRATIONS, Operation.WRITE_INTEGRATIONS})


@dataclass(frozen=True)
class Principal:
    subject: str
    tenant_id: str
    role: Role
    customer_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def authorize(principal: Principal, operation: Operation, *, tenant_id: str | None = None,
              customer_id: str | None = None, self_managed_customer_ids: Collection[str] = ()) -> None:
    """Raise :class:`Forbidden` unless ``principal`` may perform ``operation`` on this tenant (and customer).

    Called before anything is read or validated, so a refused request learns nothing and changes nothing.
    """
    if operation is Operation.READ_TYPES:
        return
    if tenant_id != principal.tenant_id:
        raise Forbidden("This token belongs to another tenant", field="tenantId",
                        resolution="Use the tenant id your token was issued for.")
    if principal.is_admin:
        return
    if operation in ADMIN_ONLY:
        raise Forbidden("Only the tenant's administrators may do this",
                        resolution="Ask an administrator of your 3PL to do it for you.")
    if principal.customer_id not in self_managed_customer_ids:
        raise Forbidden("Your 3PL has not allowed your customer account to manage its own integrations",
                        resolution="Ask your CartonCloud account owner to give your account permission to "
                                   "create Self-Managed Integrations.")
    if operation in CUSTOMER_SCOPED and customer_id != principal.customer_id:
        raise Forbidden("Customer users may only manage their own customer's integrations", field="customerId",
                        resolution="Use your own customer id.")


def authorize_tenant_level(principal: Principal, operation: Operation, *, tenant_id: str) -> None:
    """Tenant-level integrations (a platform serving every customer, e.g. a TMS) are the tenant's own: its admins
    read and change them; a customer user is refused whatever the tenant lets them self-manage."""
    if tenant_id != principal.tenant_id:  # another tenant: refused first, as everywhere
        authorize(principal, operation, tenant_id=tenant_id)
    if not principal.is_admin:
        raise Forbidden("Only the tenant's administrators manage tenant-level integrations",
                        resolution="Ask an administrator of your 3PL; tenant-level integrations serve every customer.")


# --- authentication -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthSettings:
    issuer: str
    audience: str
    jwks_url: str = ""
    #: Local only: ignored when a JWKS URL is set or the stage is prod.
    hs256_key: str = ""
    stage: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AuthSettings:
        env = os.environ if environ is None else environ
        return cls(
            issuer=env.get("AUTH_ISSUER", ""),
            audience=env.get("AUTH_AUDIENCE", ""),
            jwks_url=env.get("AUTH_JWKS_URL", ""),
            hs256_key=env.get("AUTH_HS256_KEY", ""),
            stage=env.get("STAGE", ""),
        )

    def overlaid(self, environ: Mapping[str, str] | None = None) -> AuthSettings:
        """These settings, with any value the environment holds now taking precedence. In Lambda the environment
        never changes; the local stack applies a function's own variables only while importing it and sets the
        local HS256 key later, so the door reads them at import and overlays the process environment per call."""
        now = AuthSettings.from_environment(environ)
        return AuthSettings(issuer=now.issuer or self.issuer, audience=now.audience or self.audience,
                            jwks_url=now.jwks_url or self.jwks_url, hs256_key=now.hs256_key or self.hs256_key,
                            stage=now.stage or self.stage)


class TokenVerifier:
    """Verifies bearer tokens; one per warm Lambda (the JWKS is fetched once and cached for 5 minutes)."""

    def __init__(self, settings: AuthSettings) -> None:
        import jwt  # imported on first use: see the TYPE_CHECKING import above

        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_jwk_set=True, lifespan=300, timeout=5) \
            if settings.jwks_url else None

    def principal(self, authorization: str | None) -> Principal:
        """The caller named by an ``Authorization: Bearer …`` header, or :class:`Unauthenticated`."""
        if not authorization or not authorization.lower().startswith("bearer "):
            raise Unauthenticated("Send the Authorization header as 'Bearer <token>'", field="Authorization")
        claims = self._decode(authorization[7:].strip())
        return principal_from_claims(claims)

    def _decode(self, token: str) -> dict[str, Any]:
        import jwt  # loaded by __init__ already; a module lookup

        settings = self.settings
        if not settings.issuer or not settings.audience:
            raise DependencyFailed("Token verification is not configured (AUTH_ISSUER / AUTH_AUDIENCE)",
                                   resolution="Set the AuthIssuer and AuthAudience parameters of the stack.")
        options: jwt.types.Options = {"require": ["exp", "iss", "aud", "sub"]}
        try:
            if self._jwks is not None:
                key: Any = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = ["RS256"]
            elif settings.stage != "prod" and len(settings.hs256_key.encode()) >= MIN_HS256_KEY_BYTES:
                key, algorithms = settings.hs256_key, ["HS256"]
            else:
                raise DependencyFailed("No token key is configured (AUTH_JWKS_URL, or AUTH_HS256_KEY locally)",
                                       resolution="Set the AuthJwksUrl parameter of the stack.")
            decoded: dict[str, Any] = jwt.decode(token, key, algorithms=algorithms, audience=settings.audience,
                                                 issuer=settings.issuer, leeway=LEEWAY_SECONDS, options=options)
        except jwt.PyJWKClientConnectionError as exc:
            raise DependencyFailed(f"The identity provider's keys could not be fetched: {exc}") from None
        except jwt.PyJWTError as exc:
            # Unknown kid, bad signature, wrong issuer/audience, expired, malformed: all "sign in again".
            raise Unauthenticated(f"The bearer token was refused: {exc}", field="Authorization") from None
        return decoded


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    tenant_id, role, customer_id = claims.get("tenant_id"), claims.get("role"), claims.get("customer_id")
    if not isinstance(tenant_id, str) or not tenant_id:
        raise Unauthenticated("The token has no tenant_id claim", field="Authorization")
    if role not in (Role.ADMIN.value, Role.CUSTOMER.value):
        raise Unauthenticated("The token's role claim must be 'admin' or 'customer'", field="Authorization")
    if role == Role.CUSTOMER.value and (not isinstance(customer_id, str) or not customer_id):
        raise Unauthenticated("A customer user's token must carry a customer_id claim", field="Authorization")
    return Principal(subject=str(claims.get("sub")), tenant_id=tenant_id, role=Role(role),
                     customer_id=customer_id if role == Role.CUSTOMER.value else None)


@lru_cache(maxsize=4)
def verifier(settings: AuthSettings) -> TokenVerifier:
    return TokenVerifier(settings)


on_reset(verifier.cache_clear)


def bearer_principal(settings: AuthSettings, authorization: str | None) -> Principal:
    """The caller a request's ``Authorization`` header names (:class:`Unauthenticated` when it doesn't verify), with
    the settings as the environment has them now (``overlaid``: the local stack changes them while running)."""
    return verifier(settings.overlaid()).principal(authorization)
