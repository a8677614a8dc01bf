"""Identifiers read from outside end where they end (issue 20): Python's ``re`` lets ``$`` match before a trailing
newline, so ``^…$`` with ``.match`` took ``"<guid>\\n"`` and sync-log keys ended in a newline. Each check here is
the one a door or a parser applies."""

from __future__ import annotations

import pytest
from integrations.core.weeks import InvalidWeek, IsoWeek
from integrations.starshipit.models import is_legacy_order_number
from integrations.unleashed.door import BadDelivery, order_guid
from integrations.unleashed.models import WebhookDelivery

GUID = "ee173684-95ad-4b3a-9ab2-4f3c44c0e5a1"


@pytest.mark.parametrize("tail", ["\n", "\r\n", " ", "\n\n"])
def test_an_unleashed_delivery_naming_a_guid_with_anything_after_it_is_refused(tail):
    assert order_guid(WebhookDelivery(eventNotificationId="n-1", eventType="SalesOrderUpdated",
                                      data={"salesOrderGuid": GUID})) == GUID
    with pytest.raises(BadDelivery, match="salesOrderGuid"):
        order_guid(WebhookDelivery(eventNotificationId="n-1", eventType="SalesOrderUpdated",
                                   data={"salesOrderGuid": GUID + tail}))


def test_a_starshipit_order_number_is_a_wms_order_id_only_without_a_trailing_newline():
    assert is_legacy_order_number(GUID)
    assert not is_legacy_order_number(GUID + "\n")


def test_an_iso_week_label_with_a_trailing_newline_is_no_week():
    assert str(IsoWeek.parse("2026-W10")) == "2026-W10"
    with pytest.raises(InvalidWeek):
        IsoWeek.parse("2026-W10\n")

