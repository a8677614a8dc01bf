// One customer's integrations (help pages: "Select the relevant Customer … Click WooCommerce … Select Reconfigure /
// the three-dot configuration icon"), and who is told about their alerts. A customer user may open only their own
// customer: any other address is the API's 403, shown as it is.

import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { scopeOfType, useTypes } from "../api/TypesContext";
import type { Scope } from "../api/paths";
import type { Customer, Integration } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { GreenDot } from "../ui/bits";
import { ProblemView } from "../ui/ProblemView";
import { useLoad } from "../ui/useLoad";
import { AlertContacts } from "./AlertContacts";
import { IntegrationList } from "./IntegrationList";
import { useTellHeaderCustomer } from "./Layout";
import { NotAllowed } from "./NotAllowed";

export function CustomerIntegrations() {
  const { customerId = "" } = useParams();
  const { api, session } = useAuth();
  const types = useTypes().filter((t) => scopeOfType(t) === "customer");
  const [showDeleted, setShowDeleted] = useState(false);
  const scope = useMemo<Scope>(() => ({ kind: "customer", tenantId: session.tenantId, customerId }), [session.tenantId, customerId]);
  const base = `/tenants/${encodeURIComponent(session.tenantId)}/customers`;
  const customers = useLoad(() => api.get<{ customers: Customer[] }>(base), [api, base]);
  const integrations = useLoad(
    () => api.get<{ integrations: Integration[] }>(`${base}/${encodeURIComponent(customerId)}/integrations?includeDeleted=${showDeleted}`),
    [api, base, customerId, showDeleted],
  );
  const customer = customers.data?.customers.find((c) => c.customerId === customerId);
  useTellHeaderCustomer(customer?.name, session.role === "customer");
  const refresh = () => {
    void integrations.reload();
    void customers.reload();
  };

  if (session.role === "customer" && customers.error?.status === 403) return <NotAllowed problem={customers.error} />;
  return (
    <>
      {session.role === "admin" && (
        <p className="breadcrumb">
          <Link to="/customers">Customers</Link> ›
        </p>
      )}
      <h1 tabIndex={-1}>
        {customer?.name ?? (integrations.error ? "Integrations" : "…")}
        {customer && <GreenDot live={customer.hasLiveIntegrations} />}
      </h1>
      {customer && (
        <p className="customer-count">
          {customer.liveIntegrations} active integration{customer.liveIntegrations === 1 ? "" : "s"}
        </p>
      )}
      {integrations.error ? (
        <ProblemView problem={integrations.error} heading="This customer's integrations could not be shown" />
      ) : (
        <section aria-labelledby="menu-heading">
          <h2 id="menu-heading">Self-Managed Integrations</h2>
          <label className="inline">
            <input type="checkbox" checked={showDeleted} onChange={(event) => setShowDeleted(event.target.checked)} /> Show deleted
            integrations
          </label>
          {integrations.loading && !integrations.data && <p role="status">Loading integrations…</p>}
          {integrations.data && (
            <IntegrationList scope={scope} types={types} integrations={integrations.data.integrations} onChanged={refresh} />
          )}
        </section>
      )}
      {!integrations.error && <AlertContacts customerId={customerId} />}
    </>
  );
}
