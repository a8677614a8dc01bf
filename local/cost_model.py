"""What one integration costs to run on AWS a month, idle and with 1,000 orders, per platform (issue 25, point 3).

The model is this file; docs/costs.md holds what it computes, between ``<!-- generated: … -->`` lines, and
tests/unit/test_cost_model.py fails when the page differs. Regenerate the page after a change of a count, a price or
an assumption::

    .venv/bin/python -m local.cost_model          # print the tables
    .venv/bin/python -m local.cost_model --write  # rewrite docs/costs.md's generated blocks

Inputs, and where each comes from:

- **AWS requests per record and per poll**: read from the docs' request tables and sentences, the ones the
  functional tests measure and compare with (``tests/documented.py``). A count changed in the code changes its page
  (or its test fails), and the page changes this table (or test_cost_model fails). Where a page gives a total but
  not its split by operation, the split is written here from the page's own words and checked against the total.
- **Lambda memory** per function from template.yaml; **durations** measured by the benches where one measures them
  (cited at each constant), otherwise an assumption said so at the constant.
- **Prices**: AWS's published prices. Sydney's (ap-southeast-2) could not be confirmed from the sources at hand, so
  every price is us-east-1's, cited with its source and the date it was read; docs/costs.md shows how much higher
  all prices would have to be to eat the margin.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from local.resources import load_template
from tests import documented

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "costs.md"
GENERATOR = ".venv/bin/python -m local.cost_model --write"

# --- the month and the charge ----------------------------------------------------------------------------------------

DAYS_PER_MONTH = 365 / 12  # an average month: 30.42 days
#: Every ScheduleV2 of template.yaml that runs per integration or per tenant is rate(5 minutes).
TICKS_PER_MONTH = DAYS_PER_MONTH * 24 * 12
#: The tenant pays $10 a week per live integration (docs/billing.md).
CHARGE_PER_MONTH = 10.0 * DAYS_PER_MONTH / 7
ORDERS_PER_MONTH = 1000


# --- prices (USD) ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str


#: us-east-1 prices: no source at hand confirms Sydney's (read 2026-12-07). Free tiers are ignored throughout: an
#: account running many tenants has spent them, and a model that counts them would flatter a small deployment.
PRICES = {
    "lambda_gb_second": Price(0.0000133334, "GB-second, arm64 (INIT billed too since 2025-08-01)",
                              "aws.amazon.com/lambda/pricing (arm64, first 7.5 billion GB-s); "
                              "aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase"),
    "lambda_request": Price(0.20e-6, "request", "aws.amazon.com/lambda/pricing"),
    "api_request": Price(1.00e-6, "HTTP API request (first 300 million a month)",
                         "aws.amazon.com/api-gateway/pricing, as quoted by awsforengineers.com (2025-05-19) and "
                         "apigatewaycost.com"),
    "dynamodb_write_unit": Price(0.625e-6, "on-demand write request unit",
                                 "aws.amazon.com/dynamodb/pricing/on-demand after the 2024-11-01 cut, as quoted by "
                                 "airbyte.com (2025-07-21)"),
    "dynamodb_read_unit": Price(0.125e-6, "on-demand read request unit", "as dynamodb_write_unit"),
    "sqs_request": Price(0.40e-6, "standard queue request (per 64 KB)",
                         "aws.amazon.com/sqs/pricing, as quoted by cloudburn.io (2026-03-14) and factualminds.com "
                         "(2026-06-13)"),
    # Our queues are standard queues whose messages carry a MessageGroupId (SQS fair queues, docs/architecture.md).
    # Only a third party states a surcharge for them; it is counted, so the model errs high.
    "sqs_fair_surcharge": Price(0.10e-6, "fair-queue request surcharge (third-party figure, not on AWS's page)",
                                "cloudburn.io/blog/amazon-sqs-pricing (2026-03-14)"),
    "kms_request": Price(0.03e-4, "KMS request (Decrypt)", "aws.amazon.com/kms/pricing"),
    "kms_key_month": Price(1.00, "customer managed key a month", "aws.amazon.com/kms/pricing"),
    "scheduler_invocation": Price(1.00e-6, "EventBridge Scheduler invocation",
                                  "aws.amazon.com/eventbridge/pricing, as quoted by cloudburn.io (2026-03-13)"),
    "ses_email": Price(0.10e-3, "email sent", "aws.amazon.com/ses/pricing, as quoted by acecloudinterviews.com"),
    "logs_ingest_gb": Price(0.50, "GB of CloudWatch Logs ingested (standard class; EMF metrics are log lines)",
                            "aws.amazon.com/cloudwatch/pricing, as quoted by c3x.dev (us-east-1, June 2026)"),
    "xray_trace": Price(5.00e-6, "X-Ray trace recorded (template.yaml: Tracing: Active)",
                        "aws.amazon.com/xray/pricing"),
}


# --- durations and the other assumptions ----------------------------------------------------------------------------

#: A door's answer time, p50 during a burst: README "Throughput at the WMS's limit" (bench/woocommerce.py,
#: 2026-11-30 16:34 UTC). A Lambda's billed duration is less than the answer time the store sees.
DOOR_SECONDS = 0.0266
#: A WooCommerce order's whole path, store webhook → WMS order, p50 below the limit (same run): door, queue, worker,
#: the WMS create — taken as the billed time of its worker invocations.
WOOCOMMERCE_IMPORT_SECONDS = 0.0757
#: Each hop of a WMS status change to a platform, medians, from bench/wms_to_platform.py (README, "WMS status
#: changes to platforms", the run of 2026-12-07 22:30 UTC): the WMS worker (door → status change) and the router (→
#: fan-out), the larger of the two platforms' medians; the connector's worker (→ created / write-back). Each includes
#: its queue hop, so the billed time is less. The Starshipit export and the WooCommerce write-back include the
#: account's request spacing, which a worker waits out in the Lambda (billed).
WMS_WORKER_SECONDS = 0.078
ROUTER_SECONDS = 0.075
STARSHIPIT_EXPORT_SECONDS = 0.702
WOOCOMMERCE_WRITE_BACK_SECONDS = 2.142
#: Assumed, not measured: any other worker invocation, and a schedule's fan-out.
WORKER_SECONDS = 0.25
SCHEDULE_SECONDS = 0.05
#: Assumed: an upstream call answers in 0.25 s; a poll waits its account's spacing between two calls (WooCommerce
#: 0.4 s, Rose Rocket 0.2 s: docs/architecture.md "RateBudgetTable").
UPSTREAM_CALL_SECONDS = 0.25
#: A cold start's INIT, billed since 2025-08-01: the slowest function's import in bench/cold_start.py (README "Cold
#: start", 309 ms), the runtime's own start not included.
INIT_SECONDS = 0.309
#: Assumed: every invocation on a record's path is cold — 1,000 orders a month is one every 44 minutes, longer than
#: Lambda is known to keep an idle instance (it does not document how long). Polls every 5 minutes are taken to find
#: a warm instance, with one cold start an hour per function.
COLD_STARTS_PER_HOUR = 1
#: KMS Decrypt per cold start: the integration's sealed credentials and the tenant's WMS client (cached while warm).
DECRYPTS_PER_COLD_START = 2
#: Assumed: what one invocation writes to CloudWatch Logs — Lambda's START/END/REPORT lines, Powertools' JSON log
#: lines at INFO, one EMF metrics document (docs/architecture.md: metrics are log lines).
LOG_BYTES_PER_INVOCATION = 2048
#: Assumed: alert mails an integration causes a month with 1,000 orders (an alert opened and resolved, twice); none
#: when idle.
ALERT_MAILS_PER_BUSY_MONTH = 4
#: Assumed: WMS notifications of an order that its platform's documented path does not already count (e.g. PACKED
#: before a dispatch, the consignment's own), each at the WMS notification path's cost, without a routed item.
OTHER_WMS_NOTIFICATIONS_PER_ORDER = 2
#: Assumed: Lambda's SQS pollers per queue while it is empty (5), each long-polling 20 s: 3 receives a minute.
IDLE_RECEIVES_PER_QUEUE_MINUTE = 5 * 3


# --- the counted requests ---------------------------------------------------------------------------------------------


def _checked(name: str, split: Counter, total: int) -> Counter:
    """A split written here from a page's words, held to the total the page states (and its test measures)."""
    assert sum(split.values()) == total, f"{name}: the split here sums to {sum(split.values())}, the page says {total}"
    return split


def wms_notification() -> Counter:
    return documented.steps_table("wms-notifications.md", "**Budget:")


def fan_out() -> Counter:
    """A connector's poll schedule, per tick: its live integrations (one query page) and one batch of poll items per
    10 integrations — counted whole for each integration, as if it were its connector's only one."""
    return Counter({"dynamodb:Query": 1, "sqs:SendMessageBatch": 1})


@dataclass(frozen=True)
class Path:
    """One kind of work: the AWS requests our code makes, its HTTP doors, and each Lambda invocation's seconds."""

    name: str
    requests: Counter
    doors: int = 0
    seconds: tuple[float, ...] = ()
    #: WMS notifications through the WMS door: each door entry is also written to the byTenantNotification index.
    wms_notifications: int = 0

    @property
    def messages(self) -> int:
        """Queue messages it sends, each received and deleted by the event source mapping (not counted by tests)."""
        return self.requests["sqs:SendMessage"] + self.requests["sqs:SendMessageBatch"]


def wms_path(name: str = "WMS notification that changes a status") -> Path:
    return Path(name, wms_notification(), doors=1, wms_notifications=1,
                seconds=(DOOR_SECONDS, WMS_WORKER_SECONDS, ROUTER_SECONDS))


@dataclass(frozen=True)
class Platform:
    title: str
    #: Per order (1,000 a month) and per 5-minute tick (idle).
    per_order: list[Path] = field(default_factory=list)
    per_tick: list[Path] = field(default_factory=list)


def woocommerce() -> Platform:
    page = "woocommerce.md"
    imported = documented.steps_table(page, "**Budget:")
    write_back = wms_notification() + _checked("WooCommerce's write-back beyond the WMS path", Counter({
        # the routed item: idempotency 2, the pointer and the link 2, "write-back" 1, trackingSent 1; the router's
        # send; the order.updated webhook our completion causes (door 2, idempotency 2, link read 1); the store's
        # budget, a turn per WooCommerce call (7)
        "dynamodb:PutItem": 1 + 1 + 1 + 1, "dynamodb:UpdateItem": 1 + 1 + 1 + 7, "dynamodb:GetItem": 2 + 1,
        "sqs:SendMessage": 1 + 1}), documented.stated(page, r"\*\*Dispatch write-back: (\d+) requests") -
        sum(wms_notification().values()))
    idle = _checked("WooCommerce's idle poll", Counter({"dynamodb:PutItem": 1, "dynamodb:UpdateItem": 4,
                                                        "dynamodb:GetItem": 2}),
                    documented.stated(page, r"An idle poll costs (\d+) per integration"))
    return Platform("WooCommerce", per_order=[
        Path("order: two webhooks → WMS order", imported, doors=2, seconds=(DOOR_SECONDS, DOOR_SECONDS,
                                                                             WOOCOMMERCE_IMPORT_SECONDS)),
        Path("dispatch write-back", write_back, doors=2, wms_notifications=1, seconds=(
            DOOR_SECONDS, WMS_WORKER_SECONDS, ROUTER_SECONDS, WOOCOMMERCE_WRITE_BACK_SECONDS, DOOR_SECONDS,
            WORKER_SECONDS)),
    ], per_tick=[Path("poll", fan_out() + idle, seconds=(
        SCHEDULE_SECONDS, 2 * UPSTREAM_CALL_SECONDS + 0.4))])


def unleashed() -> Platform:
    page = "unleashed.md"
    imported = documented.steps_table(page, "**An order with one shipment")
    write_back = documented.operations(documented.sentence(page, r"the \"write-back\" entry 1\)\. \((.*?)\)"))
    idle = documented.operations(documented.sentence(page, r"\*\*An idle poll:.*?\*\* \((.*?)\); every"))
    # every third due poll adds the shipment pass: one more read (and one more Unleashed call)
    idle_seconds = (1 + 1 / 3) * UPSTREAM_CALL_SECONDS
    return Platform("Unleashed", per_order=[
        Path("order with one shipment → WMS order", imported, doors=1,
             seconds=(DOOR_SECONDS, WORKER_SECONDS, WORKER_SECONDS)),
        Path("dispatch write-back", write_back, doors=1, wms_notifications=1,
             seconds=(DOOR_SECONDS, WMS_WORKER_SECONDS, ROUTER_SECONDS, WORKER_SECONDS)),
    ], per_tick=[Path("poll", fan_out() + idle + Counter({"dynamodb:GetItem": 1 / 3}),
                      seconds=(SCHEDULE_SECONDS, idle_seconds))])


def starshipit() -> Platform:
    page = "starshipit.md"
    exported = Counter(documented.request_table(page, "### Export: AWS requests\n"))
    tracking = Counter(documented.request_table(page, "### Tracking: AWS requests\n"))
    per_poll = documented.stated(page, r"among m listed: (\d+) \+")
    per_found = documented.stated(page, r"among m listed: \d+ \+ (\d+)n")
    # each order found: its id's pointer and its link, its link again in the worker (GetItem 3), idempotency and the
    # "tracking" entry (PutItem 2), idempotency completed, the budget, memo.trackingWritten (UpdateItem 3)
    found = _checked("Starshipit's tracking per order found", Counter(
        {"dynamodb:GetItem": 3, "dynamodb:PutItem": 2, "dynamodb:UpdateItem": 3}), per_found)
    # An idle poll is the table's poll less the order it found: the page's constant term, schedule fan-out included
    # (it may not send the batch of items an idle poll has none of: counted, so the model errs high).
    idle = _checked("Starshipit's poll", tracking - found, per_poll)
    return Platform("Starshipit", per_order=[
        Path("PACKED → Starshipit order", exported, doors=1, wms_notifications=1,
             seconds=(DOOR_SECONDS, WMS_WORKER_SECONDS, ROUTER_SECONDS, STARSHIPIT_EXPORT_SECONDS)),
        Path("its tracking, found by the poll", found, seconds=(WORKER_SECONDS,)),
    ], per_tick=[Path("poll", idle, seconds=(SCHEDULE_SECONDS, UPSTREAM_CALL_SECONDS))])


def rose_rocket() -> Platform:
    page = "rose-rocket.md"
    exported = Counter(documented.request_table(page, "### A WMS consignment to its Rose Rocket order: "))
    delivered = Counter(documented.request_table(page, "### A Delivered Rose Rocket order to its WMS consignment: "))
    # No test counts Rose Rocket's idle poll: assumed to cost WooCommerce's (the same frame: idempotency, the
    # integration, the cursor read and noted, a budget turn per call), with its two searches.
    idle = woocommerce().per_tick[0].requests
    return Platform("Rose Rocket", per_order=[
        Path("WMS consignment → Rose Rocket order", exported, doors=1, wms_notifications=1,
             seconds=(DOOR_SECONDS, WMS_WORKER_SECONDS, ROUTER_SECONDS, WORKER_SECONDS)),
        Path("Delivered order → WMS consignment", delivered, doors=1, seconds=(DOOR_SECONDS, WORKER_SECONDS)),
    ], per_tick=[Path("poll", idle, seconds=(SCHEDULE_SECONDS, 2 * UPSTREAM_CALL_SECONDS + 0.2))])


def tenant_ticks() -> list[Path]:
    """What runs per tenant every 5 minutes, counted by tests/functional/test_costs_counts.py (docs/costs.md)."""
    wms_poll = Counter({"dynamodb:Scan": 1, "sqs:SendMessageBatch": 1}) + Counter(
        {"dynamodb:PutItem": 1, "dynamodb:GetItem": 2, "dynamodb:DeleteItem": 1, "dynamodb:UpdateItem": 1})
    _checked("the WMS poll", wms_poll, documented.stated("costs.md", r"the WMS poll's fan-out (\d+)") +
             documented.stated("costs.md", r"an idle WMS poll (\d+) per tenant"))
    alert_check = Counter({"dynamodb:Scan": 1, "sqs:SendMessageBatch": 1}) + Counter(
        {"dynamodb:PutItem": 1, "dynamodb:GetItem": 5, "dynamodb:Query": 9, "dynamodb:UpdateItem": 1})
    _checked("the alert check", alert_check, documented.stated("costs.md", r"the alert check's fan-out (\d+)") +
             documented.stated("costs.md", r"an alert check (\d+) per tenant"))
    return [Path("WMS poll", wms_poll, seconds=(SCHEDULE_SECONDS, WORKER_SECONDS)),
            Path("alert check", alert_check, seconds=(SCHEDULE_SECONDS, WORKER_SECONDS))]


def platforms() -> list[Platform]:
    return [woocommerce(), unleashed(), starshipit(), rose_rocket()]


# --- from requests to dollars -----------------------------------------------------------------------------------------

WRITES = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
READS = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan")
#: Tables' indexes a write may also write (docs/architecture.md, docs/management-api.md): SyncTable's byScope (every
#: link), byWmsRecord (import links), byNumber (a link from its claim, and its counterpart's pointer), byAttention,
#: byTenantNotification (the door's notification entries); each index written is one more write unit. Counted as two
#: per UpdateItem (a claim writes byScope and byNumber), four per transaction (the bound link's byScope, byWmsRecord
#: and byNumber, its pointer's byNumber) and one per WMS notification: idempotency and budget updates, which touch no
#: index, are counted too, so the model errs high.
GSI_WRITES_PER_UPDATE = 2
GSI_WRITES_PER_TRANSACTION = 4


@functools.cache
def _template() -> dict:
    return load_template()


@functools.cache
def memory_gb() -> float:
    """The memory every function of the record paths runs with (template.yaml; the console's smaller one aside)."""
    template = _template()
    default = template["Globals"]["Function"]["MemorySize"]
    sizes = {r["Properties"].get("MemorySize", default) for name, r in template["Resources"].items()
             if r["Type"] == "AWS::Serverless::Function" and name != "ConsoleFunction"}
    assert len(sizes) == 1, f"functions differ in memory ({sizes}): the model takes one size"
    return float(sizes.pop()) / 1024


def usage(path: Path, times: float, *, cold: bool) -> Counter:
    """The billable units of ``times`` runs of ``path`` (cold: every invocation pays its INIT and its decrypts)."""
    requests = path.requests
    invocations = len(path.seconds)
    seconds = sum(path.seconds) + (INIT_SECONDS * invocations if cold else 0)
    transactions = requests["dynamodb:TransactWriteItems"]
    units = Counter({
        "lambda_request": invocations,
        "lambda_gb_second": seconds * memory_gb(),
        "api_request": path.doors,
        # a transaction's write costs two units per item; ours write two items (the link and its pointer)
        "dynamodb_write_unit": sum(requests[op] for op in WRITES) + 4 * transactions
        + GSI_WRITES_PER_UPDATE * requests["dynamodb:UpdateItem"] + GSI_WRITES_PER_TRANSACTION * transactions
        + path.wms_notifications,
        # strongly consistent reads of items under 4 KB, and query pages of one unit: one unit each
        "dynamodb_read_unit": sum(requests[op] for op in READS),
        # each message sent is received and deleted by the event source mapping (batches of one at this rate)
        "sqs_request": sum(requests[op] for op in requests if op.startswith("sqs:")) + 2 * path.messages,
        "kms_request": DECRYPTS_PER_COLD_START * invocations if cold else 0,
        "logs_ingest_gb": invocations * LOG_BYTES_PER_INVOCATION / 1024**3,
        "xray_trace": invocations,
    })
    units["sqs_fair_surcharge"] = units["sqs_request"]
    return Counter({name: value * times for name, value in units.items()})


def dollars(units: Counter) -> Counter:
    return Counter({name: value * PRICES[name].usd for name, value in units.items()})


def idle_units(platform: Platform) -> Counter:
    total: Counter = Counter()
    for path in platform.per_tick + tenant_ticks():
        total += usage(path, TICKS_PER_MONTH, cold=False)
        total["scheduler_invocation"] += TICKS_PER_MONTH
    cold_starts = COLD_STARTS_PER_HOUR * 24 * DAYS_PER_MONTH * len(platform.per_tick + tenant_ticks()) * 2
    total["lambda_gb_second"] += cold_starts * INIT_SECONDS * memory_gb()
    total["kms_request"] += cold_starts * DECRYPTS_PER_COLD_START
    return total


def busy_units(platform: Platform) -> Counter:
    total = idle_units(platform)
    for path in platform.per_order:
        total += usage(path, ORDERS_PER_MONTH, cold=True)
    total += usage(wms_path(), ORDERS_PER_MONTH * OTHER_WMS_NOTIFICATIONS_PER_ORDER, cold=True)
    total["ses_email"] += ALERT_MAILS_PER_BUSY_MONTH
    return total


def deployment_dollars() -> tuple[Counter, int, int]:
    """What a deployment pays whatever its size, shared by all its integrations: not in the per-integration table."""
    template = _template()
    mapped = sum(1 for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function"
                 for event in r["Properties"].get("Events", {}).values() if event["Type"] == "SQS")
    keys = sum(1 for r in template["Resources"].values() if r["Type"] == "AWS::KMS::Key")
    receives = mapped * IDLE_RECEIVES_PER_QUEUE_MINUTE * 60 * 24 * DAYS_PER_MONTH
    return Counter({"sqs_request": receives * PRICES["sqs_request"].usd,
                    "sqs_fair_surcharge": receives * PRICES["sqs_fair_surcharge"].usd,
                    "kms_key_month": keys * PRICES["kms_key_month"].usd}), mapped, keys


# --- the page ---------------------------------------------------------------------------------------------------------

SERVICES = [("Lambda requests", ("lambda_request",)), ("Lambda duration (GB-s)", ("lambda_gb_second",)),
            ("API Gateway (HTTP API)", ("api_request",)), ("DynamoDB writes (GSIs included)", ("dynamodb_write_unit",)),
            ("DynamoDB reads", ("dynamodb_read_unit",)), ("SQS (fair-queue surcharge included)",
                                                          ("sqs_request", "sqs_fair_surcharge")),
            ("KMS requests", ("kms_request",)), ("EventBridge Scheduler", ("scheduler_invocation",)),
            ("SES mails", ("ses_email",)), ("CloudWatch Logs ingestion", ("logs_ingest_gb",)),
            ("X-Ray traces", ("xray_trace",))]


def usd(value: float) -> str:
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def summary_table() -> str:
    rows = ["| platform | idle integration | with 1,000 orders | AWS requests per order | margin on $"
            f"{CHARGE_PER_MONTH:.2f} (1,000 orders) | prices could rise |",
            "|---|---:|---:|---:|---:|---:|"]
    for platform in platforms():
        idle = sum(dollars(idle_units(platform)).values())
        busy = sum(dollars(busy_units(platform)).values())
        per_order = sum(sum(p.requests.values()) for p in platform.per_order) + \
            OTHER_WMS_NOTIFICATIONS_PER_ORDER * sum(wms_notification().values())
        rows.append(f"| {platform.title} | {usd(idle)} | {usd(busy)} | {per_order:g} | "
                    f"{usd(CHARGE_PER_MONTH - busy)} ({(CHARGE_PER_MONTH - busy) / CHARGE_PER_MONTH:.1%}) | "
                    f"{CHARGE_PER_MONTH / busy:,.0f}× |")
    return "\n".join(rows)


def breakdown_table(platform: Platform | None = None) -> str:
    platform = platform or woocommerce()
    idle, busy = dollars(idle_units(platform)), dollars(busy_units(platform))
    rows = [f"| {platform.title}: service | idle | with 1,000 orders |", "|---|---:|---:|"]
    for name, keys in SERVICES:
        rows.append(f"| {name} | {usd(sum(idle[k] for k in keys))} | {usd(sum(busy[k] for k in keys))} |")
    rows.append(f"| **total** | **{usd(sum(idle.values()))}** | **{usd(sum(busy.values()))}** |")
    return "\n".join(rows)


def inputs_table() -> str:
    rows = ["| platform | path | AWS requests | doors | Lambda invocations | billed s (warm) |",
            "|---|---|---:|---:|---:|---:|"]
    for platform in platforms():
        for path, when in [(p, "per order") for p in platform.per_order] + \
                          [(p, "per 5 min") for p in platform.per_tick]:
            rows.append(f"| {platform.title} | {path.name} ({when}) | {sum(path.requests.values()):.4g} | "
                        f"{path.doors} | {len(path.seconds)} | {sum(path.seconds):.3f} |")
    for path in [wms_path()] + tenant_ticks():
        rows.append(f"| every tenant | {path.name} | {sum(path.requests.values()):g} | {path.doors} | "
                    f"{len(path.seconds)} | {sum(path.seconds):.3f} |")
    return "\n".join(rows)


def deployment_table() -> str:
    costs, mapped, keys = deployment_dollars()
    return "\n".join([
        "| per deployment, whatever its size | a month |", "|---|---:|",
        f"| SQS: Lambda's pollers on {mapped} queues while empty ({IDLE_RECEIVES_PER_QUEUE_MINUTE} receives a "
        f"minute each, fair-queue surcharge included) | {usd(costs['sqs_request'] + costs['sqs_fair_surcharge'])} |",
        f"| KMS: {keys} customer managed key | {usd(costs['kms_key_month'])} |"])


def prices_table() -> str:
    rows = ["| price | USD | per | source |", "|---|---:|---|---|"]
    for name, price in PRICES.items():
        rows.append(f"| `{name}` | {price.usd:.10g} | {price.unit} | {price.source} |")
    return "\n".join(rows)


BLOCKS = {"summary": summary_table, "breakdown": breakdown_table, "inputs": inputs_table,
          "deployment": deployment_table, "prices": prices_table}


def regenerate(text: str) -> str:
    """``text`` with every generated block replaced by what the model computes now."""
    for name, make in BLOCKS.items():
        pattern = re.compile(rf"(<!-- generated: {name} \(.*?\) -->\n)(?:.*?\n)?(<!-- end: {name} -->)", re.S)
        assert len(pattern.findall(text)) == 1, f"docs/costs.md should hold the block {name!r} once"
        made = make()
        text = pattern.sub(lambda m, made=made: m.group(1) + made + "\n" + m.group(2), text)
    return text


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite docs/costs.md's generated blocks")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.write:
        PAGE.write_text(regenerate(PAGE.read_text()))
        print(f"rewrote {PAGE.relative_to(ROOT)}")
        return 0
    for make in BLOCKS.values():
        print(make(), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
