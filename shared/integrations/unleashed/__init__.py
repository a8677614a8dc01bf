"""Unleashed (inventory): Placed sales orders → WMS sale orders, shipments fulfilled on dispatch (help page 001)."""

PLATFORM = "unleashed"
