"""POST /wms/{tenantId}/notifications — the WMS's signed change notifications (docs/wms-notifications.md)."""

# Init runs with the garbage collector paused: what it builds lives as long as the sandbox, so collecting during
# imports frees nothing and cost 25-60 ms (integrations.core.coldstart). The last statement resumes it.
import gc

gc.disable()

# boto3 first, at the top level, as the bench's bare imports do: imported deep inside the layer's import chain,
# urllib3's regexes compile at a deep Python stack, which CPython 3.11 can make ~10× slower (20–40 ms measured).
import boto3  # noqa: F401
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.metrics import MetricUnit
from integrations.cartoncloud import notifications
from integrations.core.coldstart import end_of_init
from integrations.core.doors import (
    BadBody,
    UnsupportedMediaType,
    invalid_body,
    json_body,
    problem,
    raw_body,
    require_media_type,
    serving,
)
from integrations.core.errors import SignatureInvalid
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.core.timeutil import utcnow
from pydantic import ValidationError

logger = Logger()
tracer = tracer_for_this_function()
metrics = Metrics()
app = APIGatewayHttpResolver()


@app.post("/wms/<tenant_id>/notifications")
@tracer.capture_method
def receive_notification(tenant_id: str) -> Response:
    event = app.current_event
    body = raw_body(event.body, event.is_base64_encoded)
    if len(body) > notifications.MAX_BODY_BYTES:
        return problem(413, "Notification too large", f"The body may be at most {notifications.MAX_BODY_BYTES} bytes")
    try:
        notifications.verify(tenant_id, event.headers, body)
    except SignatureInvalid as exc:
        logger.warning("Refused WMS notification", extra={"tenant_id": tenant_id, "reason": str(exc)})
        metrics.add_metric(name="NotificationsRefused", unit=MetricUnit.Count, value=1)
        return problem(401, "Signature verification failed")
    try:
        require_media_type(event.headers.get("content-type"))
        notification = notifications.WmsNotification.model_validate(json_body(body))
        item = notifications.accept(tenant_id, notification, received_at=utcnow())
    except UnsupportedMediaType as exc:
        return problem(415, "Unsupported media type", f"{exc.field} {exc.reason}", [{"field": exc.field,
                                                                                   "reason": exc.reason}])
    except BadBody as exc:
        return problem(400, "Invalid request body", f"The body {exc.reason}", [{"field": exc.field,
                                                                                "reason": exc.reason}])
    except ValidationError as exc:
        return invalid_body(exc)
    except notifications.TenantMismatch as exc:
        return problem(400, "Invalid request body", str(exc), [{"field": "tenantId", "reason": str(exc)}])
    metrics.add_metric(name="NotificationsAccepted", unit=MetricUnit.Count, value=1)
    return Response(status_code=202, content_type="application/json",
                    body={"accepted": True, "workItem": item.idempotency_key})


handler = serving(app, logger, metrics, tracer)


end_of_init()
