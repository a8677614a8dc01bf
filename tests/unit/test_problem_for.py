"""One answer per named failure (management.http.problem_for), whichever door a person's request came through: the
status, title, field and ``Retry-After`` each error's type declares or its kind decides."""

from __future__ import annotations

import json
import logging

import pytest
from integrations.cartoncloud.client import QuoteUnavailable
from integrations.core.crypto import SealedSecretUnreadable
from integrations.core.errors import (
    ConfigurationError,
    PermanentError,
    RateBudgetExhausted,
    SignatureInvalid,
    TenantNotFound,
    UpstreamAuthFailed,
    UpstreamNotFound,
    UpstreamRateLimited,
    UpstreamUnavailable,
)
from integrations.core.integration_types import CredentialsRejected, PlatformNotAvailable, SettingsRejected
from integrations.management.errors import Forbidden, IntegrationDeleted, InvalidRequest, NotFound, Unauthenticated
from integrations.management.http import BodyTooLarge, MediaTypeUnsupported, problem_for
from integrations.rose_rocket.customers import BadRow, ImportRefused
from integrations.rose_rocket.matches import MatchesChanged
from integrations.rose_rocket.rating import (
    OrderInvoiced,
    OrderNotFound,
    QuoteGone,
    RatingCredentialRefused,
    RatingRefused,
)
from integrations.starshipit.labels import LabelRefused
from pydantic import BaseModel, ValidationError

LOGGER = logging.getLogger("test")
FIELD_ERRORS = [{"field": "f", "reason": "r"}]
TENANT_CREDENTIALS = "A tenant administrator must save working CartonCloud API credentials in the tenant settings."


def answered(exc: Exception) -> tuple[int, dict, dict]:
    answer = problem_for(exc, LOGGER)
    assert answer.content_type == "application/problem+json"
    return answer.status_code, json.loads(answer.body), answer.headers


@pytest.mark.parametrize(("exc", "status", "title", "field"), [
    (InvalidRequest("limit must be a whole number", field="limit"), 400, "Invalid request", "limit"),
    (Forbidden("Not yours"), 403, "Not allowed", None),
    (NotFound("No such integration"), 404, "Not found", None),
    (IntegrationDeleted("It was deleted"), 409, "Integration deleted", None),
    (BodyTooLarge("Too big", field="body"), 413, "Request body too large", "body"),
    (MediaTypeUnsupported("Content-Type is text/plain", field="Content-Type"), 415, "Unsupported media type",
     "Content-Type"),
    (CredentialsRejected("Wrong key", field="consumerKey", resolution="Paste it again"), 400,
     "Credentials rejected", "consumerKey"),
    (SettingsRejected("Not that warehouse", field="warehouseId", resolution="Pick another"), 400,
     "Settings rejected", "warehouseId"),
    (PlatformNotAvailable("Not yet", field="status", resolution="Wait"), 422, "Not available yet", "status"),
    (TenantNotFound("No tenant t-9"), 404, "Tenant not registered", "tenantId"),
    (SealedSecretUnreadable("Can't open"), 409, "Configuration incomplete", None),
    (ConfigurationError("No URL"), 409, "Configuration incomplete", None),
    (UpstreamAuthFailed("401", upstream="CartonCloud"), 502, "The WMS refused the tenant's API credentials", None),
    (UpstreamAuthFailed("401", upstream="Starshipit"), 502, "Starshipit refused the request", None),
    (UpstreamNotFound("404", upstream="Rose Rocket"), 502, "Rose Rocket refused the request", None),
    (PermanentError("Can't now"), 409, "Not possible now", None),
    (SignatureInvalid("Wrong secret"), 409, "Not possible now", None),
    # A connector's named errors declare their own answer.
    (LabelRefused("No courier", errors=[]), 422, "Starshipit refused to print the label", "wmsOrderId"),
    (MatchesChanged("Changed"), 409, "Matches changed meanwhile", "body"),
    (RatingRefused("Missing things", errors=FIELD_ERRORS, resolution="Add them"), 422, "Can't rate this order yet",
     "f"),
    (OrderNotFound("No order", errors=FIELD_ERRORS, resolution="Check"), 404, "Not found", "f"),
    (OrderInvoiced("Invoiced", errors=FIELD_ERRORS, resolution="No"), 409, "Order invoiced", "f"),
    (QuoteGone("Old", errors=FIELD_ERRORS, resolution="Rate again"), 410, "Rates expired", "f"),
])
def test_each_named_error_has_its_status_title_and_field(exc, status, title, field):
    answer_status, body, headers = answered(exc)
    assert (answer_status, body["status"], body["title"]) == (status, status, title)
    # The WMS refusing the tenant's own credentials says where they are fixed instead: the tenant settings.
    assert body["detail"] and body["resolution"] in (exc.resolution, TENANT_CREDENTIALS)
    assert [e["field"] for e in body.get("errors", [])] == ([field] if field else [])
    assert "Retry-After" not in (headers or {})


def test_a_refused_token_says_how_to_authenticate():
    status, body, headers = answered(Unauthenticated("No token"))
    assert (status, body["title"], headers["WWW-Authenticate"]) == (401, "Authentication required",
                                                                    'Bearer realm="integrations"')
    status, body, headers = answered(RatingCredentialRefused("Not this integration's rating credential"))
    assert (status, body["title"], headers["WWW-Authenticate"]) == (401, "Rating credential required",
                                                                    'Bearer realm="rose-rocket-rating"')
    assert body["errors"] == [{"field": "Authorization", "reason": "not this integration's rating credential"}]


@pytest.mark.parametrize(("exc", "title", "retry_after"), [
    (UpstreamUnavailable("503", upstream="Starshipit", retry_after=12), "Starshipit is unavailable", "12"),
    (UpstreamUnavailable("timeout", upstream="CartonCloud"), "CartonCloud is unavailable", "5"),
    (UpstreamRateLimited("429", upstream="Rose Rocket", retry_after=0.4), "Rose Rocket is unavailable", "1"),
    (RateBudgetExhausted("Budget spent", retry_after=3), "Temporarily unavailable", "3"),
    (RateBudgetExhausted("Budget spent"), "Temporarily unavailable", "5"),
])
def test_what_passes_by_itself_is_503_with_retry_after(exc, title, retry_after):
    status, body, headers = answered(exc)
    assert (status, body["title"], headers["Retry-After"]) == (503, title, retry_after)
    assert "try again in a few seconds" in body["resolution"].lower()


def test_bad_rows_and_a_rate_the_wms_lacks_are_named():
    _, body, _ = answered(ImportRefused("2 bad rows", [BadRow(3, "wmsCustomerId", "unknown"),
                                                        BadRow(5, "roseRocketCustomerId", "empty")]))
    assert (body["status"], body["title"]) == (422, "The matches were not applied")
    assert body["errors"] == [{"field": "row 3: wmsCustomerId", "reason": "unknown"},
                              {"field": "row 5: roseRocketCustomerId", "reason": "empty"}]
    _, body, _ = answered(QuoteUnavailable("422", upstream="CartonCloud", errors=[{"message": "No rate card"}]))
    assert (body["status"], body["title"]) == (422, "No rate in the WMS")
    assert body["errors"] == [{"field": "rates", "reason": "No rate card"}] and "No rate card" in body["detail"]


def test_a_body_that_fails_its_model_names_each_field_in_camel_case():
    class Step(BaseModel):
        warehouse_id: str

    with pytest.raises(ValidationError) as refused:
        Step.model_validate({})
    answer = problem_for(refused.value, LOGGER, invalid_body="Send a warehouse.")
    body = json.loads(answer.body)
    assert (answer.status_code, body["title"], body["resolution"]) == (400, "Invalid request body", "Send a warehouse.")
    assert [e["field"] for e in body["errors"]] == ["warehouseId"]


def test_anything_else_is_500_without_internals(caplog):
    status, body, _ = answered(KeyError("secret internals"))
    assert (status, body["title"]) == (500, "Internal error") and "secret" not in json.dumps(body)
