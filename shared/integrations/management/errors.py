"""What the management API refuses, by name. Each maps to one HTTP status and says what to do about it.

The door (functions/management_api) turns these into RFC 9457 problem bodies: ``title``, ``detail``, ``errors``
(``[{field, reason}]``) and ``resolution``. They are raised before anything is written.
"""

from __future__ import annotations

from ..core.errors import PermanentError


class ManagementError(PermanentError):
    """Base of the API's refusals: an HTTP ``status``, a ``title``, and optionally the ``field`` at fault."""

    status: int = 400
    title: str = "Bad request"

    def __init__(self, message: str, *, field: str | None = None, resolution: str | None = None) -> None:
        super().__init__(message, resolution=resolution)
        self.field = field


class Unauthenticated(ManagementError):
    """No bearer token, or one that doesn't verify (signature, issuer, audience, expiry, claims)."""

    status = 401
    title = "Authentication required"
    resolution = "Sign in again: send a current bearer token issued for this API."


class Forbidden(ManagementError):
    """The token is valid but its role, tenant or customer may not do this."""

    status = 403
    title = "Not allowed"
    resolution = "Ask the tenant's administrator for access."


class NotFound(ManagementError):
    status = 404
    title = "Not found"
    resolution = "Check the ids in the path."


class InvalidRequest(ManagementError):
    """A field is missing, malformed or names something that doesn't exist (an unknown type, a foreign customer)."""

    status = 400
    title = "Invalid request"
    resolution = "Correct the named field and send the request again."


class Conflict(ManagementError):
    """The request is well formed but the integration's state doesn't allow it (a name taken, a step out of order,
    a deleted integration, a concurrent change)."""

    status = 409
    title = "Conflict"


class StepOutOfOrder(Conflict):
    title = "Step out of order"
    resolution = "Complete the steps in order: name, authentication, orderCreation, fulfilment, then finish."


class IntegrationDeleted(Conflict):
    title = "Integration deleted"
    resolution = "A deleted integration can't be changed; its sync history stays readable. Create a new one."


class NotAvailableYet(ManagementError):
    """The platform's checks or triggers aren't built yet: refused instead of accepted unchecked."""

    status = 422
    title = "Not available yet"


class CheckFailed(ManagementError):
    """A setup step's check could not be made (the platform didn't answer): the person must look, not wait."""

    status = 422
    title = "Could not check"
    resolution = ("Check the address and that the platform is reachable, then save this step again; nothing was "
                  "saved.")


class DependencyFailed(ManagementError):
    """The WMS, a platform or the identity provider could not be reached or refused our own credentials."""

    status = 502
    title = "A service we depend on failed"
    resolution = "Try again in a few minutes; if it persists, check the service's status."


class WrongScope(ManagementError):
    """A tenant-level type created under a customer, or a customer's type created for the tenant itself."""

    status = 422
    title = "Wrong level for this type"
