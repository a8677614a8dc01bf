"""POST /webhooks/starshipit/{integrationId} — Starshipit's tracking webhooks (docs/starshipit.md "Webhooks").

A thin door: check ``X-Starshipit-Signature`` over the raw body in constant time when the integration has a secret
(401, nothing written, when it fails; without a secret a delivery is an unsigned signal that may only queue a
re-read of one of our orders); a delivery about an order that isn't ours is answered 200 with nothing written
(Starshipit sends every order of the account to the one URL and wants 200 OK); ours are queued for a re-read of
its tracking (a signed one noted in the order's sync log), answered 200.
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
from integrations.starshipit import webhooks

logger = Logger()
tracer = tracer_for_this_function()
metrics = Metrics()
app = APIGatewayHttpResolver()


@app.post("/webhooks/starshipit/<integration_id>")
@tracer.capture_method
def receive(integration_id: str) -> Response:
    event = app.current_event
    body = raw_body(event.body, event.is_base64_encoded)
    if len(body) > webhooks.MAX_BODY_BYTES:
        return problem(413, "Delivery too large", f"The body may be at most {webhooks.MAX_BODY_BYTES} bytes")
    headers = webhooks.lowered(event.headers)
    try:
        verified = webhooks.verify(integration_id, headers, body)
        require_media_type(event.headers.get("content-type"))  # after the signature: strangers learn nothing
        item = webhooks.accept(verified, body, received_at=utcnow())
    except SignatureInvalid as exc:
        logger.warning("Refused Starshipit delivery", extra={"integration_id": integration_id, "reason": str(exc)})
        metrics.add_metric(name="StarshipitDeliveriesRefused", unit=MetricUnit.Count, value=1)
        return problem(401, "Signature verification failed")
    except webhooks.IntegrationGone:
        return problem(410, "Integration deleted", "This integration was deleted; remove the notification URL from "
                                                   "Starshipit → Settings → Tracking & notifications")
    except UnsupportedMediaType as exc:
        return problem(415, "Unsupported media type", f"{exc.field} {exc.reason}", [{"field": exc.field,
                                                                                   "reason": exc.reason}])
    except webhooks.BadDelivery as exc:
        return problem(400, "Invalid delivery", f"{exc.field} {exc.reason}", [{"field": exc.field,
                                                                              "reason": exc.reason}])
    if item is None:
        metrics.add_metric(name="StarshipitDeliveriesIgnored", unit=MetricUnit.Count, value=1)
        return Response(status_code=200, content_type="application/json",
                        body={"accepted": False, "reason": "not an order this integration created in Starshipit"})
    metrics.add_metric(name="StarshipitDeliveriesAccepted" if verified.signed else "StarshipitUnsignedSignals",
                       unit=MetricUnit.Count, value=1)
    return Response(status_code=200, content_type="application/json",
                    body={"accepted": True, "workItem": item.idempotency_key})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


end_of_init()
