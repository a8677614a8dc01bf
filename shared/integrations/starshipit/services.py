"""Transitional: the names ``webhooks.py`` imported from here before issue 22 split this module into :mod:`.refs`,
:mod:`.settings` and :mod:`.clients`. Delete once the door imports from those."""

from .refs import number_ref, tracking_item, wms_order_ref
from .settings import webhook_secret

__all__ = ["number_ref", "tracking_item", "webhook_secret", "wms_order_ref"]
