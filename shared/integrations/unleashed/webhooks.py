"""Unleashed webhooks: keeping our subscription on the account (receiving deliveries is :mod:`.door`).

One subscription per integration for ``salesorder.created`` and ``salesorder.updated`` at our URL for the
integration. Unleashed allows **5 per account**; when none is free, finishing still succeeds, says so, and the
integration runs on the poll alone. The signing key is returned once, at creation: it is sealed in
``platformState.webhookSigningKey``; a subscription of ours whose key we don't hold is replaced.

The subscription API's path and shapes are our guess (assumption ``subscription-api``: no public source shows
them). So any answer other than the expected one — an unknown path (404), a refused method, a body we can't read,
Unleashed unreachable — never fails finishing or the poll: the integration runs on polling alone and says why, in
words a person can act on (:class:`Registration` ``note`` and ``resolution``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import UpstreamError, UpstreamRejected
from .client import UnleashedClient
from .errors import SUBSCRIPTION_LIMIT
from .models import ORDER_EVENTS, WebhookSubscription

MAX_SUBSCRIPTIONS = 5


#: Why an integration runs on polling alone (``platformState.webhookReason``).
SLOTS_TAKEN, API_ABSENT, API_UNREACHABLE, NO_KEY = "slots-taken", "api-absent", "api-unreachable", "no-signing-key"
FREE_A_SLOT = "Delete an unused webhook subscription in Unleashed, then save any step of the integration."
ASK_SUPPORT = ("Nothing is needed for orders to sync. To have them within seconds, run the integration's connection "
               "check and send what it says about webhook subscriptions to support.")
TRY_LATER = "Save any step of the integration later: it subscribes again."


@dataclass(frozen=True)
class Registration:
    #: ``active``, or ``unavailable`` (polling alone: ``reason`` says why, ``note`` and ``resolution`` in words).
    status: str
    subscription_id: str | None = None
    signing_key: str | None = None
    note: str | None = None
    resolution: str | None = None
    reason: str | None = None


def without_api(exc: Exception) -> Registration:
    """Polling alone, because the subscription API did not answer as we expect (or not at all, just now)."""
    if isinstance(exc, UpstreamError) and exc.retryable:
        return Registration("unavailable", reason=API_UNREACHABLE, resolution=TRY_LATER, note=(
            f"Unleashed's webhook subscription API could not be reached just now ({exc}), so this integration runs "
            "on polling alone for now (new orders arrive within about 5 minutes)."))
    what = str(exc) if isinstance(exc, UpstreamError) else "its answer was not a list of subscriptions"
    return Registration("unavailable", reason=API_ABSENT, resolution=ASK_SUPPORT, note=(
        f"Unleashed's webhook subscription API did not answer as this integration expects ({what}), so this "
        "integration runs on polling alone (new orders arrive within about 5 minutes)."))


def same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def ensure_subscription(client: UnleashedClient, *, url: str, known_id: str | None, known_key: str | None,
                        integration_id: str) -> Registration:
    """Keep our subscription (the one whose key we hold) or make it; remove any other of ours. Idempotent; never
    raises for what the subscription API answers (polling alone, said why, instead)."""
    try:
        existing = client.subscriptions()
    except (UpstreamError, ValueError) as exc:  # ValueError: not JSON, or not our shape
        return without_api(exc)
    ours = [hook for hook in existing if same_url(hook.notificationUrl, url)]
    keep = next((hook for hook in ours if known_key and hook.subscriptionId == known_id and hook.isActive
                 and set(ORDER_EVENTS) <= set(hook.eventTypes)), None)
    for other in ours:
        if other is not keep:
            _unsubscribe(client, other.subscriptionId)
    if keep is not None:
        return Registration("active", keep.subscriptionId, known_key)
    try:
        made = client.subscribe(url=url, events=ORDER_EVENTS,
                                description=f"CartonCloud self-managed integration {integration_id[:8]}")
    except UpstreamRejected as exc:
        if SUBSCRIPTION_LIMIT not in str(exc).casefold():
            return without_api(exc)
        others = len(existing) - len(ours)
        return Registration("unavailable", reason=SLOTS_TAKEN, resolution=FREE_A_SLOT, note=(
            f"Unleashed allows {MAX_SUBSCRIPTIONS} webhook subscriptions per account and {others} are taken by other "
            "apps, so this integration runs on polling alone (new orders arrive within about 5 minutes). To get them "
            "within seconds, delete an unused subscription in Unleashed, then save any step of this integration."))
    except (UpstreamError, ValueError) as exc:  # ValueError: not JSON, or not our shape
        return without_api(exc)
    if not made.signatureKey:
        _unsubscribe(client, made.subscriptionId)
        return Registration("unavailable", reason=NO_KEY, resolution=ASK_SUPPORT, note=(
            "Unleashed created the webhook subscription without a signing key, so its deliveries could not be "
            "verified; it was removed and the integration runs on polling alone (new orders arrive within about 5 "
            "minutes)."))
    return Registration("active", made.subscriptionId, made.signatureKey)


def _unsubscribe(client: UnleashedClient, subscription_id: str) -> None:
    """Best effort: a duplicate we can't remove only costs a second delivery, which is worked once."""
    try:
        client.unsubscribe(subscription_id)
    except UpstreamError as exc:
        if exc.retryable:
            raise


def remove_subscriptions(client: UnleashedClient, *, url: str) -> list[str]:
    """Delete every subscription of ours (tolerates ones already gone, and a subscription API that answers
    otherwise than we expect: then there is nothing of ours to remove)."""
    try:
        existing = client.subscriptions()
    except ValueError:  # not JSON, or not our shape: nothing we made can be there
        return []
    except UpstreamError as exc:
        if exc.retryable:
            raise
        return []
    removed = []
    for hook in existing:
        if same_url(hook.notificationUrl, url) and client.unsubscribe(hook.subscriptionId):
            removed.append(hook.subscriptionId)
    return removed


#: How the hourly check's hint (not a problem: an opportunity) begins, so an alert can tell it from a problem.
FREE_SLOT = "A webhook subscription slot is free"


def subscription_health(client: UnleashedClient, *, url: str, known_id: str | None, reason: str | None = None
                        ) -> str | None:
    """What the safety net should say about our subscription, if anything (None: all is well, or nothing new)."""
    if reason == API_ABSENT:
        return None  # said when finishing, and shown with the integration; asking again hourly only costs calls
    try:
        existing = client.subscriptions()
    except (UpstreamError, ValueError) as exc:  # ValueError: not JSON, or not our shape
        if isinstance(exc, UpstreamError) and exc.retryable:
            return None  # a passing outage: the next hourly check asks again
        return (f"Unleashed's webhook subscription API no longer answers as this integration expects ({exc}); orders "
                "arrive by the poll alone (within about 5 minutes). Save any step of the integration to subscribe "
                "again, or run its connection check and send what it says to support.")
    ours: WebhookSubscription | None = next((hook for hook in existing if hook.subscriptionId == known_id), None)
    if known_id and ours is None:
        return ("The integration's webhook subscription is gone from Unleashed (removed by hand?); orders arrive by "
                "the poll alone. Save any step of the integration to subscribe again.")
    if ours is not None and not ours.isActive:
        return ("Unleashed shows the integration's webhook subscription as inactive; orders arrive by the poll "
                "alone. Save any step of the integration to subscribe again.")
    if not known_id and len(existing) < MAX_SUBSCRIPTIONS:
        return (f"{FREE_SLOT} on the Unleashed account now: save any step of the integration "
                "to use it (orders would arrive within seconds instead of minutes).")
    return None
