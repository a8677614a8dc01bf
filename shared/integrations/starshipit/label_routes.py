"""``POST /tenants/{t}/customers/{c}/integrations/{i}/labels`` — print (or reprint) a WMS order's Starshipit label
(docs/starshipit.md "Labels", openapi/starshipit.yaml), served by functions/starshipit_labels.

Authenticated exactly as the management API is: the bearer token becomes a principal
(``integrations.management.permissions``; ``AUTH_ISSUER``, ``AUTH_AUDIENCE``, ``AUTH_JWKS_URL`` read at init, or
``AUTH_HS256_KEY`` locally), authorised before anything is read, then :mod:`.labels` does the work. The answer is
JSON (every label base64), or the PDF itself with ``Accept: application/pdf``; every failure is a problem
(``integrations.management.http.problem_for``).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from ..core.doors import problem
from ..management.errors import ManagementError
from ..management.http import Routes, read_json
from . import labels

logger = Logger(child=True)
metrics = Metrics()
MAX_BODY_BYTES = 16 * 1024
JSON = "application/json"
#: What a body that isn't a label request should have been.
SEND_AN_ORDER = 'Send a JSON object: {"wmsOrderId": "<the CartonCloud outbound order id>"}.'


class BodyInvalid(ManagementError):
    title = "Invalid request body"
    resolution = SEND_AN_ORDER


class LabelRoutes(Routes):
    """The labels route on one resolver."""

    routes = (
        ("POST", "/tenants/<tenant_id>/customers/<customer_id>/integrations/<integration_id>/labels", "print_label"),
    )

    def request_body(self) -> labels.LabelRequest:
        """The request as the management API reads bodies: JSON sent as application/json, UTF-8, depth-limited."""
        parsed = read_json(self.event, max_bytes=MAX_BODY_BYTES)
        if not isinstance(parsed, dict):
            raise BodyInvalid("The body must be a JSON object", field="body")
        return labels.LabelRequest.model_validate(parsed)

    def print_label(self, tenant_id: str, customer_id: str, integration_id: str) -> Response[Any]:
        headers = self.event.headers
        accept = (headers.get("accept") or "").lower()  # read before any call (the event is global)
        caller = self.principal()
        labels.authorized(caller, tenant_id, customer_id)
        request = self.request_body()
        label = labels.print_label(caller, tenant_id, customer_id, integration_id, request)
        logger.info("Starshipit label", extra={"integration_id": integration_id, "wms_order_id": request.wms_order_id,
                                               "reprint": label.reprint, "by": caller.subject})
        metrics.add_metric(name="StarshipitLabelsReprinted" if label.reprint else "StarshipitLabelsPrinted",
                           unit=MetricUnit.Count, value=1)
        if labels.PDF in accept and JSON not in accept:
            pdf = label.pdf()
            if pdf is None:
                return problem(406, "Not one PDF", f"Starshipit made {len(label.labels)} label files for this order",
                               [{"field": "Accept", "reason": "ask for application/json to get every label"}])
            return Response(status_code=200, content_type=labels.PDF, body=pdf, headers={
                "Content-Disposition": f'inline; filename="label-{label.order_number}.pdf"',
                "X-Tracking-Numbers": ",".join(label.tracking_numbers), "X-Reprint": str(label.reprint).lower()})
        return Response(status_code=200, content_type=JSON, body=json.dumps(label.to_json()))
