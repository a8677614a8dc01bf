"""Rose Rocket's ``/_control/`` API: acts as the organisation's admin (its OAuth application, rate limit, webhook
behaviour) and as a dispatcher in the UI (customers, orders: create, move through statuses, edit, delete). Never
faulted, never rate limited; dispatcher changes fire the same webhooks the UI's would.
"""

from __future__ import annotations

from typing import Any

from ..base import ControlError, SandboxRequest, SandboxResponse, control_body, pick
from .api import RoseRocketApi
from .model import ORDER_PATHS, ORDER_STATUSES, ApiError
from .records import LINKS, Records

DISPATCHER = "00000000-0000-4000-8000-00000000d15b"


def required(body: dict[str, Any], name: str) -> Any:
    if body.get(name) in (None, ""):
        raise ControlError(f"{name} is required")
    return body[name]


def order_json(body: dict[str, Any], customer_id: str | None) -> dict[str, Any]:
    """A dispatcher's order (``pickup``/``delivery`` addresses, ``commodities``, ``serviceTypeId``, ``refNum``) as
    the platform model writes it: a pickup and a delivery task, each with its stop, sharing the commodities."""
    values: dict[str, Any] = {k: body[k] for k in ("refNum", "poNum", "notes") if k in body}
    if customer_id:
        values["customer"] = {"id": customer_id}
    if body.get("serviceTypeId"):
        values["serviceType"] = {"id": body["serviceTypeId"]}
    if "pickup" in body or "delivery" in body or "commodities" in body:
        commodities = [dict(c) for c in body.get("commodities") or []]
        values["tasks"] = [
            {"taskType": "pickup", "stops": [{"address": dict(body.get("pickup") or {})}],
             "commodities": commodities},
            {"taskType": "delivery", "stops": [{"address": dict(body.get("delivery") or {}),
                                                "specialInstructions": body.get("deliveryInstructions")}],
             "commodities": []},
        ]
    return values


class ControlApi(RoseRocketApi):
    """The control routes' handlers (the routes themselves are listed in :mod:`.sandbox`)."""

    def _control_add_org(self, request: SandboxRequest) -> SandboxResponse:
        body = control_body(request)
        org = self.add_org(pick(body, "id", "orgId"), name=pick(body, "name") or "Demo carrier",
                           client_id=pick(body, "clientId"), client_secret=pick(body, "clientSecret"),
                           service_user=pick(body, "serviceAccountUserId"),
                           rate_limit=int(pick(body, "rateLimitPerMinute") or 600))
        return SandboxResponse.json(201, org.to_json())

    def _control_get_org(self, request: SandboxRequest, org_id: str) -> SandboxResponse:
        with self.transaction():
            return SandboxResponse.json(200, self.org(org_id).to_json())

    def _control_configure_org(self, request: SandboxRequest, org_id: str) -> SandboxResponse:
        """``{rateLimitPerMinute?, retryAfter?, duplicateWebhookPercent?}``."""
        body = control_body(request)
        with self.transaction():
            org = self.org(org_id)
            if "rateLimitPerMinute" in body:
                org.rate_limit = int(body["rateLimitPerMinute"])
            if "retryAfter" in body:
                org.retry_after = int(body["retryAfter"])
            if "duplicateWebhookPercent" in body:
                org.duplicate_percent = float(body["duplicateWebhookPercent"])
            return SandboxResponse.json(200, org.to_json())

    def _control_rotate_secret(self, request: SandboxRequest, org_id: str) -> SandboxResponse:
        org = self.rotate_secret(org_id, pick(control_body(request), "clientSecret"))
        return SandboxResponse.json(200, org.to_json())

    def _control_expire_tokens(self, request: SandboxRequest) -> SandboxResponse:
        self.expire_tokens()
        return SandboxResponse.empty(204)

    # --- the dispatcher ------------------------------------------------------------------------------------------

    def _write(self, org_id: str, do: Any) -> SandboxResponse:
        org = self.org(org_id)
        try:
            with self.writing(org, DISPATCHER) as records:
                return SandboxResponse.json(200, do(records))
        except ApiError as exc:
            raise ControlError(str(exc)) from None

    def _control_add_customer(self, request: SandboxRequest, org_id: str) -> SandboxResponse:
        body = control_body(request)
        values = {"name": required(body, "name"), **({"externalId": body["externalId"]} if "externalId" in body
                                                      else {})}
        answer = self._write(org_id, lambda r: r.render(r.create("customer", values)))
        return SandboxResponse(201, answer.headers, answer.body)

    def _control_list(self, request: SandboxRequest, org_id: str) -> SandboxResponse:
        """``?objectKey=`` (default order): every record of that kind, orders with their tasks, stops, commodities."""
        object_key = request.param("objectKey") or "order"
        with self.transaction():
            org = self.org(org_id)
            records = Records(org.store, self.stamp(), DISPATCHER)
            paths = ORDER_PATHS if object_key == "order" else []
            return SandboxResponse.json(200, [records.render(r, paths) for r in org.store.records.values()
                                              if r["objectKey"] == object_key])

    def _control_get_order(self, request: SandboxRequest, org_id: str, order_id: str) -> SandboxResponse:
        with self.transaction():
            org = self.org(org_id)
            records = Records(org.store, self.stamp(), DISPATCHER)
            try:
                return SandboxResponse.json(200, records.render(records.get(order_id, "order"), ORDER_PATHS))
            except ApiError as exc:
                raise ControlError(str(exc), 404) from None

    def _control_add_order(self, request: SandboxRequest, org_id: str) -> SandboxResponse:
        body = control_body(request)
        values = order_json(body, required(body, "customerId"))
        answer = self._write(org_id, lambda r: r.render(r.create("order", values), ORDER_PATHS))
        return SandboxResponse(201, answer.headers, answer.body)

    def _control_order_status(self, request: SandboxRequest, org_id: str, order_id: str) -> SandboxResponse:
        """Move an order (as a dispatcher): fires "Order Status Changed"."""
        status = required(control_body(request), "status")
        if status not in ORDER_STATUSES:
            raise ControlError(f"status must be one of: {', '.join(ORDER_STATUSES)}")
        return self._write(org_id, lambda r: r.render(r.update(r.get(order_id, "order"), {"status": status}),
                                                      ORDER_PATHS))

    def _control_edit_order(self, request: SandboxRequest, org_id: str, order_id: str) -> SandboxResponse:
        """Edit an order in place: ``refNum``/``poNum``/``notes``, ``serviceTypeId``/``customerId`` (null clears);
        ``delivery``/``pickup`` address fields are merged into the stop's address; ``commodities`` replaces them. No
        webhook (not a status change)."""
        body = control_body(request)

        def edit(records: Records) -> dict[str, Any]:
            order = records.get(order_id, "order")
            changes = {k: body[k] for k in ("refNum", "poNum", "notes") if k in body}
            for name, field in (("serviceTypeId", "serviceType"), ("customerId", "customer")):
                if name in body:
                    changes[field] = {"id": body[name]} if body[name] else None
            records.update(order, changes)
            for task_id in order[LINKS].get("tasks") or []:
                task = records.get(task_id)
                side = "pickup" if task.get("taskType") == "pickup" else "delivery"
                if side in body:
                    for stop_id in task[LINKS].get("stops") or []:
                        address = records.get(records.get(stop_id)[LINKS]["address"])
                        records.update(address, dict(body[side]))
                if side == "pickup" and "commodities" in body:
                    records.update(task, {"commodities": [dict(c) for c in body["commodities"]]})
            if any(k in body for k in ("pickup", "delivery", "commodities")):  # the order changed with its parts
                order["updatedAt"], order["updatedBy"] = records.now, DISPATCHER
                order["version"] += 1
            return records.render(order, ORDER_PATHS)

        return self._write(org_id, edit)

    def _control_delete_order(self, request: SandboxRequest, org_id: str, order_id: str) -> SandboxResponse:
        def delete(records: Records) -> dict[str, Any]:
            order = records.get(order_id, "order")
            shown = records.render(order)
            records.delete(order)
            return shown

        return self._write(org_id, delete)

    # --- records of any kind, quotes and invoices (as the UI would) ------------------------------------------------

    def _control_add_object(self, request: SandboxRequest, org_id: str) -> SandboxResponse:
        """``{objectKey, json}``: any record, as a user creates it in the UI (a service type, a manifest…)."""
        body = control_body(request)
        object_key, values = required(body, "objectKey"), body.get("json") or {}
        answer = self._write(org_id, lambda r: r.render(r.create(object_key, values)))
        return SandboxResponse(201, answer.headers, answer.body)

    def _control_add_line_item(self, request: SandboxRequest, org_id: str, order_id: str) -> SandboxResponse:
        """A dispatcher adds a line to the order's sell quote by hand (``{type, description, rate, quantity,
        currency?}``), making the sell quote if the order has none."""
        body = control_body(request)
        line = {k: body[k] for k in ("type", "description", "rate", "quantity", "currency") if k in body}

        def add(records: Records) -> dict[str, Any]:
            order = records.get(order_id, "order")
            quote_id = order[LINKS].get("sellQuote")
            if quote_id:
                quote = records.get(quote_id)
                records.update(quote, {"lineItems": [{"id": i} for i in quote[LINKS].get("lineItems") or []]
                                       + [line]})
            else:
                records.update(order, {"sellQuote": {"quoteType": "sell", "lineItems": [line]}})
            return records.render(order, ["sellQuote", "sellQuote.lineItems"])

        return self._write(org_id, add)

    def _control_edit_invoice(self, request: SandboxRequest, org_id: str, invoice_id: str) -> SandboxResponse:
        """A user changes an invoice (``{status?, voided?, notes?}``), as Rose Rocket lets them whatever its origin."""
        body = control_body(request)
        changes = {k: body[k] for k in ("status", "voided", "notes") if k in body}
        return self._write(org_id, lambda r: r.render(r.update(r.get(invoice_id, "invoice"), changes),
                                                      ["lineItems"]))
