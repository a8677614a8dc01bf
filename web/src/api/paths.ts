// Where an integration lives: under its customer, or (tenant-scope types such as Rose Rocket) under the tenant.
// Every id is encoded: ids come from URLs a person can edit.

import type { Integration } from "./types";

export type Scope = { kind: "customer"; tenantId: string; customerId: string } | { kind: "tenant"; tenantId: string };

const e = encodeURIComponent;

export function integrationsPath(scope: Scope): string {
  return scope.kind === "tenant"
    ? `/tenants/${e(scope.tenantId)}/integrations`
    : `/tenants/${e(scope.tenantId)}/customers/${e(scope.customerId)}/integrations`;
}

export function integrationPath(scope: Scope, integrationId: string): string {
  return `${integrationsPath(scope)}/${e(integrationId)}`;
}

export function scopeOf(integration: Integration): Scope {
  return integration.scope === "tenant" || !integration.customerId
    ? { kind: "tenant", tenantId: integration.tenantId }
    : { kind: "customer", tenantId: integration.tenantId, customerId: integration.customerId };
}

/** The page's own route to an integration's view. */
export function integrationRoute(scope: Scope, integrationId: string): string {
  return scope.kind === "tenant"
    ? `/tenant/integrations/${e(integrationId)}`
    : `/customers/${e(scope.customerId)}/integrations/${e(integrationId)}`;
}

/** The "Needs attention" overview the signed-in person may read: the tenant's (admins) or their own customer's. */
export function alertOverviewPath(tenantId: string, customerId: string | null): string {
  return customerId ? `/tenants/${e(tenantId)}/customers/${e(customerId)}/alerts` : `/tenants/${e(tenantId)}/alerts`;
}

/** An alert's route on the page: its integration's view (a tenant-wide alert has none: null). */
export function alertRoute(alert: { subject: string; customerId: string | null }): string | null {
  if (alert.subject === "TENANT") return null;
  return alert.customerId
    ? `/customers/${e(alert.customerId)}/integrations/${e(alert.subject)}`
    : `/tenant/integrations/${e(alert.subject)}`;
}
