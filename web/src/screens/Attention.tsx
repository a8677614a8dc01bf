// "Needs attention": what is wrong across the tenant's customers and integrations (a tenant admin), or across a
// customer user's own integrations — open alerts (what happened, since when) and the records that need a person.
// Filters by customer, platform and condition are the API's (GET …/alerts?customerId=&platform=&condition=); each
// row opens its integration's page, where the alert is acknowledged or snoozed and the records retried.

import { useMemo, useState } from "react";
import { Link } from "react-router";
import { useTypes } from "../api/TypesContext";
import { alertOverviewPath, alertRoute, integrationRoute } from "../api/paths";
import type { Alert, AlertOverview, AttentionRow, Customer } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { AlertActions } from "../integration/AlertsPanel";
import { LevelBadge } from "../ui/bits";
import { ProblemView } from "../ui/ProblemView";
import { ago, typeTitle, when } from "../ui/format";
import { useLoad } from "../ui/useLoad";
import { NotAllowed } from "./NotAllowed";

interface Filters {
  customerId: string;
  platform: string;
  condition: string;
  resolvedToo: boolean;
}

const NO_FILTERS: Filters = { customerId: "", platform: "", condition: "", resolvedToo: false };

/** Who an alert is about, as people name it. */
function alertSubjectName(alert: Alert): string {
  return alert.subject === "TENANT" ? "Your WMS connection" : alert.integrationName || "An integration";
}

function tenantAlertsPath(tenantId: string): string {
  return alertOverviewPath(tenantId, null);
}

function rowRoute(row: AttentionRow): string {
  return row.customerId
    ? integrationRoute({ kind: "customer", tenantId: "", customerId: row.customerId }, row.integrationId)
    : integrationRoute({ kind: "tenant", tenantId: "" }, row.integrationId);
}

export function Attention() {
  const { api, session } = useAuth();
  const types = useTypes();
  const admin = session.role === "admin";
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [announcement, setAnnouncement] = useState("");
  const path = alertOverviewPath(session.tenantId, admin ? null : session.customerId);
  const query = useMemo(() => {
    const params = new URLSearchParams();
    if (filters.customerId && admin) params.set("customerId", filters.customerId);
    if (filters.platform) params.set("platform", filters.platform);
    if (filters.condition) params.set("condition", filters.condition);
    if (filters.resolvedToo) params.set("state", "all");
    const text = params.toString();
    return text ? `?${text}` : "";
  }, [filters, admin]);
  const overview = useLoad(() => api.get<AlertOverview>(`${path}${query}`), [api, path, query]);
  const customers = useLoad(
    () => (admin ? api.get<{ customers: Customer[] }>(`/tenants/${encodeURIComponent(session.tenantId)}/customers`) : Promise.resolve({ customers: [] })),
    [api, admin, session.tenantId],
  );
  // Every condition an alert can be about (the API lists them all, whatever is filtered now).
  const conditions = overview.data?.conditions ?? [];

  if (overview.error?.status === 403 && !admin) return <NotAllowed problem={overview.error} />;
  const data = overview.data;
  const set = (change: Partial<Filters>) => setFilters({ ...filters, ...change });
  const stuck = data?.integrations.filter((row) => row.needsAttention > 0) ?? [];
  const filtered = filters.customerId !== "" || filters.platform !== "" || filters.condition !== "";

  return (
    <>
      <h1 tabIndex={-1}>Needs attention</h1>
      <p className="subtitle">
        {admin
          ? "Integrations that stopped working, and the records waiting for someone, across all your customers."
          : "Your integrations that stopped working, and the records waiting for someone."}
      </p>
      <form className="inline-form filters" role="search" aria-label="Filter" onSubmit={(event) => event.preventDefault()}>
        {admin && (
          <label>
            Customer{" "}
            <select value={filters.customerId} onChange={(e) => set({ customerId: e.target.value })}>
              <option value="">All customers</option>
              {customers.data?.customers.map((customer) => (
                <option key={customer.customerId} value={customer.customerId}>
                  {customer.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Platform{" "}
          <select value={filters.platform} onChange={(e) => set({ platform: e.target.value })}>
            <option value="">All platforms</option>
            {types.map((type) => (
              <option key={type.type} value={type.type}>
                {type.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Problem{" "}
          <select value={filters.condition} onChange={(e) => set({ condition: e.target.value })}>
            <option value="">All problems</option>
            {conditions.map((condition) => (
              <option key={condition.key} value={condition.key}>
                {condition.title}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" checked={filters.resolvedToo} onChange={(e) => set({ resolvedToo: e.target.checked })} /> Show resolved
          alerts too
        </label>
        {filtered && (
          <button type="button" onClick={() => setFilters({ ...NO_FILTERS, resolvedToo: filters.resolvedToo })}>
            Clear filters
          </button>
        )}
        <button type="button" onClick={() => void overview.reload()} disabled={overview.loading}>
          Refresh
        </button>
      </form>
      {overview.error && <ProblemView problem={overview.error} heading="What needs attention could not be loaded" />}
      <div role="status">{announcement && <p className="notice success">{announcement}</p>}</div>
      {!data && !overview.error && <p role="status">Loading…</p>}
      {data && (
        <>
          <section aria-labelledby="alerts-heading" className="panel">
            <h2 id="alerts-heading">Alerts</h2>
            {data.alerts.length === 0 ? (
              <p>{filtered ? "No alerts match these filters." : "No open alerts. Everything is working."}</p>
            ) : (
              <div className="table-wrap">
                <table className="alerts-table">
                  <thead>
                    <tr>
                      <th scope="col">Integration</th>
                      {admin && <th scope="col">Customer</th>}
                      <th scope="col">Problem</th>
                      <th scope="col">What happened</th>
                      <th scope="col">Since</th>
                      <th scope="col">State</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.alerts.map((alert) => (
                      <AlertRow
                        key={`${alert.subject}/${alert.condition}`}
                        alert={alert}
                        admin={admin}
                        customerName={customerName(data, customers.data?.customers, alert)}
                        onDone={(message) => {
                          setAnnouncement(message);
                          void overview.reload();
                        }}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          <section aria-labelledby="records-heading" className="panel">
            <h2 id="records-heading">Records needing attention</h2>
            {stuck.length === 0 ? (
              <p>No records need attention{filtered ? " among these integrations" : ""}.</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Integration</th>
                      {admin && <th scope="col">Customer</th>}
                      <th scope="col">Platform</th>
                      <th scope="col" className="number">
                        Records
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {stuck.map((row) => (
                      <tr key={row.integrationId}>
                        <td>
                          <Link to={rowRoute(row)}>{row.name}</Link>
                        </td>
                        {admin && <td>{row.customerName ?? "Your own integrations"}</td>}
                        <td>{typeTitle(types, row.platform)}</td>
                        <td className="number attention">
                          {row.needsAttention >= data.countedUpTo ? `${data.countedUpTo.toLocaleString()} or more` : row.needsAttention}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}

function customerName(data: AlertOverview, customers: Customer[] | undefined, alert: Alert): string {
  if (alert.subject === "TENANT") return "All customers";
  if (!alert.customerId) return "Your own integrations";
  const row = data.integrations.find((r) => r.integrationId === alert.subject);
  return row?.customerName ?? customers?.find((c) => c.customerId === alert.customerId)?.name ?? "A customer";
}

function AlertRow({ alert, admin, customerName, onDone }: { alert: Alert; admin: boolean; customerName: string; onDone: (message: string) => void }) {
  const types = useTypes();
  const route = alertRoute(alert);
  const name = alertSubjectName(alert);
  return (
    <tr>
      <td>
        {route ? <Link to={route}>{name}</Link> : admin ? <Link to="/settings">{name}</Link> : name}
        {alert.platform && alert.subject !== "TENANT" && <div className="muted">{typeTitle(types, alert.platform)}</div>}
      </td>
      {admin && <td>{customerName}</td>}
      <td>{alert.conditionTitle}</td>
      <td>
        {alert.summary}
        <div className="muted">What to do: {alert.whatToDo}</div>
      </td>
      <td>
        <time dateTime={alert.openedAt} title={when(alert.openedAt)}>
          {ago(alert.openedAt)}
        </time>
      </td>
      <td>
        <LevelBadge alert={alert} />
        {alert.state === "OPEN" && alert.snoozed && alert.snoozedUntil && <div className="muted">Snoozed until {when(alert.snoozedUntil)}</div>}
        {alert.state === "OPEN" && alert.acknowledgedBy && <div className="muted">Acknowledged by {alert.acknowledgedBy}</div>}
        {/* a tenant-wide alert has no integration page: it is acted on here */}
        {alert.state === "OPEN" && alert.subject === "TENANT" && admin && (
          <AlertActions alert={alert} base={`${tenantAlertsPath(alert.tenantId)}/TENANT/${encodeURIComponent(alert.condition)}`} onDone={onDone} />
        )}
      </td>
    </tr>
  );
}
