import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Alert, AlertOverview } from "../api/types";
import { fakeApi, json, renderWith, SHOP, TENANT } from "../test/harness";
import { Attention } from "./Attention";
import { Layout } from "./Layout";

afterEach(() => vi.unstubAllGlobals());

const ALERT: Alert = {
  tenantId: TENANT, subject: "i-1", condition: "needs-attention", conditionTitle: "Needs attention too long", state: "OPEN",
  level: "warning", summary: "2 records have needed attention for over 24 hours", whatToDo: "Open the sync log and press Retry.",
  count: 2, customerId: "c-1", integrationName: "Steam shop", platform: "Shop", openedAt: "2026-12-07T08:00:00Z",
  updatedAt: "2026-12-07T08:00:00Z", occurrence: 1, snoozed: false,
};

function overview(change: Partial<AlertOverview> = {}): AlertOverview {
  return {
    tenantId: TENANT, customerId: null, openAlerts: 2, countedUpTo: 1000,
    conditions: [{ key: "needs-attention", title: "Needs attention too long" }, { key: "wms-silent", title: "WMS notifications stopped" }],
    alerts: [
      { ...ALERT, subject: "TENANT", condition: "wms-silent", conditionTitle: "WMS notifications stopped", level: "critical", customerId: null, integrationName: "", platform: "WMS", summary: "No notification for 6 hours" },
      ALERT,
    ],
    integrations: [
      { integrationId: "i-1", customerId: "c-1", customerName: "Steam Chef", name: "Steam shop", type: "shop", platform: "Shop", status: "LIVE", needsAttention: 0, openAlerts: 1 },
      { integrationId: "i-2", customerId: "c-2", customerName: "Harbour", name: "Harbour shop", type: "shop", platform: "Shop", status: "LIVE", needsAttention: 3, openAlerts: 0 },
    ],
    ...change,
  };
}

const customers = { customers: [{ customerId: "c-1", name: "Steam Chef", liveIntegrations: 1, hasLiveIntegrations: true, selfManaged: true }] };

describe("needs attention", () => {
  it("lists open alerts and records needing attention, each opening its integration", async () => {
    fakeApi({
      [`GET /tenants/${TENANT}/alerts`]: () => json(200, overview()),
      [`GET /tenants/${TENANT}/customers`]: () => json(200, customers),
    });
    renderWith(<Attention />, { types: [SHOP] });
    const alerts = (await screen.findByRole("heading", { name: "Alerts" })).closest("section")!;
    const shop = within(alerts).getByRole("link", { name: "Steam shop" });
    expect(shop).toHaveAttribute("href", "/customers/c-1/integrations/i-1");
    const row = shop.closest("tr")!;
    expect(within(row).getByText("Needs attention too long")).toBeInTheDocument();
    expect(within(row).getByText("Warning")).toBeInTheDocument();
    expect(within(row).getByText("What to do: Open the sync log and press Retry.")).toBeInTheDocument();
    expect(within(alerts).getByText("Your WMS connection").closest("tr")!).toHaveTextContent("Critical");
    const records = screen.getByRole("heading", { name: "Records needing attention" }).closest("section")!;
    expect(within(records).getByRole("link", { name: "Harbour shop" })).toHaveAttribute("href", "/customers/c-2/integrations/i-2");
    expect(within(records).queryByText("Steam shop")).toBeNull(); // nothing of it needs attention
  });

  it("filters by customer, platform and problem through the API", async () => {
    const calls = fakeApi({
      [`GET /tenants/${TENANT}/alerts`]: () => json(200, overview()),
      [`GET /tenants/${TENANT}/alerts?customerId=c-1`]: () => json(200, overview({ alerts: [ALERT] })),
      [`GET /tenants/${TENANT}/alerts?customerId=c-1&platform=shop`]: () => json(200, overview({ alerts: [ALERT] })),
      [`GET /tenants/${TENANT}/alerts?customerId=c-1&platform=shop&condition=wms-silent`]: () => json(200, overview({ alerts: [] })),
      [`GET /tenants/${TENANT}/customers`]: () => json(200, customers),
    });
    renderWith(<Attention />, { types: [SHOP] });
    await screen.findByText("Your WMS connection");
    await userEvent.selectOptions(screen.getByLabelText("Customer"), "Steam Chef");
    await waitFor(() => expect(screen.queryByText("Your WMS connection")).toBeNull());
    await userEvent.selectOptions(screen.getByLabelText("Platform"), "Shop");
    await userEvent.selectOptions(screen.getByLabelText("Problem"), "WMS notifications stopped");
    expect(await screen.findByText("No alerts match these filters.")).toBeInTheDocument();
    expect(calls.map((c) => c.path)).toContain(`/tenants/${TENANT}/alerts?customerId=c-1&platform=shop&condition=wms-silent`);
  });

  it("shows a customer user their own customer's, without a customer filter", async () => {
    const calls = fakeApi({
      [`GET /tenants/${TENANT}/customers/c-1/alerts`]: () => json(200, overview({ customerId: "c-1", alerts: [ALERT], openAlerts: 1 })),
    });
    renderWith(<Attention />, { types: [SHOP], role: "customer" });
    expect(await screen.findByRole("link", { name: "Steam shop" })).toBeInTheDocument();
    expect(screen.queryByLabelText("Customer")).toBeNull();
    expect(calls.every((c) => c.path.startsWith(`/tenants/${TENANT}/customers/c-1/alerts`))).toBe(true);
  });

  it("acknowledges the tenant-wide alert in place (it has no integration page)", async () => {
    let acknowledged = false;
    const tenantAlert = overview().alerts[0];
    const calls = fakeApi({
      [`GET /tenants/${TENANT}/alerts`]: () =>
        json(200, overview({ alerts: [acknowledged ? { ...tenantAlert, acknowledgedBy: "ana" } : tenantAlert, ALERT] })),
      [`GET /tenants/${TENANT}/customers`]: () => json(200, customers),
      [`POST /tenants/${TENANT}/alerts/TENANT/wms-silent/acknowledge`]: () => {
        acknowledged = true;
        return json(200, { ...tenantAlert, acknowledgedBy: "ana" });
      },
    });
    renderWith(<Attention />, { types: [SHOP] });
    const row = (await screen.findByText("Your WMS connection")).closest("tr")!;
    await userEvent.click(within(row).getByRole("button", { name: "Acknowledge" }));
    expect(await screen.findByText("Acknowledged: WMS notifications stopped.")).toBeInTheDocument();
    expect(await within(screen.getByText("Your WMS connection").closest("tr")!).findByText("Acknowledged by ana")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "POST" && c.path.endsWith("/alerts/TENANT/wms-silent/acknowledge"))).toBe(true);
    // an integration's alert is acted on on its page, not here
    expect(within(screen.getByRole("link", { name: "Steam shop" }).closest("tr")!).queryByRole("button")).toBeNull();
  });

  it("counts open alerts nobody snoozed in the header", async () => {
    // the badge asks for the open alerts only (records=skip: one query, not a count per integration)
    fakeApi({ [`GET /tenants/${TENANT}/alerts?records=skip`]: () => json(200, overview({ openAlerts: 2 })) });
    renderWith(<Layout>page</Layout>, { types: [SHOP] });
    const link = await screen.findByRole("link", { name: /Needs attention/ });
    await waitFor(() => expect(within(link).getByLabelText("2 open alerts")).toHaveTextContent("2"));
  });
});
