// The local stack's sign-in (docs/console.md): no identity provider runs locally, so the stack's management helper
// mints the tokens the local API accepts. The person picks who to be; the token lives in this tab's sessionStorage.

import type { Customer } from "../api/types";

export interface DemoIdentity {
  label: string;
  role: "admin" | "customer";
  customerId?: string;
}

async function helper<T>(helperUrl: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${helperUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`The local demo helper answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function demoToken(helperUrl: string, identity: DemoIdentity): Promise<string> {
  const minted = await helper<{ token: string }>(helperUrl, "/tokens", { role: identity.role, customerId: identity.customerId });
  return minted.token;
}

/** Who may be picked: the tenant admin, and a user of each customer (listed with a demo admin token). */
export async function demoIdentities(helperUrl: string, apiBase: string): Promise<DemoIdentity[]> {
  const tokens = await helper<{ admin: string }>(helperUrl, "/tokens");
  const tenantId = JSON.parse(atob(tokens.admin.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).tenant_id as string;
  const response = await fetch(`${apiBase}/tenants/${encodeURIComponent(tenantId)}/customers`, {
    headers: { Authorization: `Bearer ${tokens.admin}` },
  });
  const customers = response.ok ? ((await response.json()) as { customers: Customer[] }).customers : [];
  return [
    { label: "Tenant admin of the demo 3PL", role: "admin" },
    ...customers.map((c): DemoIdentity => ({
      label: `Customer user of ${c.name}${c.selfManaged ? "" : " (not allowed to self-manage)"}`,
      role: "customer",
      customerId: c.customerId,
    })),
  ];
}

export async function runDemoBilling(helperUrl: string, week: string): Promise<{ queued: number }> {
  return helper(helperUrl, "/billing-runs", { week, includeOpenWeek: true });
}
