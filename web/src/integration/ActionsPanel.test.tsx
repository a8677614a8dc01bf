import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TypeAction } from "../api/types";
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
    expect(await screen.findByRole("term")).toHaveTextContent("Queued");
    expect(screen.getByRole("definition")).toHaveTextContent("Yes");
    expect(screen.queryByText(/\{|"queued"/)).toBeNull(); // no raw JSON
    expect(screen.queryByText(/Parameters/)).toBeNull(); // the parameters are the form, not a group in it
    expect(calls[0].headers.Accept).toBe("application/json");
    expect(calls[0].headers.Authorization).toBe("Bearer token");
  });

  it("shows lists in an answer as tables, with their columns named", async () => {
    const list: TypeAction = { key: "list", title: "Matched customers", method: "GET", path: "matches", response: { contentType: "application/json" }, requiresLive: false };
    fakeApi({
      [`GET ${path}/matches`]: () =>
        json(200, { matched: [{ customerName: "Steam Chef Store", roseRocketId: "CUST-1", written: true }], unmatchedWms: [], importedAt: null }),
    });
    renderWith(<ActionsPanel actions={[list]} path={path} live />, { types: [TMS] });
    await userEvent.click(screen.getByRole("button", { name: "Matched customers" }));
    const table = await screen.findByRole("table", { name: "Matched" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Customer name", "Rose rocket ID", "Written"]);
    expect(within(table).getByRole("row", { name: /Steam Chef Store CUST-1 Yes/ })).toBeInTheDocument();
    expect(screen.getAllByRole("term").map((t) => t.textContent)).toEqual(["Unmatched WMS", "Imported at"]);
    expect(screen.getAllByRole("definition").map((d) => d.textContent)).toEqual(["None", "—"]);
    expect(document.body.textContent).not.toMatch(/\bnull\b|undefined/);
  });

  it("asks before replacing a credential, then shows the new one once with a Copy button", async () => {
    const rotate: TypeAction = {
      key: "rotate", title: "Rotate the rating credential", method: "POST", path: "rating-credential", requiresLive: true,
      description: "A new credential for the rating widget (shown once); the previous one stops working at once.",
      response: { contentType: "application/json" },
    };
    const calls = fakeApi({ [`POST ${path}/rating-credential`]: () => json(200, { ratingCredential: "rc_new_value", rotatedAt: "2026-12-07T22:00:00Z" }) });
    const writeText = vi.fn(async () => undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    renderWith(<ActionsPanel actions={[rotate]} path={path} live />, { types: [TMS] });
    await userEvent.click(screen.getByRole("button", { name: "Rotate the rating credential" }));
    const confirm = screen.getByRole("dialog", { name: "Rotate the rating credential?" });
    expect(confirm).toHaveTextContent("the previous one stops working at once");
    expect(calls).toHaveLength(0); // nothing happens until confirmed
    await userEvent.click(within(confirm).getByRole("button", { name: "Rotate the rating credential" }));
    expect(await screen.findByText("rc_new_value")).toBeInTheDocument();
    expect(screen.getByText(/only time it is shown/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Copy Rating credential" }));
    expect(writeText).toHaveBeenCalledWith("rc_new_value");
    expect(calls).toHaveLength(1);
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
