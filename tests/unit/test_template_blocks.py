"""template.yaml's per-connector blocks are what the declarations generate (local/template_blocks.py, issue 22)."""

from __future__ import annotations

import dataclasses

import pytest
from integrations.core.connectors import shipped

from local.resources import TEMPLATE
from local.template_blocks import BLOCKS, GENERATOR, regenerate


def test_template_yaml_holds_what_the_declarations_generate():
    text = TEMPLATE.read_text()
    assert regenerate(text) == text, f"template.yaml's generated blocks differ from the declarations: run {GENERATOR}"


def test_a_new_connector_is_one_more_block_and_changes_no_other_connectors_lines():
    connectors = [c for c in shipped().values() if c.available]
    woocommerce = next(c for c in connectors if c.key == "woocommerce")
    newcomer = dataclasses.replace(woocommerce, key="newcomer", title="Newcomer", queue="NewcomerQueue",
                                   worker="NewcomerWorkerFunction", schedules=("NewcomerPollScheduleFunction",))
    before = regenerate(TEMPLATE.read_text(), connectors).splitlines()
    after = regenerate(TEMPLATE.read_text(), [*connectors, newcomer]).splitlines()
    assert set(before) <= set(after), "adding a connector removed or changed another connector's lines"
    added = "\n".join(line for line in after if line not in before)
    for expected in ("NEWCOMER_QUEUE_URL: !Ref NewcomerQueue", "NewcomerWorkerFunction:",
                     "NewcomerDeadLetterQueueAlarm:", "NewcomerPollScheduleErrorsAlarm:", "NewcomerQueueUrl:",
                     "SQSSendMessagePolicy: {QueueName: !GetAtt NewcomerQueue.QueueName}"):
        assert expected in added, expected


def test_every_block_is_marked_once_and_an_unknown_one_is_refused():
    text = TEMPLATE.read_text()
    for block in BLOCKS:
        assert text.count(f"# >>> generated: {block} (") == 1, block
    with pytest.raises(ValueError, match="unknown block"):
        regenerate(text.replace("# >>> generated: connector outputs", "# >>> generated: unknown block", 1))
