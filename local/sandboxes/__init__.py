"""Stateful in-memory fakes of the vendor APIs, usable in-process (``responses``) or over HTTP (``serve``)."""

from .base import Delivery, Fault, RecordingSender, Sandbox, SandboxRequest, SandboxResponse
from .transports import install_responses, serve

__all__ = [
    "Delivery",
    "Fault",
    "RecordingSender",
    "Sandbox",
    "SandboxRequest",
    "SandboxResponse",
    "install_responses",
    "serve",
]
