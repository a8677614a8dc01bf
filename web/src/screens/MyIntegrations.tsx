// A customer user's start: their own customer only. The API lists them their customer when the tenant lets it
// self-manage, and refuses otherwise: then the page says so, and whom to ask.

import { Navigate } from "react-router";
import type { Customer } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { ProblemView } from "../ui/ProblemView";
import { useLoad } from "../ui/useLoad";
import { NotAllowed } from "./NotAllowed";

export function MyIntegrations() {
  const { api, session } = useAuth();
  const customers = useLoad(
    () => api.get<{ customers: Customer[] }>(`/tenants/${encodeURIComponent(session.tenantId)}/customers`),
    [api, session.tenantId],
  );
  if (customers.error?.status === 403) return <NotAllowed problem={customers.error} />;
  if (customers.error) return <ProblemView problem={customers.error} heading="Your integrations could not be loaded" />;
  if (!customers.data) return <p role="status">Loading…</p>;
  const own = customers.data.customers.find((c) => c.customerId === session.customerId) ?? customers.data.customers[0];
  if (!own) {
    return (
      <>
        <h1 tabIndex={-1}>No customer account</h1>
        <p>Your sign-in names no customer of your 3PL. Ask your CartonCloud account owner to check your account.</p>
      </>
    );
  }
  return <Navigate to={`/customers/${encodeURIComponent(own.customerId)}`} replace />;
}
