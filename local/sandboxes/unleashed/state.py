"""The sandbox's accounts, the signature check and the monthly quota every API call passes, and the answer shapes.

- **Authentication** (UL-DOC "AuthenticationHelp"): ``api-auth-id`` names the account; ``api-auth-signature`` must
  be Base64(HMAC-SHA256(API key, the query string exactly as sent)); anything else is ``403 Forbidden``. A missing
  ``Accept`` header is refused too (UL-DOC Webhooks: "the Accept header is required").
- **Quota** (intercom "Understanding your API usage limits"): each account counts its successful calls per calendar
  month (UTC); once ``callLimit`` is reached every call is refused until the 1st. GUESS: the refusal is
  ``429`` with a ``Description`` and no ``Retry-After``.
- **Dialects** (local/sandboxes/dialects.py; the connector's assumptions of the same names): where Unleashed's
  behaviour is unknown the sandbox answers either way — ``subscription-api`` (``present`` | ``absent``: the
  subscription paths answer as an unknown path does), ``serial-batch`` (``only-with-serialbatch``: shipment lines
  carry their ``BatchNumbers``/``SerialNumbers`` only when asked with ``serialBatch=true``, null otherwise, as the
  SalesShipments page documents | ``always``).
- **What we sent**: every vendor request is kept with its query and body (``requests_sent()``;
  ``GET /_control/requests?bodies=1``), so a test sees exactly what the connector sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from ..base import ControlError, Sandbox, SandboxRequest, SandboxResponse
from .model import QUOTA_REACHED, Account, UnleashedError, body_json, new_guid, wire

Handler = Callable[..., SandboxResponse]


class UnleashedState(Sandbox):
    name = "unleashed"
    #: The open questions (the connector's assumptions of these names), our answer first.
    DIALECTS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "subscription-api": ("present", "absent"),
        "serial-batch": ("only-with-serialbatch", "always"),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accounts: dict[str, Account] = {}
        self._sent: list[dict[str, Any]] = []

    def reset(self) -> None:
        with self.transaction():
            super().reset()
            self.accounts.clear()
            self._sent.clear()

    # --- what was sent --------------------------------------------------------------------------------------------

    def handle(self, request: SandboxRequest) -> SandboxResponse:
        response = super().handle(request)
        if not request.path.startswith("/_control/"):
            with self._lock:
                self._sent.append({"method": request.method, "path": request.path, "query": request.raw_query,
                                   "status": response.status, "body": _body_of(request.body)})
        return response

    def requests_sent(self, path_pattern: str = r".*", method: str | None = None) -> list[dict[str, Any]]:
        """Every vendor request so far with its query string and body (JSON parsed; text otherwise)."""
        import re

        with self._lock:
            return [dict(entry) for entry in self._sent if re.search(path_pattern, entry["path"])
                    and (method is None or entry["method"] == method.upper())]

    def _control_requests(self, request: SandboxRequest) -> SandboxResponse:
        if (request.param("bodies") or "").lower() not in ("1", "true"):
            return super()._control_requests(request)
        return SandboxResponse.json(200, self.requests_sent())

    # --- answers ------------------------------------------------------------------------------------------------

    def answer(self, status: int, obj: Any) -> SandboxResponse:
        return SandboxResponse(status=status, headers={"Content-Type": "application/json; charset=utf-8"},
                               body=body_json(obj))

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> SandboxResponse:
        # GUESS beyond Description (platform-apis-followup.md Q5).
        response = self.answer(status, {"Description": message, "DebugInformation": None})
        response.headers.update(headers or {})
        return response

    def stamp(self) -> str:
        return wire(self.now()) or ""

    def month(self) -> str:
        return self.now().strftime("%Y-%m")

    # --- the API's gate -----------------------------------------------------------------------------------------

    def api(self, handler: Handler) -> Handler:
        """Wrap a vendor route: authenticate, apply the quota, count the call if it succeeds, map errors."""
        def gated(request: SandboxRequest, **params: str) -> SandboxResponse:
            try:
                with self.transaction():
                    account = self.authenticate(request)
                    if account.call_limit is not None and account.usage.get(self.month(), 0) >= account.call_limit:
                        return self.error(429, QUOTA_REACHED)
                    response = handler(request, account, **params)
                    if 200 <= response.status < 300:
                        account.usage[self.month()] = account.usage.get(self.month(), 0) + 1
                    return response
            except UnleashedError as exc:
                return self.error(exc.status, exc.description)

        return gated

    def authenticate(self, request: SandboxRequest) -> Account:
        account = self.accounts.get(request.header("api-auth-id") or "")
        given = (request.header("api-auth-signature") or "").strip()
        if account is None or not given:
            raise UnleashedError(403, "Forbidden")
        expected = signature(request.raw_query, account.api_key)
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise UnleashedError(403, "Forbidden")
        if "json" not in (request.header("Accept") or "") and "xml" not in (request.header("Accept") or ""):
            raise UnleashedError(406, "The Accept header must be application/json or application/xml")
        return account

    # --- the account's reference data ---------------------------------------------------------------------------

    def account(self, api_id: str) -> Account:
        found = self.accounts.get(api_id)
        if found is None:
            raise ControlError(f"unknown account {api_id}", 404)
        return found

    def warehouse(self, account: Account, code: str | None) -> dict[str, Any]:
        code = code or next(iter(account.warehouses), "MAIN")
        if code not in account.warehouses:
            account.warehouses[code] = {"WarehouseCode": code, "WarehouseName": f"{code.title()} Warehouse",
                                        "IsDefault": not account.warehouses, "Obsolete": False, "Guid": new_guid(),
                                        "LastModifiedOn": self.stamp()}
        return dict(account.warehouses[code])

    def product(self, account: Account, code: str) -> dict[str, Any]:
        """The product as an order line names it (``Guid``, ``ProductCode``, ``ProductDescription``)."""
        if code not in account.products:
            self.add_product(account, {"ProductCode": code, "ProductDescription": code})
        return {name: account.products[code][name] for name in ("Guid", "ProductCode", "ProductDescription")}

    def add_product(self, account: Account, given: Mapping[str, Any]) -> dict[str, Any]:
        """A product record as ``GET /Products`` serves it: what is given is kept as given; the flags the
        connector reads default as Unleashed's do (``NeverDiminishing``: a service, not stock — false)."""
        code = str(given.get("ProductCode") or "").strip()
        if not code:
            raise ControlError("a product needs a ProductCode")
        record = {"Guid": new_guid(), "ProductDescription": code, "NeverDiminishing": False, "Obsolete": False,
                  "IsSellable": True, "LastModifiedOn": self.stamp(), **dict(given), "ProductCode": code}
        record["Guid"] = str(record["Guid"]).lower()
        account.products[code] = record
        return dict(record)

    def customer(self, account: Account, code: str, name: str | None = None) -> dict[str, Any]:
        if code not in account.customers:
            account.customers[code] = {"CustomerCode": code, "CustomerName": name or code, "CurrencyId": 110,
                                       "Guid": new_guid(), "LastModifiedOn": self.stamp()}
        return dict(account.customers[code])

    def shipping_company(self, account: Account, given: Any) -> dict[str, Any] | None:
        """The account's shipping company a shipment names (by Guid, else by name, ignoring case)."""
        if given in (None, {}):
            return None
        if not isinstance(given, dict):
            raise UnleashedError(400, "ShippingCompany must be an object with a Guid or a Name")
        for company in account.shipping_companies:
            if given.get("Guid") and given["Guid"] == company["Guid"]:
                return dict(company)
            if str(given.get("Name") or "").strip().casefold() == company["Name"].casefold():
                return dict(company)
        raise UnleashedError(400, f"ShippingCompany '{given.get('Name') or given.get('Guid')}' does not exist. Add it "
                                  "under Settings > Shipping Companies.")

    def add_shipping_company(self, account: Account, name: str) -> dict[str, Any]:
        company = {"Guid": new_guid(), "Name": name}
        account.shipping_companies.append(company)
        return company


def _body_of(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return raw.decode("utf-8", "replace")


def signature(query: str, api_key: str) -> str:
    digest = hmac.new(api_key.encode("utf-8"), query.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def envelope(items: list[dict[str, Any]], page: int, size: int, total: int, pages: int) -> dict[str, Any]:
    return {"Pagination": {"NumberOfItems": total, "PageSize": size, "PageNumber": page, "NumberOfPages": pages},
            "Items": items}
