"""Alerts: nobody has to watch a page to learn that an integration stopped working (docs/alerts.md)."""
