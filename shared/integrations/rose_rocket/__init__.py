"""Rose Rocket (TMS): WMS consignments ↔ Rose Rocket orders, rating and invoice status (help page 000)."""

PLATFORM = "rose_rocket"
