import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json, renderWith, TMS } from "../test/harness";
import { ActionsPanel, actionUrl } from "./ActionsPanel";

const path = "/tenants/t-1/integrations/i-9";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("a type's actions, from the contract", () => {
  it("fills the path's placeholders (encoded) and puts the other parameters in the query", () => {
    expect(actionUrl(path, TMS.actions![0], { orderId: "SO 1/2", note: "again" })).toBe(`${path}/orders/SO%201%2F2/resend?note=again`);
    expect(actionUrl(path, TMS.actions![1], {})).toBe(`${path}/customer-matching`);
  });

  it("runs a JSON action from its parameters form and shows the answer", async () => {
    const calls = fakeApi({ [`POST ${path}/orders/SO-7/resend`]: () => json(200, { queued: true }) });
    renderWith(<ActionsPanel actions={TMS.actions!} path={path} live />, { types: [TMS] });
    await userEvent.type(screen.getByRole("textbox", { name: /Order ID/ }), "SO-7");
    await userEvent.click(screen.getByRole("button", { name: "Resend an order" }));
    expect(await screen.findByText(/"queued": true/)).toBeInTheDocument();
    expect(calls[0].headers.Accept).toBe("application/json");
    expect(calls[0].headers.Authorization).toBe("Bearer token");
  });

  it("keeps an action that needs a live integration off until it is live", () => {
    fakeApi({});
    renderWith(<ActionsPanel actions={TMS.actions!} path={path} live={false} />, { types: [TMS] });
    expect(screen.getByRole("button", { name: "Resend an order" })).toBeDisabled();
    expect(screen.getByRole("button", { name: "Import customer matching" })).toBeEnabled();
  });

  it("uploads a CSV file as text/csv and downloads a CSV answer", async () => {
    const saved: string[] = [];
    // jsdom has no object URLs: the browser tests save a real download.
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => "blob:answer", revokeObjectURL: () => undefined }));
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    const calls = fakeApi({
      [`PUT ${path}/customer-matching`]: () =>
        new Response("customer_id,matched\nc-1,yes\n", {
          status: 200,
          headers: { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="matching-result.csv"' },
        }),
    });
    renderWith(<ActionsPanel actions={TMS.actions!} path={path} live />, { types: [TMS] });
    const file = new File(["customer_id,rr_id\nc-1,42\n"], "matching.csv", { type: "text/csv" });
    await userEvent.upload(screen.getByLabelText("CSV file"), file);
    await userEvent.click(screen.getByRole("button", { name: "Import customer matching" }));
    await waitFor(() => expect(saved).toEqual(["matching-result.csv"]));
    expect(calls[0].headers["Content-Type"]).toBe("text/csv");
    expect(calls[0].headers.Accept).toBe("text/csv");
    expect(calls[0].body).toBe(file);
    expect(screen.getByText("Downloaded matching-result.csv.")).toBeInTheDocument();
  });

  it("shows the API's refusal plainly", async () => {
    fakeApi({
      [`POST ${path}/orders/SO-8/resend`]: () =>
        json(409, { title: "Conflict", status: 409, detail: "SO-8 was never sent", resolution: "Send it from the WMS first." }),
    });
    renderWith(<ActionsPanel actions={TMS.actions!} path={path} live />, { types: [TMS] });
    await userEvent.type(screen.getByRole("textbox", { name: /Order ID/ }), "SO-8");
    await userEvent.click(screen.getByRole("button", { name: "Resend an order" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("SO-8 was never sent");
    expect(screen.getByRole("alert")).toHaveTextContent("What to do: Send it from the WMS first.");
  });
});
