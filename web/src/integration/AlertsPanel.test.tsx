import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Alert } from "../api/types";
import { fakeApi, json, renderWith, TENANT } from "../test/harness";
import { AlertsPanel } from "./AlertsPanel";

const path = `/tenants/${TENANT}/customers/c-1/integrations/i-1`;
const ALERT: Alert = {
  tenantId: TENANT, subject: "i-1", condition: "needs-attention", conditionTitle: "Needs attention too long", state: "OPEN",
  level: "critical", summary: "1 record has needed attention for over 24 hours", whatToDo: "Open the sync log and press Retry.",
  count: 1, customerId: "c-1", integrationName: "Steam shop", platform: "Shop", openedAt: "2026-12-07T08:00:00Z",
  updatedAt: "2026-12-07T08:00:00Z", occurrence: 1, snoozed: false,
};
const history = [{ subject: "i-1", condition: "needs-attention", event: "opened", message: "1 record has needed attention", at: "2026-12-07T08:00:00Z", by: null }];

afterEach(() => vi.unstubAllGlobals());

describe("an integration's alerts", () => {
  it("shows what happened and what to do; acknowledges and snoozes, then reads them again", async () => {
    let acknowledged = false;
    const calls = fakeApi({
      [`GET ${path}/alerts`]: () =>
        json(200, { integrationId: "i-1", alerts: [acknowledged ? { ...ALERT, acknowledgedBy: "ana" } : ALERT], history }),
      [`POST ${path}/alerts/needs-attention/acknowledge`]: () => {
        acknowledged = true;
        return json(200, { ...ALERT, acknowledgedBy: "ana" });
      },
      [`POST ${path}/alerts/needs-attention/snooze`]: () => json(200, { ...ALERT, snoozed: true, snoozedUntil: "2026-12-08T08:00:00Z" }),
    });
    renderWith(<AlertsPanel path={path} version={0} canAct />, { types: [] });
    const item = (await screen.findByText("1 record has needed attention for over 24 hours")).closest("li")!;
    expect(within(item).getByText("Critical")).toBeInTheDocument();
    expect(within(item).getByText("What to do: Open the sync log and press Retry.")).toBeInTheDocument();
    await userEvent.click(within(item).getByRole("button", { name: "Acknowledge" }));
    expect(await screen.findByText("Acknowledged: Needs attention too long.")).toBeInTheDocument();
    expect(await screen.findByText(/Acknowledged by ana/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Snooze 1 day" }));
    expect(await screen.findByText("Snoozed for 1 day: Needs attention too long.")).toBeInTheDocument();
    const snooze = calls.find((c) => c.path.endsWith("/snooze"))!;
    expect(JSON.parse(snooze.body as string)).toEqual({ hours: 24 });
    await userEvent.click(screen.getByText("History (1)"));
    expect(screen.getByText("Opened")).toBeInTheDocument();
  });

  it("shows a refusal as it is, and says when nothing is open", async () => {
    fakeApi({
      [`GET ${path}/alerts`]: () => json(200, { integrationId: "i-1", alerts: [ALERT], history }),
      [`POST ${path}/alerts/needs-attention/snooze`]: () =>
        json(409, { title: "Conflict", status: 409, detail: "The needs-attention alert is resolved", resolution: "Nothing to do: it cleared by itself." }),
    });
    renderWith(<AlertsPanel path={path} version={0} canAct />, { types: [] });
    await userEvent.click(await screen.findByRole("button", { name: "Snooze 1 hour" }));
    expect(await screen.findByText("What to do: Nothing to do: it cleared by itself.")).toBeInTheDocument();
  });
});
