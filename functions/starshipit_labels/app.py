"""POST /tenants/{tenantId}/customers/{customerId}/integrations/{integrationId}/labels — print (or reprint) a WMS
order's Starshipit label (docs/starshipit.md "Labels", openapi/starshipit.yaml).

A thin door, authenticated exactly as the management API is (bearer tokens, authorised before anything is read): the
route is ``integrations.starshipit.label_routes``, every named failure an RFC 9457 problem naming the field and what
to do (``integrations.management.http.problem_for``).
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
from integrations.starshipit.label_routes import SEND_AN_ORDER, LabelRoutes

app = APIGatewayHttpResolver()
LabelRoutes(app)
handler = lambda_handler(app, invalid_body=SEND_AN_ORDER)

end_of_init()
