"""Labels and tracking: ``POST /api/orders/shipment`` (print: the shipment, its tracking numbers, a real PDF label;
``reprint``: the label made before, no new shipment), the tracking webhooks Starshipit sends on tracking updates
(signed in ``X-Starshipit-Signature`` when the account has a secret), and what the control API does as the courier
and the warehouse (ship an order, move its tracking status)."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from ..base import ControlError, SandboxRequest, SandboxResponse
from .model import (
    COURIERS,
    PRINTED,
    SHIPPED,
    SIGNATURE_HEADER,
    TRACKING_STATUSES,
    UNSHIPPED,
    ApiError,
    body_object,
    number,
    packages_of,
    signature,
    stamp,
    status_of,
)
from .orders import OrdersApi
from .pdf import label_pdf
from .state import Account


class ShipmentsApi(OrdersApi):
    """``/api/orders/shipment``, tracking webhooks, and the courier's side of an order."""

    def _shipment(self, request: SandboxRequest, account: Account) -> SandboxResponse:
        body = body_object(request)
        order_id, order_number = body.get("order_id"), body.get("order_number")
        if order_id is None and order_number is None:
            raise ApiError(400, "An order_id or order_number is required.", "order_id")
        order = self._find(account, {"order_id": None if order_id is None else str(order_id),
                                     "order_number": None if order_number is None else str(order_number)},
                           lookup=False)
        if body.get("reprint"):
            labels = account.labels.get(order["order_id"])
            if not labels:
                raise ApiError(400, "The order has not been printed yet.", "reprint")
        else:
            if status_of(order) != UNSHIPPED:
                # GUESS: printing an order twice is refused; the label made before comes back with reprint.
                raise ApiError(400, "The order has already been printed.", "Set reprint to true to get its labels "
                                                                           "again.")
            if self.speaks("print-label-carrier", "required"):
                # The dialect in which printing needs the carrier fields a public client always sends.
                missing = [f for f in ("carrier", "carrier_service_code") if body.get(f) in (None, "")]
                if missing:
                    raise ApiError(400, f"The {missing[0]} field is required.", missing[0])
            carrier = body.get("carrier") or order.get("carrier")
            if carrier not in account.couriers:
                raise ApiError(400, f"The carrier {carrier!r} is not set up on this account.", "carrier")
            service = body.get("carrier_service_code")
            if service not in (None, "") and service not in COURIERS[carrier]["services"]:
                raise ApiError(400, f"The service code {service!r} is not a {carrier} service.",
                               "carrier_service_code")
            self._take_packages(order, body.get("packages"))
            self.print_order(account, order, carrier=carrier, service=service)
            labels = account.labels[order["order_id"]]
        return SandboxResponse.json(200, {
            "order_id": order["order_id"], "order_number": order.get("order_number"),
            "carrier_name": order.get("carrier_name"),
            "tracking_numbers": [p["tracking_number"] for p in packages_of(order) if p.get("tracking_number")],
            "labels": list(labels), "label_types": ["PDF"] * len(labels), "success": True, "errors": []})

    @staticmethod
    def _take_packages(order: dict[str, Any], given: Any) -> None:
        """Packages sent with the print replace the order's (their weights and sizes; each keeps its id)."""
        if not isinstance(given, list) or not given:
            return
        for index, package in enumerate(given):
            if not isinstance(package, dict) or any(package.get(k) is not None and (
                    number(package[k]) is None or number(package[k]) < 0) for k in ("weight", "height", "width",
                                                                                     "length")):
                raise ApiError(400, f"The package {index + 1} is not valid.", f"packages[{index}]")
        current = packages_of(order)
        order["packages"] = [{**(current[i] if i < len(current) else {}),
                              **{k: v for k, v in p.items() if k != "package_id"}} for i, p in enumerate(given)]

    # --- the courier's side (Python API; the control API calls these) ---------------------------------------------

    def print_order(self, account: Account, order: dict[str, Any], *, carrier: str | None = None,
                    service: str | None = None, tracking_number: str | None = None) -> None:
        """Create the shipment: a tracking number per package, one PDF label, status Printed; notify "Printed"."""
        carrier = carrier or order.get("carrier") or account.default_carrier
        courier = COURIERS[carrier]
        service = service or order.get("carrier_service_code") or next(iter(courier["services"]))
        now = self._now()
        if not packages_of(order):
            order["packages"] = [{"package_id": next(self._package_ids), "weight": 0.5}]  # Starshipit's default
        for index, package in enumerate(packages_of(order)):
            if tracking_number:
                number = tracking_number if index == 0 else f"{tracking_number}-{index + 1}"
            else:
                number = f"{courier['prefix']}{next(self._tracking_numbers):018d}"
            package.update({"tracking_number": number, "tracking_url": courier["track"].format(number=number),
                            "carrier_service_code": service,
                            "carrier_service_name": courier["services"].get(service, service),
                            "delivery_status": "Printed", "label_created_date": stamp(now)})
        order.update({"carrier": carrier, "carrier_name": courier["name"], "carrier_service_code": service,
                      "status": PRINTED})
        account.labels[order["order_id"]] = [base64.b64encode(self._label(order)).decode("ascii")]
        account.shipments += 1
        account.updated[order["order_id"]] = now
        self._notify(account, order, "Printed")

    @staticmethod
    def _label(order: dict[str, Any]) -> bytes:
        destination = order.get("destination") or {}
        lines = [f"Order {order.get('order_number')}", f"Reference {order.get('reference') or '-'}",
                 f"{order.get('carrier_name')} {order.get('carrier_service_code') or ''}".strip(), "",
                 "Deliver to:", destination.get("name", ""),
                 *(destination[k] for k in ("company", "building", "street") if destination.get(k)),
                 " ".join(str(destination[k]) for k in ("suburb", "state", "post_code") if destination.get(k)),
                 destination.get("country", ""), ""]
        lines += [f"Parcel {i + 1} of {len(packages_of(order))}: {p.get('tracking_number')}"
                  for i, p in enumerate(packages_of(order))]
        return label_pdf("Starshipit sandbox label", lines)

    def ship_order(self, account_id: str, order_id: int, *, tracking_number: str | None = None,
                   carrier: str | None = None, service: str | None = None) -> dict[str, Any]:
        """What the warehouse does in Starshipit: print (if not yet) and ship; notifies "Dispatched"."""
        with self.transaction():
            account = self.account(account_id)
            order = account.orders.get(int(order_id))
            if order is None:
                raise ControlError(f"unknown order {order_id}", 404)
            if carrier is not None and carrier not in account.couriers:
                raise ControlError(f"carrier {carrier!r} is not set up on this account")
            if status_of(order) == UNSHIPPED:
                self.print_order(account, order, carrier=carrier, service=service, tracking_number=tracking_number)
            order["status"], order["manifested"] = SHIPPED, True
            for package in packages_of(order):
                package["delivery_status"] = "Dispatched"
            account.updated[order["order_id"]] = self._now()
            self._notify(account, order, "Dispatched")
            return copy.deepcopy(order)

    def move_tracking(self, account_id: str, order_id: int, status: str) -> dict[str, Any]:
        """The courier's tracking update (InTransit, Delivered …): notifies with that status."""
        if status not in TRACKING_STATUSES:
            raise ControlError(f"status must be one of {', '.join(TRACKING_STATUSES)}")
        with self.transaction():
            account = self.account(account_id)
            order = account.orders.get(int(order_id))
            if order is None:
                raise ControlError(f"unknown order {order_id}", 404)
            if status_of(order) == UNSHIPPED:
                raise ControlError("the order has no shipment yet: ship it first")
            for package in packages_of(order):
                package["delivery_status"] = status
            account.updated[order["order_id"]] = self._now()
            self._notify(account, order, status)
            return copy.deepcopy(order)

    # --- tracking webhooks -----------------------------------------------------------------------------------------

    def _notify(self, account: Account, order: dict[str, Any], status: str) -> None:
        """The tracking webhook (developers.starshipit.com/webhooks; ``order_reference`` as a live delivery shows)."""
        first = packages_of(order)[0] if packages_of(order) else {}
        body = json.dumps({
            "order_number": order.get("order_number"), "order_reference": order.get("reference"),
            "carrier_name": order.get("carrier_name"), "carrier_service": order.get("carrier_service_code"),
            "shipment_date": first.get("label_created_date"), "tracking_number": first.get("tracking_number"),
            "tracking_status": status, "last_updated_date": stamp(self._now())}).encode("utf-8")
        self.notify(account, body)

    def notify(self, account: Account, body: bytes) -> Any:
        """Send ``body`` (bytes, unchanged) to the account's notification URL as Starshipit does: signed in
        ``X-Starshipit-Signature`` when the account has a secret (hex, or base64 in that dialect). None when the
        account has no URL."""
        if not account.webhook_url:
            return None
        headers = {"Content-Type": "application/json", "User-Agent": "Starshipit-Webhooks/1.0"}
        if account.webhook_secret:
            headers[SIGNATURE_HEADER] = self.signature(account.webhook_secret, body)
        return self.queue_webhook(account.webhook_url, headers, body)

    def signature(self, secret: str, body: bytes) -> str:
        """How this sandbox signs a delivery (the ``webhook-signature`` dialect)."""
        return signature(secret, body, "base64" if self.speaks("webhook-signature", "base64") else "hex")
