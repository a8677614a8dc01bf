"""CartonCloud's sign-in: the OAuth client-credentials token endpoint, ``/uaa/userinfo``, and the guard every
``/tenants/{tenantId}`` route runs (a live bearer token of that tenant's API client, then ``Accept-Version``).
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta

from ..base import SandboxRequest, SandboxResponse
from ..common import basic_credentials
from .model import API_VERSION, ApiError
from .state import CartonCloudState, Tenant, Token


class AuthApi(CartonCloudState):
    """Tokens for API clients, and the per-tenant route guard."""

    def _api(self, method: str, pattern: str, handler: Callable[..., SandboxResponse],
             versions: frozenset[str] = frozenset({API_VERSION})) -> None:
        """A ``/tenants/{tenantId}`` route: bearer token for that tenant's API client, then ``Accept-Version``."""

        def guarded(request: SandboxRequest, tenant_id: str, **groups: str) -> SandboxResponse:
            try:
                with self.transaction():
                    tenant = self._authorise(request, tenant_id)
                    self._check_version(request, versions)
                    return handler(request, tenant, **groups)
            except ApiError as exc:
                return SandboxResponse.json(exc.status, exc.entries, exc.headers)

        self.route(method, rf"/tenants/(?P<tenant_id>[^/]+){pattern}", guarded)

    @staticmethod
    def _check_version(request: SandboxRequest, versions: frozenset[str]) -> None:
        version = request.header("Accept-Version")
        if version is None or not version.strip():
            raise ApiError(400, [{"message": "Missing request header 'Accept-Version'"}])
        if version.strip() not in versions:
            raise ApiError(406, [{"message": f"Not Acceptable: invalid Accept-Version '{version.strip()}'"}])

    def _authorise(self, request: SandboxRequest, tenant_id: str) -> Tenant:
        header = request.header("Authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise ApiError(401, [{"message": "Full authentication is required to access this resource"}])
        token = self._tokens.get(value.strip())
        if token is None:
            raise ApiError(401, [{"message": "Invalid access token"}])
        if token.expires_at <= self._now():
            raise ApiError(401, [{"message": "Access token expired"}])
        tenant = self.tenants.get(tenant_id)
        if tenant is None or tenant.client_id != token.client_id:
            # GUESS: a token of another tenant's client is refused like a bad one (no tenant enumeration).
            raise ApiError(401, [{"message": "Invalid access token"}])
        return tenant

    # --- /uaa --------------------------------------------------------------------------------------------------------

    def _token_endpoint(self, request: SandboxRequest) -> SandboxResponse:
        try:
            with self.transaction():
                self._check_version(request, frozenset({API_VERSION}))
                tenant = self._basic_auth(request)
                grant_type = request.form().get("grant_type")
                if grant_type != "client_credentials":
                    raise ApiError(400, [{"message": f"Unsupported grant type: {grant_type}"}])
                access_token = secrets.token_urlsafe(32)
                self._tokens[access_token] = Token(
                    tenant.client_id, self._now() + timedelta(seconds=self.token_ttl_seconds)
                )
                return SandboxResponse.json(
                    200,
                    {"access_token": access_token, "token_type": "bearer", "expires_in": self.token_ttl_seconds},
                    {"Cache-Control": "no-store"},
                )
        except ApiError as exc:
            return SandboxResponse.json(exc.status, exc.entries, exc.headers)

    def _basic_auth(self, request: SandboxRequest) -> Tenant:
        client_id, sep, secret = (basic_credentials(request.header("Authorization")) or "").partition(":")
        if sep:
            for tenant in self.tenants.values():
                if tenant.client_id == client_id and hmac.compare_digest(tenant.client_secret, secret):
                    return tenant
        raise ApiError(401, [{"message": "Bad credentials"}])

    def _userinfo(self, request: SandboxRequest) -> SandboxResponse:
        """GUESS for API clients: the reference shows a person; here the "user" is the tenant's API client."""
        try:
            with self.transaction():
                scheme, _, value = (request.header("Authorization") or "").partition(" ")
                token = self._tokens.get(value.strip()) if scheme.lower() == "bearer" else None
                if token is None or token.expires_at <= self._now():
                    raise ApiError(401, [{"message": "Invalid access token"}])
                self._check_version(request, frozenset({API_VERSION}))
                tenants = [t for t in self.tenants.values() if t.client_id == token.client_id]
                return SandboxResponse.json(200, {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"cartoncloud-api-client:{token.client_id}")),
                    "name": f"API client {token.client_id}",
                    "email": None,
                    "tenants": [{"id": t.id, "name": t.name} for t in tenants],
                })
        except ApiError as exc:
            return SandboxResponse.json(exc.status, exc.entries, exc.headers)
