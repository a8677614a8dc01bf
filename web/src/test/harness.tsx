// What the component tests share: a signed-in person, the API answered by a table of routes (the API is the edge
// here; the browser tests drive the real one), and the contract's fixtures (issue 13's tenant scope and actions).

import type { ReactNode } from "react";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { vi } from "vitest";
import { Api } from "../api/client";
import { TypesProvider } from "../api/TypesContext";
import type { IntegrationType, JsonSchema } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import type { Session } from "../auth/session";

export const TENANT = "t-1";

export interface Call {
  method: string;
  path: string;
  body: string | Blob | undefined;
  headers: Record<string, string>;
}

type Handler = (call: Call) => Response | Promise<Response>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type, ...headers } });
}

/** Answer `fetch` from `routes` ("METHOD /path?query" → handler); anything else fails the test loudly. */
export function fakeApi(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal("fetch", async (url: string, init: RequestInit = {}) => {
    const call: Call = {
      method: (init.method ?? "GET").toUpperCase(),
      path: url,
      body: init.body as string | Blob | undefined,
      headers: (init.headers ?? {}) as Record<string, string>,
    };
    calls.push(call);
    const handler = routes[`${call.method} ${url}`];
    if (!handler) return json(599, { title: `No fake route for ${call.method} ${url}` });
    return handler(call);
  });
  return calls;
}

export function session(role: "admin" | "customer" = "admin"): Session {
  return { token: "token", role, tenantId: TENANT, customerId: role === "customer" ? "c-1" : null, subject: "someone", displayName: "Someone", expiresAt: 0 };
}

export function renderWith(ui: ReactNode, { role = "admin", types, at = "/" }: { role?: "admin" | "customer"; types: IntegrationType[]; at?: string }) {
  const value = { session: session(role), api: new Api("", () => "token"), config: { auth: { mode: "demo" as const, helperUrl: "http://helper" } }, signOut: () => undefined };
  return render(
    <AuthProvider value={value}>
      <MemoryRouter initialEntries={[at]}>
        <TypesProvider types={types}>{ui}</TypesProvider>
      </MemoryRouter>
    </AuthProvider>,
  );
}

const steps = (fields: Record<string, JsonSchema> = {}): IntegrationType["steps"] =>
  (["name", "authentication", "orderCreation", "fulfilment"] as const).map((step) => ({
    step,
    fields: step === "name" ? { type: "object", required: ["name"], properties: { name: { type: "string", minLength: 1 } } } : fields[step] ?? { type: "object", properties: {} },
  }));

/** A customer-scope type shaped as today's API answers, and a tenant-scope one with actions, as issue 13 adds. */
export const SHOP: IntegrationType = {
  type: "shop",
  title: "Shop",
  available: true,
  steps: steps({
    authentication: {
      type: "object",
      additionalProperties: false,
      required: ["storeUrl", "apiKey"],
      properties: { storeUrl: { type: "string", title: "Storeurl" }, apiKey: { type: "string", title: "Apikey" } },
    },
    orderCreation: {
      type: "object",
      $defs: {
        Mapping: {
          type: "object",
          title: "Mapping",
          properties: { code: { type: "string", title: "Code" }, warehouseId: { type: "string", "x-wms-warehouse": true, title: "Warehouseid" } },
          required: ["code", "warehouseId"],
        },
      },
      properties: {
        defaultWarehouseId: { anyOf: [{ type: "string", "x-wms-warehouse": true }, { type: "null" }], default: null, title: "Defaultwarehouseid" },
        warehouseMappings: { type: "array", items: { $ref: "#/$defs/Mapping" }, title: "Warehousemappings" },
      },
    },
  }),
};

export const TMS: IntegrationType = {
  type: "tms",
  title: "Own TMS",
  available: true,
  scope: "tenant",
  steps: steps(),
  actions: [
    {
      key: "resend",
      title: "Resend an order",
      description: "Send one order to the TMS again.",
      method: "POST",
      path: "orders/{orderId}/resend",
      parameters: { type: "object", required: ["orderId"], properties: { orderId: { type: "string", title: "Orderid" }, note: { type: "string" } } },
      response: { contentType: "application/json" },
      requiresLive: true,
    },
    {
      key: "customer-matching",
      title: "Import customer matching",
      method: "PUT",
      path: "/customer-matching",
      request: { contentType: "text/csv" },
      response: { contentType: "text/csv" },
      requiresLive: false,
    },
  ],
};
