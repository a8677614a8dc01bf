import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json, renderWith, SHOP, TENANT, TMS } from "../test/harness";
import { Customers } from "./Customers";

const customers = {
  customers: [
    { customerId: "c-1", name: "Steam Chef Store", code: "STEAMCHEF", liveIntegrations: 2, hasLiveIntegrations: true, selfManaged: true },
    { customerId: "c-2", name: "Harbour Homewares", liveIntegrations: 0, hasLiveIntegrations: false, selfManaged: false },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("the tenant admin's customers", () => {
  it("shows each customer's green dot and live count, and finds customers by name or code", async () => {
    fakeApi({ [`GET /tenants/${TENANT}/customers`]: () => json(200, customers) });
    renderWith(<Customers />, { types: [SHOP] });
    const chef = (await screen.findByText("Steam Chef Store")).closest("a")!;
    expect(within(chef).getByText("Has live integrations")).toBeInTheDocument();
    expect(within(chef).getByText("2 active integrations")).toBeInTheDocument();
    const harbour = screen.getByText("Harbour Homewares").closest("a")!;
    expect(within(harbour).queryByText("Has live integrations")).toBeNull();
    expect(within(harbour).getByText("0 active integrations")).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText("Search customers by name or code"), "steamch"); // a code
    expect(screen.queryByText("Harbour Homewares")).toBeNull();
    expect(screen.getByText("Steam Chef Store")).toBeInTheDocument();
  });

  it("lists no tenant-level section while no type is tenant-scope (nothing asked of the API)", async () => {
    const calls = fakeApi({ [`GET /tenants/${TENANT}/customers`]: () => json(200, customers) });
    renderWith(<Customers />, { types: [SHOP] });
    await screen.findByText("Steam Chef Store");
    expect(screen.queryByRole("heading", { name: "Your own integrations" })).toBeNull();
    expect(calls.map((c) => c.path)).toEqual([`/tenants/${TENANT}/customers`]);
  });

  it("renders tenant-scope types (issue 13's contract) with the tenant's own integrations", async () => {
    fakeApi({
      [`GET /tenants/${TENANT}/customers`]: () => json(200, customers),
      [`GET /tenants/${TENANT}/integrations`]: () =>
        json(200, {
          integrations: [
            {
              integrationId: "i-9", tenantId: TENANT, customerId: null, scope: "tenant", type: "tms", name: "Our TMS", status: "LIVE",
              completedSteps: ["name", "authentication", "orderCreation", "fulfilment"], nextStep: null, credentialsSet: true,
              orderCreation: {}, fulfilment: {}, livePeriods: [], createdAt: "", updatedAt: "", version: 3,
            },
          ],
        }),
    });
    renderWith(<Customers />, { types: [SHOP, TMS] });
    const section = (await screen.findByRole("heading", { name: "Your own integrations" })).closest("section")!;
    expect(within(section).getByRole("button", { name: "Configure a new Own TMS integration" })).toBeInTheDocument();
    expect(within(section).queryByText("Shop")).toBeNull(); // customer-scope types stay with the customers
    const row = await within(section).findByRole("link", { name: "Our TMS" });
    expect(row).toHaveAttribute("href", "/tenant/integrations/i-9");
    await waitFor(() => expect(within(section).getByText("Live")).toBeInTheDocument());
  });
});
