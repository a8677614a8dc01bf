"""The management API (docs/management-api.md, openapi/management.yaml): configure integrations in steps,
reconfigure, delete — a customer's, or the tenant's own tenant-level ones (``/tenants/{t}/integrations``, admins
only); customers with their live count; tenant settings; weekly statements and billing runs.

A thin door: the routes are ``integrations.management.routes`` (authenticate the bearer token, parse JSON, call
``integrations.management``; one handler per operation for the customer's and the tenant-level path), and every
named failure becomes an RFC 9457 problem naming the field and what to do (``integrations.management.http``). The
token settings are read at import (Lambda init): ``AUTH_ISSUER``, ``AUTH_AUDIENCE`` and ``AUTH_JWKS_URL`` (RS256), or
``AUTH_HS256_KEY`` locally.
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
from aws_lambda_powertools.utilities.typing import LambdaContext
from integrations.core.coldstart import end_of_init
from integrations.core.observability import tracer as tracer_for_this_function
from integrations.management.http import problem_for
from integrations.management.routes import ManagementRoutes
from integrations.management.service import ManagementService

logger = Logger()
tracer = tracer_for_this_function()
metrics = Metrics()
app = APIGatewayHttpResolver()
service = ManagementService()
ManagementRoutes(app, service)


@app.exception_handler(Exception)
def to_problem(exc: Exception) -> Response:
    return problem_for(exc, logger)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)


end_of_init()
