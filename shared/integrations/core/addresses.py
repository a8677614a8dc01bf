"""Host names as they go on the wire: what a store URL, an alert webhook or a mail domain may name."""

from __future__ import annotations

import ipaddress
import re

#: A DNS name in its ASCII (``xn--``) form: dot-separated labels of letters, digits and inner hyphens, 253 at most.
_NAME = re.compile(r"(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")


def wire_host(hostname: str, *, trailing_dot: bool = False) -> str | None:
    """The host as it goes on the wire (an internationalised name in its ``xn--`` form, lower case), or None if it
    is no host (an IPv6 literal comes back bracketed, an IPv4 address as it is). ``trailing_dot``: a fully
    qualified ``shop.example.`` is a host too (a store URL may be written so)."""
    try:
        address = ipaddress.ip_address(hostname)
    except ValueError:
        pass
    else:
        return f"[{address}]" if address.version == 6 else str(address)
    try:
        encoded = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    name = encoded[:-1] if trailing_dot and encoded.endswith(".") and len(encoded) > 1 else encoded
    return encoded if _NAME.fullmatch(name) else None
