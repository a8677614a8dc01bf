"""Rose Rocket's API as the sandbox serves it: Auth0's token endpoint and the platform model's ``/objects`` and
``/boards/nav`` operations (rose-rocket-platform-model-api.openapi.json).

- ``POST /oauth/token``: client credentials for a service account (``org_id`` + ``user_id``), audience
  ``https://roserocket.com`` (dialect ``token-audience: api-base-url``: the API's base URL instead, as the OAuth
  guide words it; the other is refused with Auth0's 403 "Service not enabled within domain"); wrong client id or
  secret → 401 ``access_denied``/``Unauthorized``; an ``org_id`` or ``user_id`` the application doesn't know → 403
  naming the parameter (GUESS: Auth0's wording for a custom check).
- ``POST /objects`` (create; never upserts), ``PATCH /objects`` (upsert by ``json.externalId``: 201 created, 200
  updated), ``GET|PUT|DELETE /objects/{id}``, ``GET|PATCH|DELETE /objects/{objectKey}/{externalId}/external``;
  ``?paths=`` expands connected objects (omitted otherwise). A path that is no chain of connected objects is a 400
  naming it (GUESS: the strict answer); in the dialect ``connected-paths: refused`` so are the order paths its page
  doesn't list (``serviceType``, ``invoice…``, ``tasks.stops.address``).
- Order statuses are spelled as the dialect ``status-spelling`` says (``delivered`` or ``Delivered``), in answers,
  webhooks and search filters alike; a write in the other spelling is refused as any value outside the enum.
- ``POST /objects/search`` with a required ``boardId``, ``filters`` (GUESS: ``[{path, operator, value}]``, operators
  ``eq neq gt gte lt lte in``), ``filtersOperator`` ``and``/``or``, ``orderByPath``, ``orderByDirection`` and ``limit``
  (≤ 1000; no offset, no cursor): ``{total, results}`` of top-level fields.
- ``GET /boards/nav``: the organisation's boards (``{id, name, objectKey, ...}``), filtered by ``objectKey`` (in the
  JSON body, as the spec has it, or the query).
"""

from __future__ import annotations

from typing import Any

from ..base import SandboxRequest, SandboxResponse
from ..common import finite_decimal
from .model import AUDIENCES, ORDER_STATUSES, UNLISTED_ORDER_PATHS, ApiError, auth0, spelled, unspelled
from .records import Org, Records, path_problems, schema_of
from .state import Organization, RoseRocketState

OPERATORS = ("eq", "neq", "gt", "gte", "lt", "lte", "in")
MAX_LIMIT = 1000


def body_of(request: SandboxRequest) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError:
        raise ApiError(400, ["body must be JSON"]) from None
    if not isinstance(body, dict):
        raise ApiError(400, ["body must be an object"])
    return body


def paths_of(request: SandboxRequest, body: dict[str, Any] | None = None) -> list[str]:
    asked = (body or {}).get("paths")
    if isinstance(asked, list):
        return [str(p) for p in asked]
    text = request.param("paths") or ""
    return [p.strip() for p in text.split(",") if p.strip()]


class RoseRocketApi(RoseRocketState):
    """The token endpoint and the platform model's operations (routes: :mod:`.sandbox`)."""

    # --- Auth0 ---------------------------------------------------------------------------------------------------

    def _token_endpoint(self, request: SandboxRequest) -> SandboxResponse:
        content_type = (request.header("Content-Type") or "").lower()
        try:
            body = request.json() if "json" in content_type else request.form()
        except ValueError:
            return auth0(400, "invalid_request", "The request body could not be parsed")
        if not isinstance(body, dict) or body.get("grant_type") != "client_credentials":
            return auth0(400, "unsupported_grant_type", "Unsupported grant type: " + str(
                body.get("grant_type") if isinstance(body, dict) else None))
        with self.transaction():
            org = next((o for o in self.orgs.values() if o.client_id == body.get("client_id")), None)
            if org is None or body.get("client_secret") != org.client_secret:
                return auth0(401, "access_denied", "Unauthorized")
            if body.get("audience") != AUDIENCES[self.dialect["token-audience"]]:
                return auth0(403, "access_denied", f"Service not enabled within domain: {body.get('audience')}")
            if body.get("org_id") != org.id:
                return auth0(403, "access_denied", "org_id is not an organization of this application")
            if body.get("user_id") not in org.service_users:
                return auth0(403, "access_denied", "user_id is not a service account of this organization")
            token, ttl = self.issue_token(org, str(body["user_id"]))
        return SandboxResponse.json(200, {"access_token": token, "token_type": "Bearer", "expires_in": ttl,
                                          "scope": ""})

    # --- objects ---------------------------------------------------------------------------------------------------

    # --- the dialects at the API's edge ----------------------------------------------------------------------------

    def heard(self, object_key: Any, values: Any) -> Any:
        """An order's ``json`` as written, its status back in the stored spelling (another spelling stays as
        written, and the enum refuses it)."""
        if object_key == "order" and isinstance(values, dict) and values.get("status") is not None:
            spelled_ones = [spelled(s, self.spelling) for s in ORDER_STATUSES]
            if values["status"] not in spelled_ones:  # the enum as this organisation spells it
                problems: list[str] = []
                rest = {k: v for k, v in values.items() if k != "status"}
                Records(Org("-"), "", "", self.schemas())._validate("order", self.schemas()["order"], rest,
                                                                     problems, "json")
                raise ApiError(400, [f"json.status must be one of: {', '.join(spelled_ones)}", *problems])
            return {**values, "status": unspelled(values["status"], self.spelling)}
        return values

    def shown(self, rendered: dict[str, Any]) -> dict[str, Any]:
        """A record as the API answers it: an order's status in the organisation's spelling."""
        if rendered.get("objectKey") == "order" and isinstance(rendered.get("status"), str):
            rendered["status"] = spelled(rendered["status"], self.spelling)
        return rendered

    def checked_paths(self, object_key: str, paths: list[str]) -> list[str]:
        refused = UNLISTED_ORDER_PATHS if object_key == "order" and self.speaks("connected-paths", "refused") else ()
        problems = path_problems(object_key, paths, self.schemas(), refused)
        if problems:
            raise ApiError(400, problems)
        return paths

    def answer(self, records: Records, record: dict[str, Any], request: SandboxRequest,
               body: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.shown(records.render(record, self.checked_paths(record["objectKey"], paths_of(request, body))))

    # --- objects ---------------------------------------------------------------------------------------------------

    def _create(self, request: SandboxRequest, org: Organization, user: str) -> SandboxResponse:
        body = body_of(request)
        if "json" in body and isinstance(body["json"], dict) and "id" in body["json"]:
            raise ApiError(400, ["json.id is assigned by Rose Rocket"])
        schema_of(body.get("objectKey"), self.schemas())
        self.checked_paths(str(body.get("objectKey")), paths_of(request, body))
        with self.writing(org, user) as records:
            created = records.create(body.get("objectKey"), self.heard(body.get("objectKey"), body.get("json") or {}))
            return SandboxResponse.json(200, self.answer(records, created, request, body))

    def _upsert(self, request: SandboxRequest, org: Organization, user: str, object_key: str | None = None,
                external_id: str | None = None) -> SandboxResponse:
        body = body_of(request)
        key = object_key or body.get("objectKey")
        schema_of(key, self.schemas())
        self.checked_paths(str(key), paths_of(request, body))
        values = dict(self.heard(key, body.get("json") or {}))
        external = external_id or values.get("externalId")
        if not isinstance(external, str) or not external:
            raise ApiError(400, ["json.externalId should not be empty"])
        values["externalId"] = external
        with self.writing(org, user) as records:
            found = records.by_external(str(key), external)
            if found is None:
                created = records.create(str(key), values)
                return SandboxResponse.json(201, self.answer(records, created, request, body))
            return SandboxResponse.json(200, self.answer(records, records.update(found, values), request, body))

    def _get(self, request: SandboxRequest, org: Organization, user: str, record_id: str) -> SandboxResponse:
        records = self.records_of(org, user)
        return SandboxResponse.json(200, self.answer(records, records.get(record_id), request))

    def _put(self, request: SandboxRequest, org: Organization, user: str, record_id: str) -> SandboxResponse:
        body = body_of(request)
        with self.writing(org, user) as records:
            found = records.get(record_id)
            if body.get("objectKey") not in (None, found["objectKey"]):
                raise ApiError(400, [f"objectKey must be {found['objectKey']}"])
            self.checked_paths(found["objectKey"], paths_of(request, body))
            updated = records.update(found, self.heard(found["objectKey"], body.get("json") or {}))
            return SandboxResponse.json(200, self.answer(records, updated, request, body))

    def _delete(self, request: SandboxRequest, org: Organization, user: str, record_id: str) -> SandboxResponse:
        with self.writing(org, user) as records:
            found = records.get(record_id)
            shown = self.shown(records.render(found))
            records.delete(found)
            return SandboxResponse.json(200, shown)

    def _external(self, request: SandboxRequest, org: Organization, user: str, object_key: str,
                  external_id: str) -> SandboxResponse:
        schema_of(object_key, self.schemas())
        records = self.records_of(org, user)
        self.checked_paths(object_key, paths_of(request))
        found = records.by_external(object_key, external_id)
        if found is None:
            raise ApiError(404, f"No {object_key} with externalId {external_id}")
        if request.method == "DELETE":
            with self.writing(org, user) as writer:
                shown = self.shown(writer.render(found))
                writer.delete(found)
                return SandboxResponse.json(200, shown)
        return SandboxResponse.json(200, self.answer(records, found, request))

    def _external_upsert(self, request: SandboxRequest, org: Organization, user: str, object_key: str,
                         external_id: str) -> SandboxResponse:
        answer = self._upsert(request, org, user, object_key, external_id)
        return SandboxResponse(200, answer.headers, answer.body)

    # --- search and boards -----------------------------------------------------------------------------------------

    def _boards(self, request: SandboxRequest, org: Organization, user: str) -> SandboxResponse:
        try:
            body = request.json() if request.body.strip() else {}
        except ValueError:
            body = {}
        wanted = (body or {}).get("objectKey") if isinstance(body, dict) else None
        wanted = wanted or request.param("objectKey")
        boards = [{"id": board_id, "name": f"All {key}s", "icon": None, "objectKey": key,
                   "createdAt": "2024-01-01T00:00:00.000Z", "isExternal": False}
                  for key, board_id in org.boards.items() if wanted in (None, key)]
        return SandboxResponse.json(200, boards)

    def _search(self, request: SandboxRequest, org: Organization, user: str) -> SandboxResponse:
        body = body_of(request)
        board = body.get("boardId")
        object_key = next((key for key, board_id in org.boards.items() if board_id == board), None)
        if object_key is None:
            raise ApiError(400, ["boardId must be a board of this organization"])
        limit = body.get("limit", 50)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise ApiError(400, [f"limit must be an integer from 1 to {MAX_LIMIT}"])
        filters = body.get("filters") or []
        if not isinstance(filters, list):
            raise ApiError(400, ["filters must be an array"])
        checks = [self._filter(f, f"filters[{i}]", self.spelling) for i, f in enumerate(filters)]
        any_of = str(body.get("filtersOperator") or "and").lower() == "or"
        records = self.records_of(org, user)
        matched = [r for r in org.store.records.values() if r["objectKey"] == object_key
                   and (not checks or (any if any_of else all)(check(r) for check in checks))]
        order_by = str(body.get("orderByPath") or "createdAt")
        descending = str(body.get("orderByDirection") or "asc").lower() == "desc"
        matched.sort(key=lambda r: (r.get(order_by) is None, str(r.get(order_by) or ""), r["id"]),
                     reverse=descending)
        return SandboxResponse.json(200, {"total": len(matched),
                                          "results": [self.shown(records.render(r)) for r in matched[:limit]]})

    @staticmethod
    def _filter(spec: Any, where: str, spelling: str) -> Any:
        if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
            raise ApiError(400, [f"{where}.path is required"])
        operator = spec.get("operator", "eq")
        if operator not in OPERATORS:
            raise ApiError(400, [f"{where}.operator must be one of {', '.join(OPERATORS)}"])
        path, wanted = spec["path"], spec.get("value")

        def compare(record: dict[str, Any]) -> bool:
            value = record.get(path)
            if path == "status" and record["objectKey"] == "order" and isinstance(value, str):
                value = spelled(value, spelling)  # compared as the API shows it
            if operator == "in":
                return isinstance(wanted, list) and value in wanted
            if operator in ("eq", "neq"):
                return (value == wanted) == (operator == "eq")
            if value is None or wanted is None:
                return False
            left, right = finite_decimal(value), finite_decimal(wanted)
            a, b = (left, right) if left is not None and right is not None else (str(value), str(wanted))
            return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[operator]  # type: ignore[operator]

        return compare
