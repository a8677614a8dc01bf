"""Rating Rose Rocket orders with the WMS's rating engine (docs/rose-rocket.md "Rating", openapi/rose-rocket.yaml):
``POST …/integrations/{integrationId}/orders/{roseRocketOrderId}/rates`` and ``…/rates/{quoteId}/save``.

A thin door for the Rose Rocket widget, authenticated with the integration's rating credential (never a management
token; anything else is 401 before anything is read): the routes are ``integrations.rose_rocket.rating_routes``,
every refusal an RFC 9457 problem naming the field (``integrations.management.http.problem_for``).
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
from integrations.rose_rocket.rating_routes import RatingRoutes

app = APIGatewayHttpResolver()
RatingRoutes(app)
handler = lambda_handler(app)

end_of_init()
