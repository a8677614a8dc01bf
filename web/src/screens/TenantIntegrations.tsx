// Integrations of the tenant itself (types whose "scope" is "tenant", e.g. Rose Rocket, the 3PL's own TMS): listed
// under /tenants/{t}/integrations, admin only, configured in the same box.

import { useMemo } from "react";
import { useAuth } from "../auth/AuthContext";
import type { Scope } from "../api/paths";
import type { Integration, IntegrationType } from "../api/types";
import { ProblemView } from "../ui/ProblemView";
import { useLoad } from "../ui/useLoad";
import { IntegrationList } from "./IntegrationList";

export function TenantIntegrations({ types }: { types: IntegrationType[] }) {
  const { api, session } = useAuth();
  const scope = useMemo<Scope>(() => ({ kind: "tenant", tenantId: session.tenantId }), [session.tenantId]);
  const integrations = useLoad(
    () => api.get<{ integrations: Integration[] }>(`/tenants/${encodeURIComponent(session.tenantId)}/integrations`),
    [api, session.tenantId],
  );
  return (
    <section aria-labelledby="tenant-heading">
      <h2 id="tenant-heading">Your own integrations</h2>
      <p className="hint">Integrations of your 3PL as a whole rather than of one customer.</p>
      {integrations.error && <ProblemView problem={integrations.error} heading="Your integrations could not be loaded" />}
      <IntegrationList
        scope={scope}
        types={types}
        integrations={integrations.data?.integrations ?? []}
        onChanged={() => void integrations.reload()}
      />
    </section>
  );
}
