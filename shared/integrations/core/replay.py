"""Move dead-lettered messages back to their queue, for ops after the cause is fixed.

SQS's own message-move tasks (``start_message_move_task``) are not used: moto lacks them and they cannot be
tested here. Messages are received, re-sent to the source queue, then deleted from the DLQ — a crash in between
re-sends a copy, which the worker's idempotency absorbs. Each keeps its ``MessageGroupId`` (its fair-queue group,
``WorkItem.fair_group``), read from the dead letter or, when it has none, from its work item: a replayed item
without one would be served outside every customer's share of the fair queue.

    python -m integrations.core.replay --from WmsDeadLetterQueue --to WmsQueue [--stack integrations-prod] [--max 100]

With ``--stack`` the names are template.yaml's logical ids, resolved through CloudFormation to the deployed queues;
without it they are queue names or URLs (the local stack names its queues after the logical ids).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pydantic import ValidationError

from . import aws
from .workitems import WorkItem


def replay(dead_letter_queue_url: str, source_queue_url: str, *, limit: int | None = None) -> int:
    """Move up to ``limit`` messages (all if None). Returns how many moved."""
    sqs = aws.sqs()
    moved = 0
    while limit is None or moved < limit:
        want = 10 if limit is None else min(10, limit - moved)
        messages = sqs.receive_message(
            QueueUrl=dead_letter_queue_url,
            MaxNumberOfMessages=want,
            WaitTimeSeconds=0,
            VisibilityTimeout=60,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["MessageGroupId"],
        ).get("Messages", [])
        if not messages:
            break
        entries = []
        for i, message in enumerate(messages):
            entry: dict[str, Any] = {"Id": str(i), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            group = message.get("Attributes", {}).get("MessageGroupId") or _group_of(message["Body"])
            if group:
                entry["MessageGroupId"] = group
            entries.append(entry)
        sent = sqs.send_message_batch(QueueUrl=source_queue_url, Entries=entries)  # type: ignore[arg-type]
        ok = {entry["Id"] for entry in sent.get("Successful", [])}
        to_delete = [
            {"Id": str(i), "ReceiptHandle": message["ReceiptHandle"]}
            for i, message in enumerate(messages)
            if str(i) in ok
        ]
        if to_delete:
            sqs.delete_message_batch(QueueUrl=dead_letter_queue_url, Entries=to_delete)  # type: ignore[arg-type]
        moved += len(to_delete)
        if len(to_delete) < len(messages):
            break  # SQS refused some sends; stop and let ops look rather than loop on them
    return moved


def _group_of(body: str) -> str | None:
    """The fair-queue group of a work item's body; None when the body is not a work item (replayed as it was)."""
    try:
        return WorkItem.model_validate_json(body).fair_group
    except ValidationError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Replay dead-lettered work items back to their queue.")
    parser.add_argument("--from", dest="source", required=True, help="dead-letter queue name or URL")
    parser.add_argument("--to", dest="target", required=True, help="work queue name or URL")
    parser.add_argument("--max", type=int, default=None, help="move at most this many messages")
    parser.add_argument("--stack", default=None, help="a deployed stack whose logical queue ids to resolve")
    args = parser.parse_args(argv)

    def url(name: str) -> str:
        if name.startswith("http"):
            return name
        if args.stack:
            resource = aws.client("cloudformation").describe_stack_resource(StackName=args.stack,
                                                                           LogicalResourceId=name)
            return str(resource["StackResourceDetail"]["PhysicalResourceId"])  # an SQS queue's is its URL
        return aws.sqs().get_queue_url(QueueName=name)["QueueUrl"]

    moved = replay(url(args.source), url(args.target), limit=args.max)
    print(f"moved {moved} message(s) from {args.source} to {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
