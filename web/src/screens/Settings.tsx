// Tenant settings (admin): name, WMS region and API client (write-only: "set", never shown), the weekly price, which
// customers may manage their own integrations, the WMS notification secret — generated here and shown once — and
// who is told about alerts, and when (AlertSettings).

import { useEffect, useState, type FormEvent } from "react";
import { ApiProblem, asProblem } from "../api/problem";
import type { Customer, TenantSettings } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { ProblemView } from "../ui/ProblemView";
import { money } from "../ui/format";
import { useLoad } from "../ui/useLoad";
import { AlertSettings } from "./AlertSettings";
import { NotificationSecret } from "./NotificationSecret";

const REGIONS = ["https://api.cartoncloud.com", "https://api.na.cartoncloud.com"];

interface Draft {
  name: string;
  wmsBaseUrl: string;
  clientId: string;
  clientSecret: string;
  price: string;
  selfManaged: string[];
}

function newTenant(tenantId: string): TenantSettings {
  return { tenantId, name: "", wmsBaseUrl: REGIONS[0], wmsCredentialsSet: false, notificationSecretSet: false, weeklyPriceCents: 1000, selfManagedCustomerIds: [] };
}

function fieldError(problem: ApiProblem | null, ...fields: string[]): string | undefined {
  return problem?.errors.find((e) => fields.some((f) => e.field === f || e.field.startsWith(`${f}.`) || e.field.startsWith(`${f}[`)))?.reason;
}

export function Settings() {
  const { api, session } = useAuth();
  const base = `/tenants/${encodeURIComponent(session.tenantId)}`;
  const settings = useLoad(() => api.get<TenantSettings>(`${base}/settings`), [api, base]);
  const customers = useLoad(() => api.get<{ customers: Customer[] }>(`${base}/customers`), [api, base]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const s = settings.error?.status === 404 ? newTenant(session.tenantId) : settings.data;
    if (!s) return;
    setDraft({ name: s.name, wmsBaseUrl: s.wmsBaseUrl, clientId: "", clientSecret: "", price: (s.weeklyPriceCents / 100).toFixed(2), selfManaged: s.selfManagedCustomerIds });
  }, [settings.data, settings.error, session.tenantId]);

  // A tenant not registered yet (404): the same form registers it, once its API client is saved.
  const unregistered = settings.error?.status === 404;
  if (settings.error && !unregistered) return <><h1 tabIndex={-1}>Settings</h1><ProblemView problem={settings.error} heading="The settings could not be loaded" /></>;
  const current: TenantSettings | undefined = unregistered ? newTenant(session.tenantId) : settings.data;
  if (!current || !draft) return <><h1 tabIndex={-1}>Settings</h1><p role="status">Loading…</p></>;
  const regions = REGIONS.includes(current.wmsBaseUrl) ? REGIONS : [current.wmsBaseUrl, ...REGIONS];
  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const cents = Math.round(Number(draft.price) * 100);
    const body: Record<string, unknown> = {};
    if (draft.name !== current.name) body.name = draft.name;
    if (draft.wmsBaseUrl !== current.wmsBaseUrl) body.wmsBaseUrl = draft.wmsBaseUrl;
    if (draft.clientId || draft.clientSecret) body.wmsCredentials = { clientId: draft.clientId, clientSecret: draft.clientSecret };
    if (!/^\d+(\.\d{1,2})?$/.test(draft.price.trim())) {
      setProblem(new ApiProblem(0, { title: "Check the price", errors: [{ field: "weeklyPriceCents", reason: "Enter an amount in dollars, e.g. 10.00" }] }));
      return;
    }
    if (cents !== current.weeklyPriceCents) body.weeklyPriceCents = cents;
    const sameCustomers = [...draft.selfManaged].sort().join() === [...current.selfManagedCustomerIds].sort().join();
    if (!sameCustomers) body.selfManagedCustomerIds = draft.selfManaged;
    if (Object.keys(body).length === 0) {
      setNote("Nothing changed.");
      return;
    }
    setBusy(true);
    setProblem(null);
    setNote("");
    try {
      await api.put<TenantSettings>(`${base}/settings`, body);
      await settings.reload();
      void customers.reload();
      setNote("Settings saved.");
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const error = (id: string, ...fields: string[]) => {
    const reason = fieldError(problem, ...fields);
    return reason ? <span id={`${id}-error`} className="field-error">{reason}</span> : null;
  };
  const describedBy = (id: string, ...fields: string[]) => (fieldError(problem, ...fields) ? `${id}-error` : undefined);

  return (
    <>
      <h1 tabIndex={-1}>Settings</h1>
      {unregistered && (
        <p className="notice">Your 3PL is not registered with the integrations service yet: save its CartonCloud API client to register it.</p>
      )}
      <form className="settings" onSubmit={(event) => void save(event)} noValidate>
        <fieldset>
          <legend>Your 3PL</legend>
          <label htmlFor="name">Name</label>
          <input id="name" value={draft.name} maxLength={200} onChange={(e) => set({ name: e.target.value })} aria-describedby={describedBy("name", "name")} />
          {error("name", "name")}
        </fieldset>
        <fieldset>
          <legend>CartonCloud API client</legend>
          <p className="hint">
            From CartonCloud: More › Self-Managed Integrations. Checked with CartonCloud when you save; stored encrypted and never
            shown. Status: <strong>{current.wmsCredentialsSet ? "set" : "not set"}</strong>.
          </p>
          <label htmlFor="region">Region</label>
          <select id="region" value={draft.wmsBaseUrl} onChange={(e) => set({ wmsBaseUrl: e.target.value })} aria-describedby={describedBy("region", "wmsBaseUrl")}>
            {regions.map((url) => (
              <option key={url} value={url}>
                {url}
              </option>
            ))}
          </select>
          {error("region", "wmsBaseUrl")}
          <label htmlFor="client-id">Client ID</label>
          <input id="client-id" value={draft.clientId} autoComplete="off" placeholder={current.wmsCredentialsSet ? "Set — leave blank to keep" : ""}
            onChange={(e) => set({ clientId: e.target.value })} aria-describedby={describedBy("client-id", "wmsCredentials.clientId")} />
          {error("client-id", "wmsCredentials.clientId")}
          <label htmlFor="client-secret">Client secret</label>
          <input id="client-secret" type="password" value={draft.clientSecret} autoComplete="new-password" placeholder={current.wmsCredentialsSet ? "Set — leave blank to keep" : ""}
            onChange={(e) => set({ clientSecret: e.target.value })} aria-describedby={describedBy("client-secret", "wmsCredentials", "wmsCredentials.clientSecret")} />
          {error("client-secret", "wmsCredentials", "wmsCredentials.clientSecret")}
        </fieldset>
        <fieldset>
          <legend>Price</legend>
          <label htmlFor="price">Weekly price per live integration (AUD)</label>
          <input id="price" inputMode="decimal" value={draft.price} onChange={(e) => set({ price: e.target.value })} aria-describedby={describedBy("price", "weeklyPriceCents") ?? "price-hint"} />
          <span id="price-hint" className="hint">Now {money(current.weeklyPriceCents)}; a change applies to weeks billed from now on.</span>
          {error("price", "weeklyPriceCents")}
        </fieldset>
        <fieldset>
          <legend>Customers who manage their own integrations</legend>
          {customers.error && <ProblemView problem={customers.error} heading="The customers could not be listed" />}
          {error("customers", "selfManagedCustomerIds")}
          <ul className="checkbox-list">
            {customers.data?.customers.map((customer) => (
              <li key={customer.customerId}>
                <label className="inline">
                  <input
                    type="checkbox"
                    checked={draft.selfManaged.includes(customer.customerId)}
                    onChange={(e) =>
                      set({ selfManaged: e.target.checked ? [...draft.selfManaged, customer.customerId] : draft.selfManaged.filter((id) => id !== customer.customerId) })
                    }
                  />{" "}
                  {customer.name}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        {problem && <ProblemView problem={problem} heading="The settings were not saved" />}
        <div role="status">{note && <p className="notice success">{note}</p>}</div>
        <div className="box-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Save settings"}
          </button>
        </div>
      </form>
      <NotificationSecret tenantId={session.tenantId} isSet={current.notificationSecretSet} onRotated={() => void settings.reload()} />
      {current.alerts && <AlertSettings tenantId={session.tenantId} settings={current.alerts} onSaved={() => void settings.reload()} />}
    </>
  );
}
