"""Rose Rocket's ``/_control/`` API: acts as the organisation's admin (its OAuth application, rate limit, webhook
behaviour) and as a dispatcher in the UI (customers, orders: create, move through statuses, edit, delete), loads
Rose Rocket's own example records as they are (:mod:`.examples`), and shows what was sent. Never faulted, never
rate limited; dispatcher changes fire the same webhooks the UI's would. Orders are shown as the API shows them
(their status in the dialect's spelling); a status given here may be in either spelling.
"""

from __future__ import annotations

import copy
from typing import Any

from ..base import ControlError, SandboxRequest, SandboxResponse, control_body, pick
from .api import RoseRocketApi
from .examples import connected_paths, is_v1_order, load_record, load_v1_order
from .model import ORDER_PATHS, ORDER_STATUSES, ApiError, unspelled
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
            records = self.records_of(org, DISPATCHER)
            paths = ORDER_PATHS if object_key == "order" else []
            return SandboxResponse.json(200, [self.shown(records.render(r, paths)) for r in org.store.records.values()
                                              if r["objectKey"] == object_key])

    def _control_get_order(self, request: SandboxRequest, org_id: str, order_id: str) -> SandboxResponse:
        with self.transaction():
            org = self.org(org_id)
            records = self.records_of(org, DISPATCHER)
            try:
                return SandboxResponse.json(200, self.shown(records.render(records.get(order_id, "order"),
                                                                           ORDER_PATHS)))
            except ApiError as exc:
                raise ControlError(str(exc), 404) from None

    def _control_add_order(self, request: SandboxRequest, org_id: str) -> SandboxResponse:
        body = control_body(request)
        values = order_json(body, required(body, "customerId"))
        answer = self._write(org_id, lambda r: self.shown(r.render(r.create("order", values), ORDER_PATHS)))
        return SandboxResponse(201, answer.headers, answer.body)

    def _control_order_status(self, request: SandboxRequest, org_id: str, order_id: str) -> SandboxResponse:
        """Move an order (as a dispatcher): fires "Order Status Changed"."""
        status = unspelled(required(control_body(request), "status"), self.spelling)
        if status not in ORDER_STATUSES:
            raise ControlError(f"status must be one of: {', '.join(ORDER_STATUSES)}")
        return self._write(org_id, lambda r: self.shown(r.render(r.update(r.get(order_id, "order"),
                                                                          {"status": status}), ORDER_PATHS)))

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
            return self.shown(records.render(order, ORDER_PATHS))

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

    # --- Rose Rocket's own examples, as they are --------------------------------------------------------------------

    def _control_load_example(self, request: SandboxRequest, org_id: str) -> SandboxResponse:
        """The body is the example, unchanged: a v1 order or a platform-model ``{objectKey, json}`` create body
        (``?customerId=`` replaces a placeholder customer). Answers ``{id, objectKey, fullId, loadedAs, record}``."""
        original = control_body(request)
        v1 = is_v1_order(original)
        if not v1 and not isinstance(original.get("objectKey"), str):
            raise ControlError("an example is a v1 order or a platform-model {objectKey, json} body")

        def load(records: Records) -> dict[str, Any]:
            record = load_v1_order(records, original) if v1 else load_record(records, original,
                                                                              request.param("customerId"))
            records.status_changes.clear()  # a record appearing in a status has not moved: no webhook
            self.org(org_id).examples[record["id"]] = copy.deepcopy(original)
            return {"id": record["id"], "objectKey": record["objectKey"], "fullId": record["fullId"],
                    "loadedAs": "v1 order" if v1 else "platform model", "record": self._example_record(records,
                                                                                                      record)}

        answer = self._write(org_id, load)
        return SandboxResponse(201, answer.headers, answer.body)

    def _control_get_example(self, request: SandboxRequest, org_id: str, record_id: str) -> SandboxResponse:
        """``{original, record}``: the example exactly as it was loaded, and the record as the API shows it now."""
        with self.transaction():
            org = self.org(org_id)
            if record_id not in org.examples:
                raise ControlError(f"no example was loaded as record {record_id}", 404)
            records = self.records_of(org, DISPATCHER)
            found = org.store.records.get(record_id)
            return SandboxResponse.json(200, {"original": copy.deepcopy(org.examples[record_id]),
                                              "record": self._example_record(records, found) if found else None})

    def _example_record(self, records: Records, record: dict[str, Any]) -> dict[str, Any]:
        paths = ORDER_PATHS if record["objectKey"] == "order" else connected_paths(records, record)
        return self.shown(records.render(record, paths))

    # --- what was sent, and webhook retries -----------------------------------------------------------------------

    def _control_request_bodies(self, request: SandboxRequest) -> SandboxResponse:
        """``?path=<regex>&method=``: ``[{method, path, query, status, body}]`` of the vendor requests so far."""
        return SandboxResponse.json(200, self.request_bodies(request.param("path"), request.param("method")))

    def _control_send_retries(self, request: SandboxRequest) -> SandboxResponse:
        """Send every pending webhook retry now (as if its 30 seconds had passed): ``{sent, pending}``."""
        sent = self.send_due_retries(everything=True)
        return SandboxResponse.json(200, {"sent": sent, "pending": len(self.retries)})
