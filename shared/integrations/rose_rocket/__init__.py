"""Rose Rocket (a TMS): WMS consignments ↔ Rose Rocket orders, customers matched by the WMS customer UUID, service
types, a manual push, rating with the WMS rating engine and invoice statuses (help page 000; docs/rose-rocket.md).

A tenant-level connector: one Rose Rocket organisation serves every customer of the 3PL."""

PLATFORM = "rose_rocket"
UPSTREAM = "Rose Rocket"
