// One integration: its health, its alerts (acknowledge, snooze, history), what needs attention (Retry), its sync log, backfill and its type's actions, with
// Reconfigure and Delete Integration. Customer-scope (/customers/{c}/integrations/{i}) or tenant-scope
// (/tenant/integrations/{i}) by address.

import { Suspense, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { typeNamed, useTypes } from "../api/TypesContext";
import { integrationPath, type Scope } from "../api/paths";
import type { Integration } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { ActionsPanel, ConfigureBox } from "../configure/lazy";
import { AlertsPanel } from "../integration/AlertsPanel";
import { BackfillPanel } from "../integration/BackfillPanel";
import { ConnectionCheck } from "../integration/ConnectionCheck";
import { HealthPanel } from "../integration/HealthPanel";
import { Notices } from "../ui/Notices";
import { SyncLog } from "../integration/SyncLog";
import { ProblemView } from "../ui/ProblemView";
import { humanize } from "../ui/format";
import { useLoad } from "../ui/useLoad";
import { DeleteDialog } from "./DeleteDialog";
import { useTellHeaderCustomer } from "./Layout";

/** How often an open integration's health and log are read again. */
const REFRESH_MS = 10_000;

export function IntegrationView() {
  const { customerId, integrationId = "" } = useParams();
  const { api, session } = useAuth();
  const types = useTypes();
  const scope = useMemo<Scope>(
    () => (customerId ? { kind: "customer", tenantId: session.tenantId, customerId } : { kind: "tenant", tenantId: session.tenantId }),
    [session.tenantId, customerId],
  );
  const path = integrationPath(scope, integrationId);
  const loaded = useLoad(() => api.get<Integration>(path), [api, path]);
  const [version, setVersion] = useState(0);
  const [configuring, setConfiguring] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const integration = loaded.data;
  useTellHeaderCustomer(integration?.customerName, session.role === "customer");
  const type = integration ? typeNamed(types, integration.type) : undefined;
  const refresh = () => {
    void loaded.reload();
    setVersion((v) => v + 1);
  };

  // Health and the log follow what happens while the page is open (a retry, a webhook), without a click.
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
    // One timer per integration: `refresh` itself changes every render.
  }, [path]);

  const back = customerId ? `/customers/${encodeURIComponent(customerId)}` : "/customers";

  return (
    <>
      <p className="breadcrumb">
        <Link to={back}>{integration?.customerName || (customerId ? "Customer" : "Your own integrations")}</Link> ›
      </p>
      <h1 tabIndex={-1}>{integration ? integration.name : loaded.error ? "Integration" : "…"}</h1>
      {loaded.error && <ProblemView problem={loaded.error} heading="This integration could not be shown" />}
      {integration && (
        <>
          <div className="title-row">
            <p className="subtitle">{type?.title ?? humanize(integration.type)} integration</p>
            <div className="row-actions">
              <button type="button" onClick={refresh} disabled={loaded.loading}>
                Refresh
              </button>
              {integration.status !== "DELETED" && type && (
                <>
                  <button type="button" onClick={() => setConfiguring(true)}>
                    {integration.status === "DRAFT" ? "Continue setup" : "Reconfigure"}
                  </button>
                  <button type="button" className="danger" onClick={() => setDeleting(true)}>
                    Delete Integration
                  </button>
                </>
              )}
            </div>
          </div>
          {integration.stopWarning && <p className="notice">{integration.stopWarning}</p>}
          <Notices notices={integration.notices} />
          <HealthPanel integration={integration} type={type} />
          <AlertsPanel path={path} version={version} canAct={integration.status !== "DELETED"} />
          <SyncLog path={path} version={version} canRetry={integration.status !== "DELETED"} onChanged={() => void loaded.reload()} />
          {integration.credentialsSet && integration.status !== "DELETED" && <ConnectionCheck path={path} />}
          {integration.health?.readsFromPlatform && integration.status === "LIVE" && <BackfillPanel path={path} />}
          <Suspense fallback={<p role="status">Loading…</p>}>
            {type?.actions && type.actions.length > 0 && integration.status !== "DELETED" && (
              <ActionsPanel actions={type.actions} path={path} live={integration.status === "LIVE"} />
            )}
            {configuring && type && (
              <ConfigureBox
                type={type}
                scope={scope}
                integration={integration}
                startAt={integration.status === "DRAFT" ? integration.nextStep ?? "name" : "name"}
                onChanged={() => void loaded.reload()}
                onClose={() => setConfiguring(false)}
              />
            )}
          </Suspense>
          {deleting && (
            <DeleteDialog
              scope={scope}
              integration={integration}
              typeTitle={type?.title ?? humanize(integration.type)}
              onDeleted={() => void loaded.reload()}
              onClose={() => setDeleting(false)}
            />
          )}
        </>
      )}
    </>
  );
}
