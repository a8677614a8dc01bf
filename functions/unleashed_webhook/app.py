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
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from integrations.core.coldstart import end_of_init
from integrations.core.webhook_door import lambda_handler
from integrations.unleashed.door import DOOR

# Declared in the layer (what is the platform's own), served by core.webhook_door (what every door does).
handler = lambda_handler(DOOR, APIGatewayHttpResolver())

end_of_init()
