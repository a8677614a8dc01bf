"""The Rose Rocket client: Auth0 service-account tokens and the platform model's ``/objects`` operations
(roserocket.readme.io: the OAuth 2.0 guide, objects; docs/rose-rocket.md).

- Tokens: ``POST {auth}/oauth/token`` with ``grant_type=client_credentials``, ``client_id``, ``client_secret``,
  ``audience``, ``org_id`` and ``user_id`` (the service account) — cached per warm Lambda until a minute before
  ``expires_in``, and refreshed once on a 401 (the lifetime is "deliberately variable"). The audience is
  ``https://roserocket.com`` (a digest of the OAuth guide); the guide itself says "the base URL of the Rose Rocket
  API" (assumption ``token-audience``), so when Auth0 refuses ours as an audience the API's base URL is asked for
  instead, and the one that worked is remembered per application. The answer is read flat (Auth0's) or wrapped
  in ``data`` (as v1's token endpoint answered).
- Every call: ``Authorization: Bearer``, JSON, the shared HTTP policy (timeouts; 429/5xx retried honouring
  ``Retry-After``) and the organisation's rate budget.
- Reads name the connected objects they need in ``paths``; writes of connected objects go inline.
- Search walks a board by ``updatedAt``/``createdAt`` ascending (the API has ``limit`` and no cursor).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from ..core.context import on_reset
from ..core.errors import RetryableError, UpstreamError, UpstreamNotFound, UpstreamUnavailable
from ..core.http import UpstreamSession
from . import UPSTREAM
from .errors import error_from_response

if TYPE_CHECKING:
    import requests  # for annotations only: the session in core.http imports it on first use

DEFAULT_BASE_URL = "https://network.roserocket.com/api/v2/platformModel"
DEFAULT_AUTH_URL = "https://a.roserocket.com"
AUDIENCE = "https://roserocket.com"
#: The other reading of "audience: the base URL of the Rose Rocket API" (the production API's, wherever we call).
API_AUDIENCE = DEFAULT_BASE_URL
#: Application → the audience Auth0 took for it (per warm Lambda).
AUDIENCES: dict[str, str] = {}
#: Records a search returns at most (the sandbox's limit; Rose Rocket's own is unpublished).
SEARCH_LIMIT = 200
_TOKEN_MARGIN_SECONDS = 60


def base_url() -> str:
    """The platform model's address; ``ROSE_ROCKET_BASE_URL`` points a local stack at its sandbox."""
    return os.environ.get("ROSE_ROCKET_BASE_URL", DEFAULT_BASE_URL).rstrip("/")


def auth_url() -> str:
    return os.environ.get("ROSE_ROCKET_AUTH_URL", DEFAULT_AUTH_URL).rstrip("/")


def _token_answer(response: requests.Response) -> dict[str, Any]:
    """The token answer, flat (Auth0) or wrapped in ``data`` (v1); one without a token is Rose Rocket's fault, said
    in words (never a KeyError)."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("data"), dict) and "access_token" not in body:
        body = body["data"]
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) or not body["access_token"]:
        raise UpstreamUnavailable(f"{UPSTREAM}'s token endpoint answered without an access token (tried again "
                                  "later)", upstream=UPSTREAM, status=response.status_code)
    return body


class TooManyMatches(UpstreamError, RetryableError):
    """A search would walk past our safety limit: the poll keeps its cursor and reads on later."""


class _Tokens:
    def __init__(self) -> None:
        self._held: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, now: float) -> str | None:
        with self._lock:
            held = self._held.get(key)
        return held[0] if held and held[1] > now else None

    def put(self, key: str, token: str, expires_at: float) -> None:
        with self._lock:
            self._held[key] = (token, expires_at)

    def drop(self, key: str) -> None:
        with self._lock:
            self._held.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


TOKENS = _Tokens()
on_reset(TOKENS.clear)
on_reset(AUDIENCES.clear)


def _audience_refused(response: requests.Response) -> bool:
    """Auth0's answer to a token request for an API (audience) the application isn't allowed."""
    if response.status_code not in (400, 401, 403):
        return False
    text = response.text.casefold()
    return "service not enabled" in text or "audience" in text


class RoseRocketClient:
    def __init__(self, *, client_id: str, client_secret: SecretStr, org_id: str, user_id: str,
                 session: UpstreamSession, budget_key: str | None = None, base: str | None = None,
                 auth: str | None = None, clock: Callable[[], float] = time.time) -> None:
        self.client_id = client_id
        self._secret = client_secret
        self.org_id = org_id
        self.user_id = user_id
        self.http = session
        self.budget_key = budget_key
        self.base_url = (base or base_url()).rstrip("/")
        self.auth_url = (auth or auth_url()).rstrip("/")
        self._clock = clock
        digest = hashlib.sha256(client_secret.get_secret_value().encode()).hexdigest()[:16]
        self._token_key = f"{self.auth_url}#{client_id}#{org_id}#{user_id}#{digest}"
        self._application = f"{self.auth_url}#{client_id}"

    @property
    def audience(self) -> str:
        """The audience this application's tokens are asked for (ours until Auth0 refused it)."""
        return AUDIENCES.get(self._application, AUDIENCE)

    def __repr__(self) -> str:
        return f"RoseRocketClient(org_id={self.org_id!r}, client_id={self.client_id!r})"

    # --- auth -----------------------------------------------------------------------------------------------------

    def token(self, *, refresh: bool = False) -> str:
        now = self._clock()
        if not refresh:
            held = TOKENS.get(self._token_key, now)
            if held:
                return held
        audience = self.audience
        response = self._token_request(audience)
        if response.status_code != 200 and _audience_refused(response):
            other = API_AUDIENCE if audience == AUDIENCE else AUDIENCE
            retried = self._token_request(other)
            if retried.status_code == 200:
                AUDIENCES[self._application] = other
                response = retried
        if response.status_code != 200:
            raise error_from_response(response, "POST", "/oauth/token")
        body = _token_answer(response)
        token = str(body["access_token"])
        TOKENS.put(self._token_key, token, now + float(body.get("expires_in", 3600)) - _TOKEN_MARGIN_SECONDS)
        return token

    def audience_taken(self, audience: str) -> bool | None:
        """Whether Auth0 issues this application a token for ``audience`` (None: refused for another reason, which
        :meth:`token` raises in words). For the live check: nothing is cached."""
        response = self._token_request(audience)
        if response.status_code == 200:
            return True
        return False if _audience_refused(response) else None

    def _token_request(self, audience: str) -> requests.Response:
        return self.http.request("POST", f"{self.auth_url}/oauth/token", budget_key=self.budget_key, json={
            "grant_type": "client_credentials", "client_id": self.client_id,
            "client_secret": self._secret.get_secret_value(), "audience": audience, "org_id": self.org_id,
            "user_id": self.user_id}, headers={"Content-Type": "application/json", "Accept": "application/json"})

    # --- transport ------------------------------------------------------------------------------------------------

    def call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
             ok: tuple[int, ...] = (200, 201)) -> requests.Response:
        for refreshed in (False, True):
            response = self.http.request(method, f"{self.base_url}{path}", json=json, params=params,
                                         budget_key=self.budget_key,
                                         headers={"Authorization": f"Bearer {self.token(refresh=refreshed)}",
                                                  "Accept": "application/json", "Content-Type": "application/json"})
            if response.status_code == 401 and not refreshed:
                TOKENS.drop(self._token_key)  # expired early or revoked: one fresh token, then give up
                continue
            break
        if response.status_code not in ok:
            raise error_from_response(response, method, path)
        return response

    # --- objects ----------------------------------------------------------------------------------------------------

    def get(self, record_id: str, *, paths: str | None = None) -> dict[str, Any] | None:
        """A record by id (None when it doesn't exist)."""
        try:
            response = self.call("GET", f"/objects/{record_id}", params={"paths": paths} if paths else None)
        except UpstreamNotFound:
            return None
        return dict(response.json())

    def get_external(self, object_key: str, external_id: str, *, paths: str | None = None) -> dict[str, Any] | None:
        try:
            response = self.call("GET", f"/objects/{object_key}/{external_id}/external",
                                 params={"paths": paths} if paths else None)
        except UpstreamNotFound:
            return None
        return dict(response.json())

    def create(self, object_key: str, values: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", "/objects", json={"objectKey": object_key, "json": values}).json())

    def upsert(self, object_key: str, values: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Create or update by ``values["externalId"]`` (idempotent); True when it was created."""
        response = self.call("PATCH", "/objects", json={"objectKey": object_key, "json": values})
        return dict(response.json()), response.status_code == 201

    def update(self, record_id: str, object_key: str, values: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("PUT", f"/objects/{record_id}", json={"objectKey": object_key, "json": values}).json())

    def delete(self, record_id: str) -> bool:
        """False when it was already gone."""
        try:
            self.call("DELETE", f"/objects/{record_id}")
        except UpstreamNotFound:
            return False
        return True

    def boards(self, object_key: str) -> list[dict[str, Any]]:
        answer = self.call("GET", "/boards/nav", params={"objectKey": object_key}, json={"objectKey": object_key})
        return [b for b in answer.json() if b.get("objectKey") == object_key]

    def search_page(self, board_id: str, *, limit: int, order_by: str = "updatedAt",
                    direction: str = "desc") -> list[dict[str, Any]]:
        """One page of a board (the newest first, by default): what the live check looks at."""
        page = self.call("POST", "/objects/search", json={
            "boardId": board_id, "filters": [], "filtersOperator": "and", "orderByPath": order_by,
            "orderByDirection": direction, "limit": limit}).json()
        return [r for r in page.get("results", []) if isinstance(r, dict)] if isinstance(page, dict) else []

    def search(self, board_id: str, *, filters: list[dict[str, Any]], order_by: str = "updatedAt",
               after: str | None = None, max_pages: int = 20) -> Iterator[dict[str, Any]]:
        """Every record of a board matching ``filters``, in ``order_by`` order: pages of :data:`SEARCH_LIMIT` walked
        by the last value seen (``gte``, ids seen at that value skipped). Raises :class:`TooManyMatches` after
        ``max_pages``, or when one value holds a whole page (no way past it)."""
        seen_at_edge: set[str] = set()
        edge = after
        for _ in range(max_pages):
            conditions = [*filters, *([{"path": order_by, "operator": "gte", "value": edge}] if edge else [])]
            page = self.call("POST", "/objects/search", json={
                "boardId": board_id, "filters": conditions, "filtersOperator": "and", "orderByPath": order_by,
                "orderByDirection": "asc", "limit": SEARCH_LIMIT}).json()
            results = [r for r in page.get("results", []) if r.get("id") not in seen_at_edge]
            yield from results
            if len(page.get("results", [])) < SEARCH_LIMIT:
                return
            last = page["results"][-1].get(order_by)
            if last == edge and not results:
                break
            seen_at_edge = {r["id"] for r in page["results"] if r.get(order_by) == last} | (
                seen_at_edge if last == edge else set())
            edge = last
        raise TooManyMatches(f"{UPSTREAM} search of board {board_id} has more than {max_pages} pages to walk",
                             upstream=UPSTREAM)
