"""The sandbox's accounts, the signature check and the monthly quota every API call passes, and the answer shapes.

- **Authentication** (UL-DOC "AuthenticationHelp"): ``api-auth-id`` names the account; ``api-auth-signature`` must
  be Base64(HMAC-SHA256(API key, the query string exactly as sent)); anything else is ``403 Forbidden``. A missing
  ``Accept`` header is refused too (UL-DOC Webhooks: "the Accept header is required").
- **Quota** (intercom "Understanding your API usage limits"): each account counts its successful calls per calendar
  month (UTC); once ``callLimit`` is reached every call is refused until the 1st. GUESS: the refusal is
  ``429`` with a ``Description`` and no ``Retry-After``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from ..base import ControlError, Sandbox, SandboxRequest, SandboxResponse
from .model import QUOTA_REACHED, Account, UnleashedError, body_json, new_guid, wire

Handler = Callable[..., SandboxResponse]


class UnleashedState(Sandbox):
    name = "unleashed"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accounts: dict[str, Account] = {}

    def reset(self) -> None:
        with self.transaction():
            super().reset()
            self.accounts.clear()

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
        if code not in account.products:
            account.products[code] = {"Guid": new_guid(), "ProductCode": code, "ProductDescription": code}
        return dict(account.products[code])

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


def signature(query: str, api_key: str) -> str:
    digest = hmac.new(api_key.encode("utf-8"), query.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def envelope(items: list[dict[str, Any]], page: int, size: int, total: int, pages: int) -> dict[str, Any]:
    return {"Pagination": {"NumberOfItems": total, "PageSize": size, "PageNumber": page, "NumberOfPages": pages},
            "Items": items}
