// A tenant admin's start: every customer with its green dot and live count ("If a Customer has a live integration
// they will have a green dot icon against their name … the number of active integrations … below their name"),
// searchable by name or code, and the tenant's own integrations (tenant-scope types such as Rose Rocket).

import { useMemo, useState } from "react";
import { Link } from "react-router";
import { scopeOfType, useTypes } from "../api/TypesContext";
import type { Customer } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { GreenDot } from "../ui/bits";
import { ProblemView } from "../ui/ProblemView";
import { useLoad } from "../ui/useLoad";
import { TenantIntegrations } from "./TenantIntegrations";

export function matches(customer: Customer, query: string): boolean {
  const wanted = query.trim().toLowerCase();
  if (!wanted) return true;
  return [customer.name, customer.code ?? "", customer.customerId].some((value) => value.toLowerCase().includes(wanted));
}

export function Customers() {
  const { api, session } = useAuth();
  const types = useTypes();
  const [query, setQuery] = useState("");
  const customers = useLoad(
    () => api.get<{ customers: Customer[] }>(`/tenants/${encodeURIComponent(session.tenantId)}/customers`),
    [api, session.tenantId],
  );
  const shown = useMemo(() => (customers.data?.customers ?? []).filter((c) => matches(c, query)), [customers.data, query]);
  const tenantTypes = types.filter((t) => scopeOfType(t) === "tenant");

  return (
    <>
      <h1 tabIndex={-1}>Self-Managed Integrations</h1>
      <section aria-labelledby="customers-heading">
        <h2 id="customers-heading">Customers</h2>
        <p className="hint">Select the customer to create or manage integrations for.</p>
        <label className="search">
          <span>Search customers by name{customers.data?.customers.some((c) => c.code) ? " or code" : ""}</span>
          <input type="search" value={query} onChange={(event) => setQuery(event.target.value)} autoComplete="off" />
        </label>
        {customers.error && <ProblemView problem={customers.error} heading="The customers could not be loaded" />}
        {customers.loading && !customers.data && <p role="status">Loading customers…</p>}
        {customers.data && (
          <p className="visually-hidden" role="status">
            {shown.length} of {customers.data.customers.length} customers shown
          </p>
        )}
        <ul className="customer-list">
          {shown.map((customer) => (
            <li key={customer.customerId}>
              <Link to={`/customers/${encodeURIComponent(customer.customerId)}`} className="customer-card">
                <span className="customer-name">
                  {customer.name}
                  <GreenDot live={customer.hasLiveIntegrations} />
                </span>
                <span className="customer-count">
                  {customer.liveIntegrations} active integration{customer.liveIntegrations === 1 ? "" : "s"}
                </span>
                {customer.code && <span className="customer-code">{customer.code}</span>}
                <span className="customer-flag">{customer.selfManaged ? "Manages its own integrations" : "Managed by you"}</span>
              </Link>
            </li>
          ))}
        </ul>
        {customers.data && shown.length === 0 && <p>No customer matches “{query}”.</p>}
      </section>
      {tenantTypes.length > 0 && <TenantIntegrations types={tenantTypes} />}
    </>
  );
}
