// The tenant's alert settings (docs/alerts.md): who is mailed, the chat or incident tool the alerts are posted to
// (its secret generated here and shown once), whether customers who manage their own integrations get their own
// integrations' alerts, and when a problem becomes an alert (each threshold with its default). Saved with the tenant
// settings (PUT …/settings {"alerts": …}): only what changed is sent.

import { useEffect, useState, type FormEvent } from "react";
import { ApiProblem, asProblem } from "../api/problem";
import type { AlertSettings as Settings, AlertThresholds, TenantSettings } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { Dialog } from "../ui/Dialog";
import { ProblemView } from "../ui/ProblemView";

/** The defaults the service applies until a tenant sets its own (AlertThresholds in the API). */
export const DEFAULT_THRESHOLDS: AlertThresholds = {
  attentionHours: 24,
  waitingHours: 2,
  pollMissedIntervals: 3,
  notificationSilenceHours: 6,
  budgetWarningPercent: 80,
  budgetCriticalPercent: 95,
  platformCheckMinutes: 60,
  digestAfter: 3,
};

const THRESHOLDS: { key: keyof AlertThresholds; label: string; unit: string; step: string }[] = [
  { key: "attentionHours", label: "A record has needed attention for more than", unit: "hours", step: "any" },
  { key: "waitingHours", label: "A record has waited for a platform's request limit for more than", unit: "hours", step: "any" },
  { key: "pollMissedIntervals", label: "The regular check of a platform has not run for", unit: "of its intervals", step: "1" },
  { key: "notificationSilenceHours", label: "CartonCloud has sent no change notification, while orders change, for", unit: "hours", step: "any" },
  { key: "budgetWarningPercent", label: "A platform's monthly request allowance is used up to (warning)", unit: "%", step: "1" },
  { key: "budgetCriticalPercent", label: "A platform's monthly request allowance is used up to (critical)", unit: "%", step: "1" },
  { key: "platformCheckMinutes", label: "Checks that ask a platform itself run at most every", unit: "minutes", step: "1" },
  { key: "digestAfter", label: "More alerts than this at once go out as one summary mail", unit: "alerts", step: "1" },
];

interface Draft {
  emails: string;
  webhookUrl: string;
  customersReceiveAlerts: boolean;
  thresholds: Record<keyof AlertThresholds, string>;
}

function draftOf(settings: Settings): Draft {
  return {
    emails: settings.channels.emails.join("\n"),
    webhookUrl: settings.channels.webhookUrl ?? "",
    customersReceiveAlerts: settings.channels.customersReceiveAlerts,
    thresholds: Object.fromEntries(THRESHOLDS.map(({ key }) => [key, String(settings.thresholds[key])])) as Record<keyof AlertThresholds, string>,
  };
}

/** The addresses typed, one per line (commas and spaces separate them too). */
function addresses(text: string): string[] {
  return text.split(/[\s,;]+/).map((a) => a.trim()).filter(Boolean);
}

function reasonFor(problem: ApiProblem | null, field: string): string | undefined {
  return problem?.errors.find((e) => e.field === field || e.field.startsWith(`${field}[`) || e.field.startsWith(`${field}.`))?.reason;
}

export function AlertSettings({ tenantId, settings, onSaved }: { tenantId: string; settings: Settings; onSaved: () => void }) {
  const { api } = useAuth();
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => setDraft(draftOf(settings)), [settings]);
  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setNote("");
    const channels: Record<string, unknown> = {};
    const emails = addresses(draft.emails);
    if (emails.join("\n") !== settings.channels.emails.join("\n")) channels.emails = emails;
    if (draft.webhookUrl.trim() !== (settings.channels.webhookUrl ?? "")) channels.webhookUrl = draft.webhookUrl.trim();
    if (draft.customersReceiveAlerts !== settings.channels.customersReceiveAlerts) channels.customersReceiveAlerts = draft.customersReceiveAlerts;
    const thresholds: Record<string, number> = {};
    for (const { key, step } of THRESHOLDS) {
      const text = draft.thresholds[key].trim();
      const value = Number(text);
      if (text === "" || Number.isNaN(value) || (step === "1" && !Number.isInteger(value))) {
        setProblem(new ApiProblem(0, { title: "Check the thresholds", errors: [{ field: `alerts.thresholds.${key}`, reason: step === "1" ? "Enter a whole number" : "Enter a number" }] }));
        return;
      }
      if (value !== settings.thresholds[key]) thresholds[key] = value;
    }
    const alerts: Record<string, unknown> = {};
    if (Object.keys(channels).length > 0) alerts.channels = channels;
    if (Object.keys(thresholds).length > 0) alerts.thresholds = thresholds;
    if (Object.keys(alerts).length === 0) {
      setNote("Nothing changed.");
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await api.put<TenantSettings>(`/tenants/${encodeURIComponent(tenantId)}/settings`, { alerts });
      onSaved();
      setNote("Alert settings saved.");
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (id: string, field: string) => {
    const reason = reasonFor(problem, field);
    return reason ? (
      <span id={`${id}-error`} className="field-error">
        {reason}
      </span>
    ) : null;
  };
  const describedBy = (id: string, field: string, hint?: string) => (reasonFor(problem, field) ? `${id}-error` : hint);

  return (
    <section aria-labelledby="alert-settings-heading" className="panel">
      <h2 id="alert-settings-heading">Alerts</h2>
      <p>When an integration stops working, or records wait too long for someone, an alert is opened and the people below are told. It resolves by itself once the problem clears.</p>
      <form className="settings" onSubmit={(event) => void save(event)} noValidate>
        <fieldset>
          <legend>Who is told</legend>
          <label htmlFor="alert-emails">Mail addresses (one per line, at most 10)</label>
          <textarea id="alert-emails" rows={3} value={draft.emails} onChange={(e) => set({ emails: e.target.value })}
            aria-describedby={describedBy("alert-emails", "alerts.channels.emails")} />
          {fieldError("alert-emails", "alerts.channels.emails")}
          <label htmlFor="alert-webhook">Post alerts to this address (a chat or incident tool's webhook)</label>
          <input id="alert-webhook" type="url" value={draft.webhookUrl} placeholder="https://" onChange={(e) => set({ webhookUrl: e.target.value })}
            aria-describedby={describedBy("alert-webhook", "alerts.channels.webhookUrl", "alert-webhook-hint")} />
          <span id="alert-webhook-hint" className="hint">Must start with https://. Leave empty to post nowhere.</span>
          {fieldError("alert-webhook", "alerts.channels.webhookUrl")}
          <label className="inline">
            <input type="checkbox" checked={draft.customersReceiveAlerts} onChange={(e) => set({ customersReceiveAlerts: e.target.checked })} /> Customers
            who manage their own integrations are told about their own integrations too (at the addresses they give)
          </label>
        </fieldset>
        <fieldset>
          <legend>When a problem becomes an alert</legend>
          {THRESHOLDS.map(({ key, label, unit, step }) => (
            <div key={key} className="form-group">
              <label htmlFor={`threshold-${key}`}>
                {label} ({unit})
              </label>
              <input id={`threshold-${key}`} inputMode={step === "1" ? "numeric" : "decimal"} value={draft.thresholds[key]}
                onChange={(e) => set({ thresholds: { ...draft.thresholds, [key]: e.target.value } })}
                aria-describedby={describedBy(`threshold-${key}`, `alerts.thresholds.${key}`, `threshold-${key}-hint`)} />
              <span id={`threshold-${key}-hint`} className="hint">
                Default: {DEFAULT_THRESHOLDS[key]}
              </span>
              {fieldError(`threshold-${key}`, `alerts.thresholds.${key}`)}
            </div>
          ))}
        </fieldset>
        {problem && <ProblemView problem={problem} heading="The alert settings were not saved" />}
        <div role="status">{note && <p className="notice success">{note}</p>}</div>
        <div className="box-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Save alert settings"}
          </button>
        </div>
      </form>
      <WebhookSecret tenantId={tenantId} isSet={settings.channels.webhookSecretSet} onGenerated={onSaved} />
    </section>
  );
}

/** The secret the alert posts are signed with: generated here, shown once, then only "set". */
function WebhookSecret({ tenantId, isSet, onGenerated }: { tenantId: string; isSet: boolean; onGenerated: () => void }) {
  const { api } = useAuth();
  const [secret, setSecret] = useState<string | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);

  const generate = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const answer = await api.post<{ webhookSecret: string }>(`/tenants/${encodeURIComponent(tenantId)}/settings/alert-webhook-secret`);
      setSecret(answer.webhookSecret);
      onGenerated();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setSecret(null); // gone from the page: it is shown once
    setCopied(false);
  };

  return (
    <div className="webhook-secret">
      <h3>Signing secret of the alert posts</h3>
      <p>
        Status: <strong>{isSet ? "set" : "not set"}</strong>. The receiving tool checks each post with it.
        {isSet && " A new one replaces it at once."}
      </p>
      {problem && <ProblemView problem={problem} heading="No secret was generated" />}
      <button type="button" disabled={busy} onClick={() => void generate()}>
        {busy ? "Generating…" : isSet ? "Generate a new signing secret" : "Generate a signing secret"}
      </button>
      {secret && (
        <Dialog title="Your new signing secret" onClose={close}>
          <p className="notice">This is the only time the secret is shown. Copy it into the receiving tool before you close the window.</p>
          <p>
            <code className="secret">{secret}</code>{" "}
            <button type="button" onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => undefined)}>
              {copied ? "Copied" : "Copy"}
            </button>
          </p>
          <div className="box-actions">
            <button type="button" className="primary" onClick={close}>
              I have copied it
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
