"""The local stack's moto at a burst's scale: same answers as moto, with work that does not grow with what is stored.

Counts, not timings: how many items a transaction deep-copies and how many times a receive reads moto's clock.
Each count is also taken on unpatched moto, which is the cost the patch exists to remove.
"""

from __future__ import annotations

import contextlib
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT
from moto.dynamodb.models.dynamo_type import Item
from moto.sqs import models as sqs_models

from local import moto_at_scale

TABLE = "sync"


@pytest.fixture
def db():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-southeast-2")
        client.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
        yield client


@pytest.fixture
def at_scale():
    """Call it to install the patch from that point of the test on; it is removed when the test ends."""
    yield moto_at_scale.install
    moto_at_scale.uninstall()


@pytest.fixture
def sqs():
    with mock_aws():
        yield boto3.client("sqs", region_name="ap-southeast-2")


def _key(pk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": "link"}}


def _get(db, pk: str) -> dict | None:
    return db.get_item(TableName=TABLE, Key=_key(pk), ConsistentRead=True).get("Item")


def _put(db, pk: str, **attributes: str) -> None:
    db.put_item(TableName=TABLE, Item={**_key(pk), **{k: {"S": v} for k, v in attributes.items()}})


def _fill(db, count: int) -> None:
    for n in range(count):
        _put(db, f"log-{n}", message="x" * 100)


def _link_and_check(existing: str, new: str, must_exist: str) -> list[dict]:
    """A transaction like a link: update one item, put another, and a condition on a third."""
    return [
        {"Update": {"TableName": TABLE, "Key": _key(existing), "UpdateExpression": "SET #s = :s",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "linked"}}}},
        {"Put": {"TableName": TABLE, "Item": {**_key(new), "linkKey": {"S": existing}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"ConditionCheck": {"TableName": TABLE, "Key": _key(must_exist),
                            "ConditionExpression": "attribute_exists(pk)"}},
    ]


def test_a_cancelled_transaction_leaves_every_item_it_named_as_it_was_and_others_untouched(db, at_scale):
    _put(db, "order-1", status="new")
    _put(db, "bystander", status="kept")
    at_scale()
    with pytest.raises(ClientError) as cancelled:
        db.transact_write_items(TransactItems=_link_and_check("order-1", "pointer-1", must_exist="absent"))
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "ConditionalCheckFailed"]
    assert _get(db, "order-1")["status"] == {"S": "new"}
    assert _get(db, "pointer-1") is None
    assert _get(db, "bystander")["status"] == {"S": "kept"}


def test_a_transaction_that_passes_applies_every_action(db, at_scale):
    _put(db, "order-1", status="new")
    _put(db, "present")
    at_scale()
    db.transact_write_items(TransactItems=_link_and_check("order-1", "pointer-1", must_exist="present"))
    assert _get(db, "order-1")["status"] == {"S": "linked"}
    assert _get(db, "pointer-1")["linkKey"] == {"S": "order-1"}


def test_a_transaction_naming_one_item_twice_is_refused_and_changes_nothing(db, at_scale):
    _put(db, "order-1", status="new")
    twice = [{"Update": {"TableName": TABLE, "Key": _key("order-1"), "UpdateExpression": "SET #s = :s",
                         "ExpressionAttributeNames": {"#s": "status"},
                         "ExpressionAttributeValues": {":s": {"S": "linked"}}}},
             {"Delete": {"TableName": TABLE, "Key": _key("order-1")}}]
    at_scale()
    with pytest.raises(ClientError) as refused:
        db.transact_write_items(TransactItems=twice)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert _get(db, "order-1")["status"] == {"S": "new"}


def _items_deep_copied(db, monkeypatch, transact_items: list[dict]) -> int:
    copied = 0
    moto_copy = Item.__deepcopy__

    def counting(item, memo):
        nonlocal copied
        copied += 1
        return moto_copy(item, memo)

    monkeypatch.setattr(Item, "__deepcopy__", counting)
    with contextlib.suppress(ClientError):
        db.transact_write_items(TransactItems=transact_items)
    monkeypatch.setattr(Item, "__deepcopy__", moto_copy)
    return copied


def test_a_transaction_copies_the_items_it_names_not_the_table(db, at_scale, monkeypatch):
    _fill(db, 300)
    _put(db, "order-1", status="new")
    _put(db, "present")
    unpatched = _items_deep_copied(db, monkeypatch, _link_and_check("order-1", "pointer-1", must_exist="absent"))
    at_scale()
    patched = _items_deep_copied(db, monkeypatch, _link_and_check("order-1", "pointer-1", must_exist="absent"))
    assert unpatched >= 300
    assert patched <= 3 + 1  # the three named items, and moto's own copy of the one it updates


def _clock_reads_per_receive(sqs, url: str, monkeypatch) -> int:
    reads = 0
    real_clock = sqs_models.unix_time_millis

    def counting(*args):
        nonlocal reads
        reads += 1
        return real_clock(*args)

    monkeypatch.setattr(sqs_models, "unix_time_millis", counting)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    monkeypatch.setattr(sqs_models, "unix_time_millis", real_clock)
    return reads


def test_a_receive_does_not_read_motos_clock_once_per_stored_message(sqs, at_scale, monkeypatch):
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    for batch in range(30):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": f"{batch}-{n}", "DelaySeconds": 900} for n in range(10)])
    sqs.send_message(QueueUrl=url, MessageBody="now")
    unpatched = _clock_reads_per_receive(sqs, url, monkeypatch)
    at_scale()
    sqs.send_message(QueueUrl=url, MessageBody="now again")
    patched = _clock_reads_per_receive(sqs, url, monkeypatch)
    assert unpatched >= 300
    assert patched <= 10


def test_delayed_and_in_flight_messages_stay_hidden_until_their_time(sqs, at_scale):
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    at_scale()
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
    sqs.send_message(QueueUrl=url, MessageBody="now")
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=1)["Messages"]
    assert [m["Body"] for m in first] == ["now"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (counts["ApproximateNumberOfMessagesDelayed"], counts["ApproximateNumberOfMessagesNotVisible"]) == (
        "1", "1")
    time.sleep(1.1)
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in again) == ["later", "now"]


def test_a_long_poll_knows_when_the_next_delayed_message_is_due(sqs):
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    queue = sqs_models.sqs_backends[ACCOUNT]["ap-southeast-2"].queues["work"]
    assert moto_at_scale.seconds_until_next_due(queue, time.time()) is None
    sqs.send_message(QueueUrl=url, MessageBody="in 5 s", DelaySeconds=5)
    sqs.send_message(QueueUrl=url, MessageBody="in 2 s", DelaySeconds=2)
    due = moto_at_scale.seconds_until_next_due(queue, time.time())
    assert due is not None and 1.5 < due <= 2.0
    assert moto_at_scale.seconds_until_next_due(queue, time.time() + 10) is None


def test_a_long_poll_waiting_on_an_empty_queue_receives_a_delayed_message_when_it_is_due(sqs, at_scale):
    """The patched poll wakes at the message's time (moto alone looks again a whole second later): it still gets it."""
    url = sqs.create_queue(QueueName="work")["QueueUrl"]
    at_scale()
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    assert [m["Body"] for m in received] == ["later"]
