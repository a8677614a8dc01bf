import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AlertSettings as Settings } from "../api/types";
import { fakeApi, json, renderWith, TENANT } from "../test/harness";
import { AlertSettings, DEFAULT_THRESHOLDS } from "./AlertSettings";

const settings: Settings = {
  thresholds: DEFAULT_THRESHOLDS,
  channels: { emails: ["ops@example.com"], webhookUrl: null, webhookSecretSet: false, customersReceiveAlerts: false, customerEmails: {} },
};

afterEach(() => vi.unstubAllGlobals());

describe("the tenant's alert settings", () => {
  it("sends only what changed, and shows a refusal under its field", async () => {
    let refuse = true;
    const calls = fakeApi({
      [`PUT /tenants/${TENANT}/settings`]: () =>
        refuse
          ? json(400, { title: "Invalid request body", status: 400, errors: [{ field: "alerts.channels.webhookUrl", reason: "must start with https://" }] })
          : json(200, {}),
    });
    const saved = vi.fn();
    renderWith(<AlertSettings tenantId={TENANT} settings={settings} onSaved={saved} />, { types: [] });
    expect(screen.getByLabelText(/needed attention for more than/)).toHaveAccessibleDescription("Default: 24");
    await userEvent.type(screen.getByLabelText(/Mail addresses/), "\nlead@example.com");
    await userEvent.type(screen.getByLabelText(/Post alerts to this address/), "http://hooks.example.com");
    const hours = screen.getByLabelText(/needed attention for more than/);
    await userEvent.clear(hours);
    await userEvent.type(hours, "0.5");
    await userEvent.click(screen.getByRole("button", { name: "Save alert settings" }));
    expect(await screen.findByText("must start with https://")).toBeInTheDocument();
    expect(screen.getByLabelText(/Post alerts to this address/)).toHaveAccessibleDescription("must start with https://");
    expect(JSON.parse(calls[0].body as string)).toEqual({
      alerts: { channels: { emails: ["ops@example.com", "lead@example.com"], webhookUrl: "http://hooks.example.com" }, thresholds: { attentionHours: 0.5 } },
    });
    refuse = false;
    await userEvent.click(screen.getByRole("button", { name: "Save alert settings" }));
    expect(await screen.findByText("Alert settings saved.")).toBeInTheDocument();
    expect(saved).toHaveBeenCalled();
  });

  it("shows a new signing secret once, with a copy button", async () => {
    fakeApi({ [`POST /tenants/${TENANT}/settings/alert-webhook-secret`]: () => json(201, { webhookSecret: "s3cret-value-shown-once-0123456789", signing: "…" }) });
    renderWith(<AlertSettings tenantId={TENANT} settings={settings} onSaved={() => undefined} />, { types: [] });
    await userEvent.click(screen.getByRole("button", { name: "Generate a signing secret" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByText("s3cret-value-shown-once-0123456789")).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Copy" })).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "I have copied it" }));
    expect(screen.queryByText("s3cret-value-shown-once-0123456789")).toBeNull();
  });
});
