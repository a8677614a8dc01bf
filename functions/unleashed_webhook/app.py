"""POST /webhooks/unleashed/{integrationId} — an Unleashed account's signed sales-order events (docs/unleashed.md).

A thin door: check the signature over timestamp and raw body in constant time (401, nothing written, when it fails
or is more than 5 minutes old); note the delivery on the order's sync log, queue a re-read, answer 202. Everything
slow or fallible happens in the worker.
"""

# Init runs with the garbage collector paused: what it builds lives as long as the sandbox, so collecting during
# imports frees nothing and cost 25-60 ms (integrations.core.coldstart). The last statement resumes it.
import gc

gc.disable()

# boto3 first, at the top level, as the bench's bare imports do: imported deep inside the layer's import chain,
# urllib3's regexes compile at a deep Python stack, which CPython 3.11 can make ~10× slower (20–40 ms measured).
import boto3  # noqa: F401
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.core.coldstart import end_of_init
from integrations.core.doors import UnsupportedMediaType, problem, raw_body, require_media_type
from integrations.core.errors import SignatureInvalid
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.core.timeutil import utcnow
from integrations.unleashed import webhooks

logger = Logger()
tracer = tracer_for_this_function()
metrics = Metrics()
app = APIGatewayHttpResolver()


@app.post("/webhooks/unleashed/<integration_id>")
@tracer.capture_method
def receive(integration_id: str) -> Response:
    event = app.current_event
    body = raw_body(event.body, event.is_base64_encoded)
    if len(body) > webhooks.MAX_BODY_BYTES:
        return problem(413, "Delivery too large", f"The body may be at most {webhooks.MAX_BODY_BYTES} bytes")
    headers = webhooks.lowered(event.headers)
    try:
        integration = webhooks.verify(integration_id, headers, body)
        require_media_type(event.headers.get("content-type"))  # after the signature: strangers learn nothing
        accepted = webhooks.accept(integration, body, received_at=utcnow())
    except SignatureInvalid as exc:
        logger.warning("Refused Unleashed delivery", extra={"integration_id": integration_id, "reason": str(exc)})
        metrics.add_metric(name="UnleashedDeliveriesRefused", unit=MetricUnit.Count, value=1)
        return problem(401, "Signature verification failed")
    except webhooks.IntegrationGone:
        # Not 2xx on purpose: the subscription of a deleted integration should stop being delivered.
        return problem(410, "Integration deleted", "This integration was deleted; remove the webhook subscription")
    except UnsupportedMediaType as exc:
        return problem(415, "Unsupported media type", f"{exc.field} {exc.reason}", [{"field": exc.field,
                                                                                   "reason": exc.reason}])
    except webhooks.BadDelivery as exc:
        return problem(400, "Invalid delivery", f"{exc.field} {exc.reason}", [{"field": exc.field,
                                                                              "reason": exc.reason}])
    if isinstance(accepted, webhooks.Ignored):
        return Response(status_code=200, content_type="application/json",
                        body={"accepted": False, "ignored": accepted.event_type})
    metrics.add_metric(name="UnleashedDeliveriesAccepted", unit=MetricUnit.Count, value=1)
    return Response(status_code=202, content_type="application/json",
                    body={"accepted": True, "workItem": accepted.idempotency_key})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


end_of_init()
