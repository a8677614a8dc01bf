"""Transitional: the names the doors (``core/doors.py`` and a connector's webhook door) imported from here before
issue 22 gave this module's contents a name (:mod:`.integration_access`). Delete once the doors import from there."""

from .integration_access import integration, sealed_secret

__all__ = ["integration", "sealed_secret"]
