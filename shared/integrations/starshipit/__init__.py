"""Starshipit (shipping): WMS sale orders create Starshipit orders at a chosen status; tracking comes back."""

PLATFORM = "starshipit"
