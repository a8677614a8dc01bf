// The local stack's sign-in (docs/console.md): no identity provider runs locally, so the stack's management helper
// mints the tokens the local API accepts. The person picks who to be; the token lives in this tab's sessionStorage.

import type { Customer } from "../api/types";

export interface DemoIdentity {
  label: string;
  role: "admin" | "customer";
  customerId?: string;
  /** The person's name (the token's name claim, as an identity provider sends it) and who they are (its subject). */
  name: string;
  subject: string;
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
  const minted = await helper<{ token: string }>(helperUrl, "/tokens", {
    role: identity.role,
    customerId: identity.customerId,
    subject: identity.subject,
    name: identity.name,
  });
  return minted.token;
}

/** The demo customers' users, one person each, the same for a customer every time (an identity provider would send
 * their names). */
const DEMO_PEOPLE = ["Sam Taylor", "Jo Nguyen", "Priya Shah", "Chris Walker", "Mia Rossi", "Tom Baker"];

/** Who may be picked: the tenant admin, and a user of each customer (listed with a demo admin token). */
export async function demoIdentities(helperUrl: string, apiBase: string): Promise<DemoIdentity[]> {
  const tokens = await helper<{ admin: string }>(helperUrl, "/tokens");
  const tenantId = JSON.parse(atob(tokens.admin.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).tenant_id as string;
  const response = await fetch(`${apiBase}/tenants/${encodeURIComponent(tenantId)}/customers`, {
    headers: { Authorization: `Bearer ${tokens.admin}` },
  });
  const customers = response.ok ? ((await response.json()) as { customers: Customer[] }).customers : [];
  return [
    { label: "Tenant admin of the demo 3PL", role: "admin", name: "Alex Morgan", subject: "demo-admin" },
    ...customers.map((c): DemoIdentity => ({
      label: `Customer user of ${c.name}${c.selfManaged ? "" : " (not allowed to self-manage)"}`,
      role: "customer",
      customerId: c.customerId,
      // A person of their own for each customer (their own subject: the configuration history tells them apart).
      name: DEMO_PEOPLE[[...c.customerId].reduce((sum, ch) => sum + ch.charCodeAt(0), 0) % DEMO_PEOPLE.length],
      subject: `demo-${c.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`,
    })),
  ];
}

export async function runDemoBilling(helperUrl: string, week: string): Promise<{ queued: number }> {
  return helper(helperUrl, "/billing-runs", { week, includeOpenWeek: true });
}
