"""Issue 11, point 4: a WMS dispatch marks its Sales Shipment Dispatched (GET-modify-PUT) with the dispatch date,
tracking, carrier and packages — the order's other shipments untouched; Order Management off; tracking after
dispatch; several tracking numbers; carriers Unleashed doesn't know; the setting off; REJECTED; a revoked key."""

from __future__ import annotations

import copy
import uuid

from integrations.core.sync_log_retry import retry_from_sync_log

from local.sandboxes.unleashed import parse_wire

from .unleashed_helpers import (  # noqa: F401  (fixtures)
    API_ID,
    TWO_LINES,
    TWO_SHIPMENTS,
    UnleashedWorld,
    connected_fixture,
    unleashed_world_fixture,
)


def two_synced(world: UnleashedWorld) -> tuple[dict, dict, dict]:
    order = world.place(TWO_LINES, shipments=TWO_SHIPMENTS)
    world.pump()
    first, second = world.shipments(order)
    return order, first, second


def test_dispatching_one_wms_order_dispatches_its_shipment_and_leaves_the_other_untouched(connected: UnleashedWorld):
    _, first, second = two_synced(connected)
    untouched = connected.shipment(second["Guid"])
    connected.dispatch(first["Guid"], tracking="TRK-42", carrier="Aramex")
    connected.pump()
    shipment = connected.shipment(first["Guid"])
    assert shipment["ShipmentStatus"] == "Dispatched"
    assert shipment["TrackingNumber"] == "TRK-42" and shipment["NumberOfPackages"] == 1
    assert shipment["ShippingCompany"]["Name"] == "Aramex"
    assert connected.wms_order_for(first["Guid"])["status"] == "DISPATCHED"
    # the organisation's calendar day (New Zealand) of the WMS dispatch, at 00:00 UTC as Unleashed keeps dates
    assert parse_wire(shipment["DispatchDate"]).time().isoformat() == "00:00:00"
    assert connected.shipment(second["Guid"]) == untouched
    write_back = connected.history(first["Guid"])[1][-1]
    assert write_back["event"] == "write-back" and "status Placed → Dispatched" in write_back["message"]
    assert connected.link(first["Guid"])["status"] == "SYNCED"
    assert [m for m, p, _ in connected.unleashed.request_log[-2:]] == ["GET", "PUT"]  # GET-modify-PUT, once


def test_with_order_management_off_date_packages_and_tracking_are_written_and_the_log_says_why(world: UnleashedWorld):
    world.unleashed.configure(API_ID, order_management=False)
    world.connect()
    _, first, second = two_synced(world)
    assert world.shipment(first["Guid"])["ShipmentStatus"] is None
    untouched = world.shipment(second["Guid"])
    world.dispatch(first["Guid"], tracking="TRK-7", carrier="Aramex")
    world.pump()
    shipment = world.shipment(first["Guid"])
    assert shipment["ShipmentStatus"] is None
    assert shipment["DispatchDate"] and shipment["NumberOfPackages"] == 1 and shipment["TrackingNumber"] == "TRK-7"
    assert world.shipment(second["Guid"]) == untouched
    entry = world.history(first["Guid"])[1][-1]
    assert entry["event"] == "write-back" and "Order Management is off" in entry["message"]
    assert "error" not in entry and world.link(first["Guid"])["status"] == "SYNCED"


def test_order_management_switched_off_after_the_shipment_was_made_is_met_by_writing_without_the_status(
        connected: UnleashedWorld):
    _, first, _ = two_synced(connected)
    connected.unleashed.configure(API_ID, order_management=False)  # the shipment still shows "Placed"
    connected.dispatch(first["Guid"])
    connected.pump()
    shipment = connected.shipment(first["Guid"])
    assert shipment["ShipmentStatus"] == "Placed" and shipment["TrackingNumber"] == "TRK-1"
    assert "Unleashed refused the Dispatched status" in connected.history(first["Guid"])[1][-1]["message"]
    assert [m for m, _, s in connected.unleashed.request_log[-3:]] == ["GET", "PUT", "PUT"]


def test_tracking_changed_after_dispatch_updates_the_tracking_number_only(connected: UnleashedWorld):
    _, first, _ = two_synced(connected)
    connected.dispatch(first["Guid"], tracking="TRK-OLD")
    connected.pump()
    dispatched = connected.shipment(first["Guid"])
    [consignment] = connected.wms.consignments(connected.tenant.tenant_id)
    connected.wms.set_consignment_tracking(connected.tenant.tenant_id, consignment["id"], "TRK-NEW")
    connected.pump()
    now = connected.shipment(first["Guid"])
    assert now["TrackingNumber"] == "TRK-NEW"
    assert {k: v for k, v in now.items() if k not in ("TrackingNumber", "LastModifiedOn")} == \
        {k: v for k, v in dispatched.items() if k not in ("TrackingNumber", "LastModifiedOn")}
    assert "tracking TRK-NEW" in connected.history(first["Guid"])[1][-1]["message"]


def test_every_tracking_number_of_several_consignments_is_kept(connected: UnleashedWorld):
    _, first, _ = two_synced(connected)
    connected.dispatch(first["Guid"], tracking="TRK-A")
    connected.pump()
    tenant = connected.wms.tenant(connected.tenant.tenant_id)
    [one] = tenant.consignments.values()
    another = copy.deepcopy(one)
    another["id"] = str(uuid.uuid4())
    tenant.consignments[another["id"]] = another
    connected.wms.set_consignment_tracking(connected.tenant.tenant_id, another["id"], "TRK-B", carrier="Aramex")
    connected.pump()
    shipment = connected.shipment(first["Guid"])
    assert shipment["TrackingNumber"] == "TRK-A, TRK-B"
    assert shipment["NumberOfPackages"] == 1  # locked after dispatch (Order Management on): packages stay


def test_a_carrier_unleashed_does_not_know_is_left_out_and_said(connected: UnleashedWorld):
    _, first, _ = two_synced(connected)
    connected.dispatch(first["Guid"], tracking="TRK-9", carrier="Pigeon Post")
    connected.pump()
    shipment = connected.shipment(first["Guid"])
    assert shipment["ShipmentStatus"] == "Dispatched" and shipment["ShippingCompany"] is None
    message = connected.history(first["Guid"])[1][-1]["message"]
    assert "no shipping company 'Pigeon Post'" in message and "Settings → Shipping Companies" in message


def test_nothing_is_written_back_when_the_setting_is_off(world: UnleashedWorld):
    world.connect(complete_shipments=False)
    _, first, _ = two_synced(world)
    before = world.shipment(first["Guid"])
    puts = len(world.unleashed.requests_to(r"^/SalesShipments/", method="PUT"))
    world.dispatch(first["Guid"])
    world.pump()
    assert world.shipment(first["Guid"]) == before
    assert len(world.unleashed.requests_to(r"^/SalesShipments/", method="PUT")) == puts
    assert "marking shipments dispatched is off" in world.history(first["Guid"])[1][-1]["message"]


def test_a_wms_rejection_needs_attention_on_the_shipment(connected: UnleashedWorld):
    _, first, _ = two_synced(connected)
    connected.wms.set_outbound_order_status(connected.tenant.tenant_id, connected.link(first["Guid"])["wmsOrderId"],
                                            "REJECTED")
    connected.pump()
    link = connected.link(first["Guid"])
    assert link["status"] == "NEEDS_ATTENTION" and "REJECTED" in link["lastError"]
    assert "resubmit" in link["resolution"]


def test_a_revoked_key_at_dispatch_needs_attention_and_the_retry_writes_it(connected: UnleashedWorld):
    _, first, _ = two_synced(connected)
    key = connected.unleashed.account(API_ID).api_key
    connected.unleashed.configure(API_ID, api_key="rotated-" + key)
    connected.dispatch(first["Guid"])
    connected.pump()
    link = connected.link(first["Guid"])
    assert link["status"] == "NEEDS_ATTENTION" and "Unleashed API Access" in link["resolution"]
    assert connected.shipment(first["Guid"])["ShipmentStatus"] == "Placed"
    connected.unleashed.configure(API_ID, api_key=key)
    retry_from_sync_log(link["pk"])
    connected.pump()
    assert connected.shipment(first["Guid"])["ShipmentStatus"] == "Dispatched"
    assert connected.link(first["Guid"])["status"] == "SYNCED"


def test_a_shipment_deleted_in_unleashed_is_not_written(connected: UnleashedWorld):
    _, first, _ = two_synced(connected)
    connected.unleashed.edit_shipment(API_ID, first["Guid"], status="Deleted")
    connected.dispatch(first["Guid"])
    connected.pump()
    assert connected.shipment(first["Guid"])["ShipmentStatus"] == "Deleted"
    assert "deleted in Unleashed; nothing written" in connected.history(first["Guid"])[1][-1]["message"]


def test_a_dispatch_write_back_keeps_the_shipments_batch_and_serial_numbers(connected: UnleashedWorld):
    """Issue 21: Unleashed returns lines' batch and serial numbers only with ``serialBatch=true``, and a shipment
    PUT is the whole object (a blank field overwrites). Read without the flag and PUT back, they were erased."""
    lots = [{"Number": "LOT-7", "Quantity": 2}]
    serials = [{"Number": "SN-0042"}]
    order = connected.place(TWO_LINES, shipments=[{"lines": [{"line": 1, "quantity": 2, "batchNumbers": lots},
                                                             {"line": 2, "quantity": 1, "serialNumbers": serials}]}])
    connected.pump()
    [shipment] = connected.shipments(order)
    connected.dispatch(shipment["Guid"], tracking="TRK-9", carrier="Aramex")
    connected.pump()
    after = connected.shipment(shipment["Guid"])
    assert after["ShipmentStatus"] == "Dispatched" and after["TrackingNumber"] == "TRK-9"
    assert [(line["BatchNumbers"], line["SerialNumbers"]) for line in after["SalesShipmentLines"]] == \
        [(lots, None), (None, serials)]
    [read, written] = connected.unleashed.requests_sent(rf"^/SalesShipments/{shipment['Guid']}$")
    assert (read["method"], read["query"]) == ("GET", "serialBatch=true")
    assert written["method"] == "PUT" and written["body"]["SalesShipmentLines"][0]["BatchNumbers"] == lots
