"""The Rose Rocket integration's actions (openapi/rose-rocket.yaml) under a tenant-level integration's URL
``/tenants/{tenantId}/integrations/{integrationId}/…``: customers export, customer matches (import, list), rotating
the webhook URL and the rating credential, pushing a consignment.

A thin door authenticated exactly as the management API is (bearer tokens; tenant-level integrations are the tenant
admins'), authorised before anything is read: the routes are ``integrations.rose_rocket.action_routes``, every
refusal an RFC 9457 problem naming the field (``integrations.management.http.problem_for``).
"""

# Init runs with the garbage collector paused: what it builds lives as long as the sandbox, so collecting during
# imports frees nothing and cost 25-60 ms (integrations.core.coldstart). The last statement resumes it.
import gc

gc.disable()

# boto3 first, at the top level, as the bench's bare imports do: imported deep inside the layer's import chain,
# urllib3's regexes compile at a deep Python stack, which CPython 3.11 can make ~10× slower (20–40 ms measured).
import boto3  # noqa: F401
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from integrations.core.coldstart import end_of_init
from integrations.management.http import lambda_handler
from integrations.rose_rocket.action_routes import ActionRoutes

app = APIGatewayHttpResolver()
ActionRoutes(app)
handler = lambda_handler(app)

end_of_init()
