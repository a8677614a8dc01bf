"""POST /webhooks/rose-rocket/{integrationId}?token=… — Rose Rocket's "Order Status Changed" webhooks
(docs/rose-rocket.md "Webhooks", openapi/rose-rocket.yaml).

A thin door: Rose Rocket signs nothing, so the URL's token is the credential — compared as a SHA-256 digest in
constant time, the integration re-read uncached before a refusal (401, nothing written). A delivery for another
organisation is 403; an unusable body 400; a deleted integration 410. An order's delivery is noted in its sync log
and queued for a re-read of the order (202); a delivery about another kind of record is answered 200, nothing written.
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
from integrations.core.webhook_door import lambda_handler
from integrations.rose_rocket.door import DOOR

# Declared in the layer (what is the platform's own), served by core.webhook_door (what every door does).
handler = lambda_handler(DOOR, APIGatewayHttpResolver())

end_of_init()
