"""Named failures. Each says what happened, whether a retry can help, and what a person should do.

The type is the one source of truth for retrying: a ``RetryableError`` is retried with backoff and finally
dead-lettered; a ``PermanentError`` is not retried — the worker records it on the record's link
(``NEEDS_ATTENTION``, with its resolution) and keeps the work item for a retry after the fix.
``IntegrationError.retryable`` only reads the type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class IntegrationError(Exception):
    """Base of every failure the service names."""

    #: What a person should do about it; shown in the sync log beside the error.
    resolution: str = "Contact support with the sync log of this record."
    #: How an HTTP door answers it (management.http.problem_for): the status, the problem's title and the field at
    #: fault, declared by the type. None: the kind of failure decides (an upstream's 502/503, a retryable 503, else
    #: 409 "Not possible now").
    http_status: int | None = None
    http_title: str = "Not possible now"
    http_field: str | None = None
    #: Headers the answer carries (``WWW-Authenticate`` on a 401).
    http_headers: dict[str, str] | None = None

    def __init__(self, message: str, *, resolution: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if resolution is not None:
            self.resolution = resolution

    def __str__(self) -> str:
        return self.message

    def problem_detail(self) -> str:
        """The problem's ``detail``: what happened, in words."""
        return str(self)

    def problem_errors(self) -> list[dict[str, str]]:
        """The problem's ``errors``: the field at fault and why (a type naming several fields says so itself)."""
        named = self.http_field or getattr(self, "field", None)
        return [{"field": named, "reason": str(self)}] if named else []

    @property
    def retryable(self) -> bool:
        return isinstance(self, RetryableError)


class RetryableError(IntegrationError):
    """A failure that may go away by itself: the item is retried with backoff."""

    resolution = "No action needed: the service retries automatically."

    def __init__(self, message: str, *, retry_after: float | None = None, resolution: str | None = None) -> None:
        super().__init__(message, resolution=resolution)
        #: Seconds the upstream asked us to wait, if it said.
        self.retry_after = retry_after


class PermanentError(IntegrationError):
    """A failure retrying cannot fix: a person must change something first."""


# --- Upstream (platform API) failures -------------------------------------------------------------------------


class UpstreamError(IntegrationError):
    """A platform API call failed. ``upstream`` names the platform; ``status`` the HTTP status, if any."""

    def __init__(
        self,
        message: str,
        *,
        upstream: str,
        status: int | None = None,
        resolution: str | None = None,
    ) -> None:
        super().__init__(message, resolution=resolution)
        self.upstream = upstream
        self.status = status


class UpstreamUnavailable(UpstreamError, RetryableError):
    """5xx, timeout or connection failure after the client's own retries."""

    def __init__(self, message: str, *, upstream: str, status: int | None = None, retry_after: float | None = None):
        UpstreamError.__init__(
            self,
            message,
            upstream=upstream,
            status=status,
            resolution=f"No action needed: {upstream} is unavailable and the service retries automatically.",
        )
        self.retry_after = retry_after


class UpstreamRateLimited(UpstreamError, RetryableError):
    """429 after the client's own retries, or our own rate budget for that account is spent."""

    def __init__(self, message: str, *, upstream: str, retry_after: float | None = None, status: int | None = 429):
        UpstreamError.__init__(
            self,
            message,
            upstream=upstream,
            status=status,
            resolution=f"No action needed: {upstream} asked us to slow down; the item is retried later.",
        )
        self.retry_after = retry_after


class UpstreamAuthFailed(UpstreamError, PermanentError):
    """401/403: the stored credentials are wrong, revoked or lack a permission."""

    def __init__(self, message: str, *, upstream: str, status: int | None = None, resolution: str | None = None):
        UpstreamError.__init__(
            self,
            message,
            upstream=upstream,
            status=status,
            resolution=resolution
            or f"Check the {upstream} API credentials in the integration settings, then retry from the sync log.",
        )


class UpstreamRejected(UpstreamError, PermanentError):
    """A 4xx other than 401/403/404/429: the platform refused what we sent."""

    def __init__(
        self,
        message: str,
        *,
        upstream: str,
        status: int | None = None,
        errors: list[dict[str, object]] | None = None,
        resolution: str | None = None,
    ) -> None:
        UpstreamError.__init__(self, message, upstream=upstream, status=status, resolution=resolution)
        #: The platform's own error entries, as it sent them (never containing our credentials).
        self.errors = errors or []


class UpstreamNotFound(UpstreamError, PermanentError):
    """404 on a record we were told exists."""


class UpstreamAddressInvalid(UpstreamError, PermanentError):
    """The address we were given for the platform can't be called at all (no host, spaces, an unknown scheme)."""

    def __init__(self, message: str, *, upstream: str) -> None:
        UpstreamError.__init__(self, message, upstream=upstream, resolution=(
            f"Check the {upstream} address in the integration's authentication step: the web address of the "
            "account or store, e.g. https://shop.example.com."))


# --- Our own boundaries ---------------------------------------------------------------------------------------


class SignatureInvalid(PermanentError):
    """A webhook or notification whose signature, timestamp or secret does not check out."""

    resolution = "Check the signing secret configured at the sender matches the one issued by this service."


class ConfigurationError(PermanentError):
    """A tenant or integration is missing a setting this work needs."""

    http_status = 409
    http_title = "Configuration incomplete"


class TenantNotFound(ConfigurationError):
    """The tenant named by a request or work item does not exist."""

    http_status = 404
    http_title = "Tenant not registered"
    http_field = "tenantId"


class RateBudgetExhausted(RetryableError):
    """Our own per-account budget for an upstream is spent for now. **Waiting, not failing**: the worker defers the
    item until the budget has room (core.waiting) without counting an attempt, logging a retry or ever dead-lettering
    it."""

    resolution = "Nothing to do: it goes ahead as soon as the budget has room."

    def __init__(self, message: str, *, retry_after: float | None = None, budget_key: str = "",
                 slot_seconds: float = 1.0, round_: int | None = None, position: int | None = None) -> None:
        super().__init__(message, retry_after=retry_after)
        #: Which budget is spent (one waiting line per budget), and how long one unit of it lasts on average.
        self.budget_key = budget_key
        self.slot_seconds = slot_seconds
        #: A budget that takes turns (core.waiting): the round the item holds, and about how many go before it;
        #: ``join`` (set when it holds none) reserves its group's next round and returns its ``core.waiting.Place``.
        self.round = round_
        self.position = position
        self.join: Callable[[], Any] | None = None
