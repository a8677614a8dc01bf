import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Integration } from "../api/types";
import { fakeApi, json, renderWith, SHOP, TENANT, TMS } from "../test/harness";
import { ConfigureBox } from "./ConfigureBox";

afterEach(() => vi.unstubAllGlobals());

const base = `/tenants/${TENANT}/customers/c-1/integrations`;
const draft = (overrides: Partial<Integration> = {}): Integration => ({
  integrationId: "i-1", tenantId: TENANT, customerId: "c-1", type: "shop", name: "Main shop", status: "DRAFT",
  completedSteps: ["name", "authentication"], nextStep: "orderCreation", credentialsSet: true, orderCreation: {},
  fulfilment: {}, livePeriods: [], createdAt: "", updatedAt: "", version: 2, ...overrides,
});
const box = (props: Partial<Parameters<typeof ConfigureBox>[0]> = {}) => (
  <ConfigureBox type={SHOP} scope={{ kind: "customer", tenantId: TENANT, customerId: "c-1" }} onChanged={() => undefined} onClose={() => undefined} {...props} />
);

describe("the configuration box", () => {
  it("starts with the name and creates the draft with the type", async () => {
    const calls = fakeApi({ [`POST ${base}`]: () => json(201, draft({ completedSteps: ["name"], nextStep: "authentication", credentialsSet: false })) });
    renderWith(box(), { types: [SHOP] });
    await userEvent.type(screen.getByRole("textbox", { name: /Name/ }), "Main shop");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("heading", { name: "(2) Authentication" })).toBeInTheDocument();
    expect(JSON.parse(calls[0].body as string)).toEqual({ type: "shop", name: "Main shop" });
  });

  it("offers the customer's warehouses and shows a refusal on the field the API names", async () => {
    const calls = fakeApi({
      [`GET /tenants/${TENANT}/customers/c-1/warehouses`]: () => json(200, { warehouses: [{ warehouseId: "w-1", name: "Brisbane DC" }] }),
      [`PUT ${base}/i-1/steps/orderCreation`]: () =>
        json(400, {
          title: "Settings rejected", status: 400, detail: "Warehouse w-1 is not one this customer can use",
          errors: [{ field: "defaultWarehouseId", reason: "Warehouse w-1 is not one this customer can use" }],
          resolution: "Choose one of the customer's warehouses: Perth DC (w-2).",
        }),
    });
    renderWith(box({ integration: draft() }), { types: [SHOP] });
    const picker = await screen.findByRole("combobox", { name: /Default warehouse/ });
    expect(within(picker).getByRole("option", { name: "Brisbane DC" })).toBeInTheDocument();
    await userEvent.selectOptions(picker, "Brisbane DC");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    const field = (await screen.findAllByText("Warehouse w-1 is not one this customer can use")).find((e) => e.closest(".form-group"));
    expect(field).toBeDefined();
    expect(screen.getByRole("alert")).toHaveTextContent("What to do: Choose one of the customer's warehouses: Perth DC (w-2).");
    expect(JSON.parse(calls.at(-1)!.body as string)).toEqual({ defaultWarehouseId: "w-1" });
  });

  it("draws a step with warehouse fields once, when the choices are known (nothing is redrawn under a person)", async () => {
    let answer: (response: Response) => void = () => undefined;
    fakeApi({ [`GET /tenants/${TENANT}/customers/c-1/warehouses`]: () => new Promise<Response>((resolve) => (answer = resolve)) });
    renderWith(box({ integration: draft() }), { types: [SHOP] });
    expect(await screen.findByRole("status")).toHaveTextContent("Loading the customer's warehouses…");
    expect(screen.queryByRole("button", { name: "Next" })).toBeNull();
    answer(json(200, { warehouses: [{ warehouseId: "w-1", name: "Brisbane DC" }] }));
    const picker = await screen.findByRole("combobox", { name: /Default warehouse/ });
    expect(within(picker).getByRole("option", { name: "Brisbane DC" })).toBeInTheDocument();
    expect(screen.queryByText("Loading the customer's warehouses…")).toBeNull();
  });

  it("never shows stored credentials: blank fields keep them, and only what was typed is sent", async () => {
    const live = draft({ status: "LIVE", nextStep: null, completedSteps: ["name", "authentication", "orderCreation", "fulfilment"] });
    const calls = fakeApi({ [`PUT ${base}/i-1/steps/authentication`]: () => json(200, live) });
    renderWith(box({ integration: live, startAt: "authentication" }), { types: [SHOP] });
    const key = screen.getByLabelText(/API key/);
    expect(key).toHaveAttribute("type", "password");
    expect(key).toHaveValue("");
    expect(key).toHaveAttribute("placeholder", "Set — leave blank to keep");
    await userEvent.type(key, "rotated-key");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/Authentication saved; the live integration uses it now/)).toBeInTheDocument();
    expect(JSON.parse(calls[0].body as string)).toEqual({ apiKey: "rotated-key" });
  });

  it("creates a tenant-scope type's integration under the tenant", async () => {
    const calls = fakeApi({ [`POST /tenants/${TENANT}/integrations`]: () => json(201, draft({ type: "tms", customerId: null, scope: "tenant", completedSteps: ["name"], nextStep: "authentication" })) });
    renderWith(<ConfigureBox type={TMS} scope={{ kind: "tenant", tenantId: TENANT }} onChanged={() => undefined} onClose={() => undefined} />, { types: [TMS] });
    await userEvent.type(screen.getByRole("textbox", { name: /Name/ }), "Our TMS");
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    await screen.findByRole("heading", { name: "(2) Authentication" });
    expect(calls[0].path).toBe(`/tenants/${TENANT}/integrations`);
  });

  it("shows the cost before Finish", async () => {
    fakeApi({ [`GET ${base}/i-1`]: () => json(200, { ...draft(), weeklyPriceCents: 1250 }) });
    renderWith(box({ integration: draft({ completedSteps: ["name", "authentication", "orderCreation", "fulfilment"], nextStep: "finish" }) }), { types: [SHOP] });
    expect(await screen.findByText("$12.50 per week")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Finish" })).toBeEnabled();
  });

  it("shows what finishing hands over once, and only then", async () => {
    const ready = draft({ completedSteps: ["name", "authentication", "orderCreation", "fulfilment"], nextStep: "finish", weeklyPriceCents: 1000 });
    const live = draft({ status: "LIVE", nextStep: null, completedSteps: ready.completedSteps });
    fakeApi({
      [`POST ${base}/i-1/finish`]: () => json(200, { ...live, shownOnce: { webhookUrl: "https://api.example/hooks/i-1?token=s3cret" } }),
      [`GET ${base}/i-1`]: () => json(200, live),
    });
    renderWith(box({ integration: ready }), { types: [SHOP] });
    await userEvent.click(await screen.findByRole("button", { name: "Finish" }));
    const handed = await screen.findByRole("region", { name: "Keep these now: they are shown once" });
    expect(within(handed).getByText("Webhook URL")).toBeInTheDocument();
    expect(within(handed).getByText("https://api.example/hooks/i-1?token=s3cret")).toBeInTheDocument();
  });

  it("says at finish what the person should know about the live integration", async () => {
    const ready = draft({ completedSteps: ["name", "authentication", "orderCreation", "fulfilment"], nextStep: "finish", weeklyPriceCents: 1000 });
    const live = draft({ status: "LIVE", nextStep: null, completedSteps: ready.completedSteps,
      notices: [{ message: "No webhook subscription was left: this integration runs on polling alone.", resolution: "Delete an unused subscription." }] });
    fakeApi({ [`POST ${base}/i-1/finish`]: () => json(200, live), [`GET ${base}/i-1`]: () => json(200, live) });
    renderWith(box({ integration: ready }), { types: [SHOP] });
    await userEvent.click(await screen.findByRole("button", { name: "Finish" }));
    const note = await screen.findByRole("note");
    expect(note).toHaveTextContent("runs on polling alone");
    expect(note).toHaveTextContent("What to do: Delete an unused subscription.");
  });
});
