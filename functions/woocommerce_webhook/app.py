"""POST /webhooks/woocommerce/{integrationId} — a store's order webhooks and activation pings (docs/woocommerce.md).

A thin door: answer WooCommerce's unsigned ping with exactly 200; check the signature over the raw body in constant
time (401, nothing written, when it fails); note the delivery in the order's sync log, queue a re-fetch, answer 202.
WooCommerce never retries, so everything slow or fallible happens in the worker, not here.
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
from integrations.woocommerce.door import DOOR

# Declared in the layer (what is the platform's own), served by core.webhook_door (what every door does).
handler = lambda_handler(DOOR, APIGatewayHttpResolver())

end_of_init()
