"""The Rose Rocket live check (core.live_check): read-only probes of an organisation against what the connector
assumes (connector.py ``ASSUMPTIONS``). Only token requests, ``GET`` reads and searches (``POST /objects/search``
reads) are made: nothing is written to the account.

Each probe settles one assumption and says what it saw; one that can't run says why (a probe's failure never
hides the others'). What a refuted assumption means is the declaration's ``if_wrong`` unless the probe says more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

from ..core.errors import UpstreamAuthFailed, UpstreamError, UpstreamRejected
from ..core.live_check import Finding, confirmed, could_not_check, refuted
from .client import API_AUDIENCE, AUDIENCE, RoseRocketClient
from .clients import new_client
from .models import ORDER_PATHS, RoseRocketCredentials, status_key
from .reads import LISTED_ORDER_PATHS
from .webhooks import EVENT

#: An ``externalId`` no service type has: looking it up says whether the object exists without finding one.
PROBE_CODE = "cartoncloud-live-check"
NEWEST = 10
STATUSES = ("new", "booked", "in transit", "delivered", "invoiced", "tendered", "rejected", "archived")


def check_live(credentials: BaseModel, platform_state: Mapping[str, Any]) -> list[Finding]:
    model = credentials if isinstance(credentials, RoseRocketCredentials) else \
        RoseRocketCredentials.model_validate(credentials.model_dump())
    client = new_client(model.client_id, SecretStr(model.client_secret), model.org_id,
                        model.service_account_user_id, rate=60, interactive=True)
    findings = [_audience(client)]
    client.token(refresh=True)  # refused credentials: the whole check "could not check", saying why
    findings.append(confirmed("token-request", f"{client.auth_url}/oauth/token issued a token for service account "
                                               f"{model.service_account_user_id} of organisation {model.org_id}"))
    boards: dict[str, list[dict[str, Any]]] = {}
    for key in ("order", "customer"):
        boards[key] = client.boards(key)
    findings.append(confirmed("base-url", f"{client.base_url} answered GET /boards/nav"))
    missing = [key for key, found in boards.items() if not found]
    findings.append(refuted("boards", f"no {' or '.join(missing)} board in GET /boards/nav") if missing else
                    confirmed("boards", "the order and customer boards are listed: "
                              + ", ".join(f"{b[0].get('name') or b[0].get('id')}" for b in boards.values())))
    orders: list[dict[str, Any]] = []
    if boards["order"]:
        read = _probe(findings, "order-search", lambda: client.search_page(boards["order"][0]["id"], limit=NEWEST))
        if read is not None:
            orders = read
            findings.append(confirmed("order-search", f"POST /objects/search on the orders board read the "
                                                      f"{len(orders)} newest order(s)"))
    findings.append(_spelling(orders))
    service_types = _service_types(client)
    findings.append(service_types)
    findings.append(_paths(client, orders, without_service_type=service_types.outcome.value == "refuted"))
    if boards["customer"]:
        customers = _probe(findings, "customers", lambda: client.search_page(boards["customer"][0]["id"],
                                                                           limit=NEWEST))
        if customers is not None:
            findings.append(confirmed("customers", f"the customers board lists {len(customers)} customer(s) "
                                                   f"(first {NEWEST} asked)"))
    findings.append(_destination(client, platform_state))
    return findings


def _probe(findings: list[Finding], key: str, call: Callable[[], Any]) -> Any:
    """``call()``, or None with a finding: refuted when Rose Rocket refused what we asked as we ask it (a 4xx),
    "could not check" when it couldn't answer."""
    try:
        return call()
    except UpstreamAuthFailed:
        raise
    except UpstreamRejected as exc:
        findings.append(refuted(key, f"Rose Rocket refused the request: {exc}"))
        return None
    except UpstreamError as exc:
        findings.append(could_not_check(key, f"Rose Rocket answered: {exc}", exc.resolution or
                                        "Run the check again later."))
        return None


def _audience(client: RoseRocketClient) -> Finding:
    ours = client.audience_taken(AUDIENCE)
    if ours:
        return confirmed("token-audience", f"Auth0 issued a token for audience {AUDIENCE}")
    if ours is False and client.audience_taken(API_AUDIENCE):
        return refuted("token-audience", f"Auth0 refused audience {AUDIENCE} and issued a token for {API_AUDIENCE}",
                       means="The connector asks for the API's base URL as the audience by itself: nothing to do.")
    return could_not_check("token-audience", "Auth0 refused the token request for another reason (below)",
                           "Check the credentials in the integration's authentication step.")


def _spelling(orders: list[dict[str, Any]]) -> Finding:
    seen = sorted({str(o["status"]) for o in orders if isinstance(o.get("status"), str) and o["status"]})
    if not seen:
        return could_not_check("status-spelling", "the organisation has no orders yet to read a status from",
                               "Run the check again once there are orders; the connector reads any spelling.")
    ours = [s for s in seen if status_key(s) in STATUSES and s == status_key(s)]
    shown = ", ".join(f'"{s}"' for s in seen)
    if len(ours) == len(seen):
        return confirmed("status-spelling", f"the newest orders' statuses are spelled as the docs list them: {shown}")
    return refuted("status-spelling", f"the newest orders' statuses are spelled {shown}",
                   means="Nothing to do: statuses are compared whatever their case, spaces or hyphens, the poll asks "
                         "for each spelling and the statuses we write follow the order's own.")


def _service_types(client: RoseRocketClient) -> Finding:
    try:
        client.get_external("serviceType", PROBE_CODE)
    except UpstreamRejected as exc:
        if exc.status == 400:
            return refuted("service-type-object", f"GET /objects/serviceType/{PROBE_CODE}/external was refused: "
                                                  f"{exc}")
        raise
    return confirmed("service-type-object", "Rose Rocket knows the serviceType object (a look-up by externalId "
                                            "answered)")


def _paths(client: RoseRocketClient, orders: list[dict[str, Any]], *, without_service_type: bool) -> Finding:
    order = next((o for o in orders if o.get("id")), None)
    if order is None:
        return could_not_check("connected-paths", "the organisation has no orders yet to read",
                               "Run the check again once there are orders; refused paths are coped with anyway.")
    # An organisation without service types can't show one (settled by service-type-object): not asked here.
    paths = [p for p in ORDER_PATHS if not (without_service_type and p == "serviceType")]
    number = order.get("fullId") or order["id"]
    try:
        client.get(str(order["id"]), paths=",".join(paths))
        return confirmed("connected-paths", f"order {number} was read with {', '.join(paths)}")
    except UpstreamRejected as exc:
        if exc.status != 400:
            raise
    base = [p for p in paths if p in LISTED_ORDER_PATHS]
    refused = []
    for path in [p for p in paths if p not in LISTED_ORDER_PATHS]:
        try:
            client.get(str(order["id"]), paths=",".join([*base, path]))
        except UpstreamRejected as exc:
            if exc.status != 400:
                raise
            refused.append(path)
    return refuted("connected-paths", f"reading order {number}, Rose Rocket refused the path(s) "
                                      f"{', '.join(refused) or 'asked together (each alone was taken)'}")


def _destination(client: RoseRocketClient, platform_state: Mapping[str, Any]) -> Finding:
    destination = platform_state.get("webhookDestinationId")
    if not isinstance(destination, str) or not destination:
        return could_not_check("webhook-destination", "no webhook destination is registered for this integration "
                                                      "yet", "Finish the integration: it registers one.")
    found = client.get(destination, paths="subscriptions")
    events = {s.get("eventName") for s in (found or {}).get("subscriptions") or [] if isinstance(s, dict)}
    if found is not None and found.get("objectKey") == "webhookDestination" and EVENT in events:
        return confirmed("webhook-destination", f"our webhook destination {found.get('fullId') or destination} is "
                                                f"subscribed to \"{EVENT}\"")
    return refuted("webhook-destination", f"our webhook destination {destination} is "
                                          + ("gone from Rose Rocket" if found is None else "not subscribed as made"),
                   means="The poll puts it back within 5 minutes (or save the integration again); orders keep "
                         "flowing through the poll meanwhile.")
