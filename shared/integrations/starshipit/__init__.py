"""Starshipit (shipping): WMS sale orders create Starshipit orders at a chosen status; tracking and labels come back.

The first connector that starts from the WMS: its main flow is the frame's exporter (docs/starshipit.md).
"""

PLATFORM = "starshipit"
#: How errors and the sync log name the platform.
UPSTREAM = "Starshipit"
