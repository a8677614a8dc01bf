import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json, renderWith } from "../test/harness";
import { ConnectionCheck } from "./ConnectionCheck";

const path = "/tenants/t-1/customers/c-1/integrations/i-9";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("checking the connection", () => {
  it("shows what is not as assumed first, with what it means, and what can't be checked last", async () => {
    const calls = fakeApi({
      [`POST ${path}/check`]: () =>
        json(200, {
          platform: "Unleashed",
          checkedAt: "2026-12-07T10:00:00.000000Z",
          summary: "Live check of the Unleashed account: 1 confirmed, 1 refuted, 1 not checkable read-only",
          findings: [
            { key: "sales-orders-read", assumes: "Sales orders are read from GET /SalesOrders", outcome: "confirmed", seen: "GET /SalesOrders answered" },
            { key: "webhook-signature", assumes: "Deliveries are signed", outcome: "not-checkable", seen: "Can't be settled without writing", means: "Deliveries are refused; the poll brings every order." },
            { key: "subscription-api", assumes: "Webhook subscriptions are made at /Webhooks", outcome: "refuted", seen: "GET /Webhooks answered 404", means: "It runs on polling alone." },
          ],
        }),
    });
    renderWith(<ConnectionCheck path={path} />, { types: [] });
    await userEvent.click(screen.getByRole("button", { name: "Check connection" }));
    expect(await screen.findByText(/1 refuted/)).toBeInTheDocument();
    const items = screen.getAllByRole("listitem").map((item) => item.textContent ?? "");
    expect(items[0]).toMatch(/^Not as assumed Webhook subscriptions are made at \/Webhooks/);
    expect(items[0]).toContain("What was checkedGET /Webhooks answered 404"); // under a disclosure
    expect(items[0]).toContain("What it means: It runs on polling alone.");
    expect(items[2]).toMatch(/^Can't be checked read-only Deliveries are signed/);
    expect(items[2]).toContain("If it is not so: Deliveries are refused");
    expect(calls[0].method).toBe("POST");
  });

  it("says why when the check could not run", async () => {
    fakeApi({ [`POST ${path}/check`]: () => json(409, { title: "Conflict", status: 409, detail: "There is no account to check yet", resolution: "Save the authentication step first." }) });
    renderWith(<ConnectionCheck path={path} />, { types: [] });
    await userEvent.click(screen.getByRole("button", { name: "Check connection" }));
    expect(await screen.findByText(/There is no account to check yet/)).toBeInTheDocument();
  });
});
