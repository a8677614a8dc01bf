"""Transitional: the names ``webhooks.py`` imported from here before issue 22 split this module into :mod:`.refs`,
:mod:`.settings` and :mod:`.clients`. Delete once the door imports from those."""

from .refs import order_ref, order_work_item
from .settings import signing_key

__all__ = ["order_ref", "order_work_item", "signing_key"]
