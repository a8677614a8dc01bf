"""The local stack's moto fixes (local/moto_at_scale.py): cost per request as the stored data grows, with and without.

In one process on in-process moto, for each size: a one-action ``TransactWriteItems`` on a table holding that many
items, and a ``SendMessage`` then ``ReceiveMessage`` on a queue holding that many delayed messages (the local fair
queues installed, as in the stack). Each is timed on unpatched moto and with the fixes, and printed with their ratio.
The fixes change no answer (tests/unit/test_local_moto_at_scale.py); this shows what they save.

    .venv/bin/python bench/moto_at_scale.py [--sizes 100,1000,3000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
from moto import mock_aws

from local import fair_queues, moto_at_scale

REGION = "ap-southeast-2"


def median_ms(call: Callable[[int], None], repeat: int) -> float:
    times = []
    for n in range(repeat):
        started = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def transaction_cost(size: int, repeat: int) -> tuple[float, float]:
    db = boto3.client("dynamodb", region_name=REGION)
    db.create_table(TableName="sync", BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "sk", "AttributeType": "S"}])
    for n in range(size):  # sync-log entries of about the size ours are
        db.put_item(TableName="sync", Item={"pk": {"S": f"record-{n}"}, "sk": {"S": f"LOG#{n}"},
                                            "message": {"S": "x" * 200}, "attempt": {"N": "1"}})

    def link(n: int, tag: str) -> None:
        db.transact_write_items(TransactItems=[{"Put": {"TableName": "sync", "Item": {
            "pk": {"S": f"{tag}-{n}"}, "sk": {"S": "LINK"}}, "ConditionExpression": "attribute_not_exists(pk)"}}])

    unpatched = median_ms(lambda n: link(n, "bare"), repeat)
    moto_at_scale.install()
    try:
        patched = median_ms(lambda n: link(n, "fixed"), repeat)
    finally:
        moto_at_scale.uninstall()
    db.delete_table(TableName="sync")
    return unpatched, patched


def receive_cost(size: int, repeat: int) -> tuple[float, float]:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=f"work-{size}")["QueueUrl"]
    moto_at_scale.install()  # filling is not what is measured (unpatched, each send also grows with the queue)
    for start in range(0, size, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": "x" * 500, "DelaySeconds": 900, "MessageGroupId": f"customer-{n % 11}"}
            for n in range(start, min(size, start + 10))])
    moto_at_scale.uninstall()

    def receive(_: int) -> None:
        sqs.send_message(QueueUrl=url, MessageBody="due now", MessageGroupId="customer-b")
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)

    with fair_queues.installed():
        unpatched = median_ms(receive, repeat)
        moto_at_scale.install()
        try:
            patched = median_ms(receive, repeat)
        finally:
            moto_at_scale.uninstall()
    sqs.delete_queue(QueueUrl=url)
    return unpatched, patched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,3000", help="items in the table / messages in the queue")
    parser.add_argument("--repeat", type=int, default=5, help="requests timed per size (the median is printed)")
    args = parser.parse_args(argv)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · bench/moto_at_scale.py --sizes {args.sizes} "
          f"--repeat {args.repeat} · medians of {args.repeat}")
    print(f"{'stored':>8}  {'TransactWriteItems: moto':>26} {'fixed':>9} {'ratio':>7}   "
          f"{'send + receive: moto':>22} {'fixed':>9} {'ratio':>7}")
    with mock_aws():
        for size in (int(s) for s in args.sizes.split(",")):
            tx_bare, tx_fixed = transaction_cost(size, args.repeat)
            rx_bare, rx_fixed = receive_cost(size, args.repeat)
            print(f"{size:>8,}  {tx_bare:>23.1f} ms {tx_fixed:>6.1f} ms {tx_bare / tx_fixed:>6.1f}×   "
                  f"{rx_bare:>19.1f} ms {rx_fixed:>6.1f} ms {rx_bare / rx_fixed:>6.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
