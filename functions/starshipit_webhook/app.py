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
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from integrations.core.coldstart import end_of_init
from integrations.core.webhook_door import lambda_handler
from integrations.starshipit.door import DOOR

# Declared in the layer (what is the platform's own), served by core.webhook_door (what every door does).
handler = lambda_handler(DOOR, APIGatewayHttpResolver())

end_of_init()
