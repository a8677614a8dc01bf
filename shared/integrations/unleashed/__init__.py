"""Unleashed (inventory): Placed sales orders' Sales Shipments → WMS sale orders, shipments dispatched back with
tracking (help page 001; docs/unleashed.md)."""

PLATFORM = "unleashed"
