import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Statement } from "../api/types";
import { fakeApi, json, renderWith, SHOP, TENANT } from "../test/harness";
import { isoWeek, shiftWeek } from "../ui/format";
import { Billing } from "./Billing";

afterEach(() => vi.unstubAllGlobals());

const thisWeek = isoWeek();
const lastWeek = shiftWeek(thisWeek, -1);
const path = (week: string) => `GET /tenants/${TENANT}/statements/${week}`;
const statement = (week: string, charged: boolean): Statement => ({
  tenantId: TENANT, week, weekStart: "2026-11-30T00:00:00Z", weekEnd: "2026-12-07T00:00:00Z",
  integrationCount: charged ? 1 : 0, totalCents: charged ? 1000 : 0,
  customers: charged
    ? [{ customerId: "c-1", customerName: "Steam Chef Store", integrationCount: 1, totalCents: 1000,
        integrations: [{ integrationId: "i-1", name: "Main shop", type: "shop", amountCents: 1000, periodStart: "2026-11-01T00:00:00Z" }] }]
    : [],
});

describe("billing", () => {
  it("opens on last week once it is billed, titles the type, and offers billing it again only in the local demo", async () => {
    fakeApi({ [path(lastWeek)]: () => json(200, statement(lastWeek, true)) });
    renderWith(<Billing />, { types: [SHOP] });
    expect(await screen.findByRole("heading", { name: new RegExp(`Statement ${lastWeek}`) })).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "Shop" })).toBeInTheDocument(); // the type's title, not its key
    expect(screen.getByRole("button", { name: `Bill ${lastWeek} again (local demo)` })).toBeInTheDocument();
  });

  it("opens on this week while last week has no statement", async () => {
    fakeApi({ [path(lastWeek)]: () => json(200, statement(lastWeek, false)), [path(thisWeek)]: () => json(200, statement(thisWeek, false)) });
    renderWith(<Billing />, { types: [SHOP] });
    expect(await screen.findByRole("heading", { name: new RegExp(`Statement ${thisWeek}`) })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Bill this week now (local demo)" })).toBeInTheDocument();
  });

  it("shows a customer user only the refusal: no buttons, not even for a moment", async () => {
    fakeApi({ [path(lastWeek)]: () => json(403, { title: "Only the tenant's administrators may do this", status: 403 }) });
    renderWith(<Billing />, { types: [SHOP], role: "customer" });
    expect(screen.queryByRole("button")).toBeNull();
    expect(await screen.findByRole("alert")).toHaveTextContent("Only the tenant's administrators may do this");
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.getByRole("alert")).not.toHaveTextContent("403");
  });
});
