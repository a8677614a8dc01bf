"""Transitional: the names ``door.py`` imported from here before issue 22 split this module into :mod:`.refs` and
:mod:`.settings`. Delete once the door imports from those."""

from .refs import order_ref, order_version, order_work_item
from .settings import webhook_secret

__all__ = ["order_ref", "order_version", "order_work_item", "webhook_secret"]
