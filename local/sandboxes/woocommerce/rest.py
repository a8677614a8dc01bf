"""The REST frame of a store: routes reached by pretty permalinks (``/wp-json/…``) or ``?rest_route=``,
authentication by consumer key (``WC_REST_Authentication``), permission checks, the request parameters, and the
index (``GET /wp-json/``).
"""

from __future__ import annotations

import hmac
import re
from datetime import timedelta
from typing import Any

from ..base import SandboxRequest, SandboxResponse
from ..common import basic_credentials
from .model import (
    BASE_NAMESPACES,
    CANNOT,
    NOT_FOUND_HTML,
    TRACKING_NAMESPACE,
    ApiKey,
    Call,
    RestHandler,
    RestRoute,
    Store,
    WcError,
    rest_response,
)
from .state import WooCommerceState


class RestFrame(WooCommerceState):
    """Routing a store's REST requests to the surfaces' handlers, after authentication and permission checks."""

    def _rest_route(self, method: str, pattern: str, handler: RestHandler, needs: str, namespace: str) -> None:
        self._rest.append(RestRoute(method, re.compile(pattern), handler, needs, namespace))

    def _pretty(self, request: SandboxRequest, store: str, route: str | None = None) -> SandboxResponse:
        found = self.stores.get(store)
        if found is None or found.permalinks == "plain":
            # WordPress renders its theme's 404 page: HTML, not a REST error.
            return SandboxResponse(status=404, headers={"Content-Type": "text/html; charset=UTF-8"},
                                   body=NOT_FOUND_HTML)
        return self._rest_call(request, found, route or "/")

    def _query_route(self, request: SandboxRequest, store: str) -> SandboxResponse:
        found = self.stores.get(store)
        if found is None:
            return SandboxResponse(status=404, headers={"Content-Type": "text/html; charset=UTF-8"},
                                   body=NOT_FOUND_HTML)
        route = request.param("rest_route")
        if route is None:
            return SandboxResponse(status=200, headers={"Content-Type": "text/html; charset=UTF-8"},
                                   body=f"<html><body><h1>{found.name}</h1></body></html>".encode())
        return self._rest_call(request, found, route)

    def _rest_call(self, request: SandboxRequest, store: Store, route: str) -> SandboxResponse:
        try:
            with self.transaction():
                key = self._authenticate(request, store)
                for rest in self._rest:
                    match = rest.pattern.fullmatch(route)
                    if match is None:
                        continue
                    if rest.namespace == TRACKING_NAMESPACE and not store.shipment_tracking:
                        continue
                    if rest.method != request.method:
                        continue
                    if rest.needs:
                        self._permit(key, rest.needs)
                    params = {k: (v if len(v) > 1 or k.endswith("[]") else v[0]) for k, v in request.query.items()}
                    if request.body.strip():
                        params.update(self._body(request))
                    return rest.handler(Call(store, request, params, key), **match.groupdict())
                raise WcError(404, "rest_no_route", "No route was found matching the URL and request method.")
        except WcError as exc:
            return self._wc_error(exc)

    @staticmethod
    def _body(request: SandboxRequest) -> dict[str, Any]:
        content_type = (request.header("Content-Type") or "").lower()
        if "application/x-www-form-urlencoded" in content_type:
            return request.form()
        try:
            body = request.json()
        except (ValueError, UnicodeDecodeError):
            raise WcError(400, "rest_invalid_json", "Invalid JSON body passed.") from None
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise WcError(400, "rest_invalid_json", "Invalid JSON body passed.")
        return body

    # --- authentication (WC_REST_Authentication) ----------------------------------------------------------------------

    def _authenticate(self, request: SandboxRequest, store: Store) -> ApiKey | None:
        consumer_key = consumer_secret = None
        decoded = None if store.strips_authorization else basic_credentials(request.header("Authorization"))
        if decoded is not None:
            consumer_key, _, consumer_secret = decoded.partition(":")
        if not consumer_key:
            consumer_key = request.param("consumer_key")
            consumer_secret = request.param("consumer_secret")
        if not consumer_key:
            return None
        key = store.keys.get(consumer_key)
        if key is None:
            raise WcError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if not hmac.compare_digest(key.consumer_secret, consumer_secret or ""):
            raise WcError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        if request.method in ("GET", "HEAD") and key.permissions not in ("read", "read_write"):
            raise WcError(401, "woocommerce_rest_authentication_error",
                          "The API key provided does not have read permissions.")
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and key.permissions not in ("write", "read_write"):
            raise WcError(401, "woocommerce_rest_authentication_error",
                          "The API key provided does not have write permissions.")
        return key

    @staticmethod
    def _permit(key: ApiKey | None, needs: str) -> None:
        if key is not None and key.can_manage:
            return
        code, message = CANNOT[needs]
        # rest_authorization_required_code(): 401 when nobody is logged in, 403 when the user lacks the capability.
        raise WcError(401 if key is None else 403, code, message)

    # --- index --------------------------------------------------------------------------------------------------------

    def _index(self, call: Call) -> SandboxResponse:
        store = call.store
        namespaces = list(BASE_NAMESPACES) + ([TRACKING_NAMESPACE] if store.shipment_tracking else [])
        offset = store.zone.utcoffset(self._now().replace(tzinfo=None)) or timedelta(0)
        return rest_response(200, {
            "name": store.name, "description": "Just another WordPress site", "url": store.home,
            "home": store.home, "gmt_offset": offset.total_seconds() / 3600, "timezone_string": store.timezone,
            "namespaces": namespaces, "authentication": [],
            "routes": {f"/{ns}": {"namespace": ns} for ns in namespaces},
        })
