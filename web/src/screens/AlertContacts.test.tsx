import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json, renderWith, TENANT } from "../test/harness";
import { AlertContacts } from "./AlertContacts";

const path = `/tenants/${TENANT}/customers/c-1/alert-contacts`;

afterEach(() => vi.unstubAllGlobals());

describe("who is told about a customer's alerts", () => {
  it("lets the customer's own user set their addresses while the 3PL sends alerts to customers", async () => {
    const calls = fakeApi({
      [`GET ${path}`]: () => json(200, { customerId: "c-1", emails: ["chef@example.com"], customersReceiveAlerts: true }),
      [`PUT ${path}`]: () => json(200, { customerId: "c-1", emails: ["chef@example.com", "kitchen@example.com"], customersReceiveAlerts: true }),
    });
    renderWith(<AlertContacts customerId="c-1" />, { types: [], role: "customer" });
    const field = await screen.findByLabelText(/Mail addresses/);
    await waitFor(() => expect(field).toHaveValue("chef@example.com")); // filled once the addresses are read
    await userEvent.type(field, "\nkitchen@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Save addresses" }));
    expect(await screen.findByText("Addresses saved.")).toBeInTheDocument();
    expect(JSON.parse(calls.find((c) => c.method === "PUT")!.body as string)).toEqual({ emails: ["chef@example.com", "kitchen@example.com"] });
  });

  it("tells a customer user whom to ask when their 3PL does not send alerts to customers", async () => {
    fakeApi({ [`GET ${path}`]: () => json(200, { customerId: "c-1", emails: [], customersReceiveAlerts: false }) });
    renderWith(<AlertContacts customerId="c-1" />, { types: [], role: "customer" });
    expect(await screen.findByText(/Your 3PL does not send alerts to its customers/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Save addresses" })).toBeNull();
  });
});
