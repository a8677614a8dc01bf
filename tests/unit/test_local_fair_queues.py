"""The local stack's fair-queue emulation: a quiet group's message is received ahead of a noisy group's backlog."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from local import fair_queues


@pytest.fixture
def sqs():
    with mock_aws():
        yield boto3.client("sqs", region_name="ap-southeast-2")


def _send(sqs, url: str, group: str | None, count: int) -> None:
    for n in range(count):
        extra = {"MessageGroupId": group} if group else {}
        sqs.send_message(QueueUrl=url, MessageBody=f"{group}-{n}", **extra)


def _receive(sqs, url: str, count: int) -> list[str]:
    received: list[str] = []
    while len(received) < count:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(10, count - len(received)))
        if not messages.get("Messages"):
            break
        received += [m["Body"] for m in messages["Messages"]]
    return received


def test_a_lone_message_of_a_quiet_group_is_received_before_a_noisy_groups_backlog(sqs):
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    _send(sqs, url, "customer-a", 50)
    _send(sqs, url, "customer-b", 1)
    with fair_queues.installed():
        first = _receive(sqs, url, 2)
    assert first == ["customer-a-0", "customer-b-0"]


def test_groups_interleave_and_each_keeps_its_own_order(sqs):
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    _send(sqs, url, "a", 4)
    _send(sqs, url, "b", 2)
    _send(sqs, url, None, 1)
    with fair_queues.installed():
        order = _receive(sqs, url, 7)
    assert order == ["a-0", "b-0", "None-0", "a-1", "b-1", "a-2", "a-3"]


def test_without_the_emulation_moto_is_oldest_first_which_is_why_it_exists(sqs):
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    _send(sqs, url, "customer-a", 20)
    _send(sqs, url, "customer-b", 1)
    assert "customer-b-0" not in _receive(sqs, url, 10)


def test_fifo_queues_keep_their_own_order(sqs):
    url = sqs.create_queue(QueueName="work.fifo", Attributes={"FifoQueue": "true",
                                                              "ContentBasedDeduplication": "true"})["QueueUrl"]
    _send(sqs, url, "a", 3)
    _send(sqs, url, "b", 1)
    with fair_queues.installed():
        order = _receive(sqs, url, 10)
    assert order == ["a-0", "a-1", "a-2", "b-0"]
