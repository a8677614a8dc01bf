// An integration's alerts (GET …/integrations/{id}/alerts): each open one with what happened and what to do,
// Acknowledge ("someone is on it") and Snooze (no reminders for an hour or a day; it still resolves by itself when
// the problem clears), and the history of its alerts, newest first — who acknowledged or snoozed, when each opened
// and resolved, who was told.

import { useState } from "react";
import { asProblem, type ApiProblem } from "../api/problem";
import type { Alert, IntegrationAlerts } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { LevelBadge } from "../ui/bits";
import { ProblemView } from "../ui/ProblemView";
import { ago, when } from "../ui/format";
import { useLoad } from "../ui/useLoad";

const EVENTS: Record<string, string> = {
  opened: "Opened",
  updated: "Became more serious",
  resolved: "Resolved",
  acknowledged: "Acknowledged",
  snoozed: "Snoozed",
  notified: "People were told",
  "delivery-failed": "Could not tell people",
};

interface Props {
  /** The integration's API path. */
  path: string;
  /** Bumped by the page to read the alerts again (its Refresh, and every few seconds). */
  version: number;
  canAct: boolean;
}

export function AlertsPanel({ path, version, canAct }: Props) {
  const { api } = useAuth();
  const loaded = useLoad(() => api.get<IntegrationAlerts>(`${path}/alerts`), [api, path, version]);
  const [announcement, setAnnouncement] = useState("");
  const open = loaded.data?.alerts.filter((alert) => alert.state === "OPEN") ?? [];
  const titles = Object.fromEntries((loaded.data?.alerts ?? []).map((alert) => [alert.condition, alert.conditionTitle]));

  return (
    <section aria-labelledby="alerts-heading" className="panel">
      <h2 id="alerts-heading">Alerts</h2>
      {loaded.error && <ProblemView problem={loaded.error} heading="The alerts could not be loaded" />}
      <div role="status">{announcement && <p className="notice success">{announcement}</p>}</div>
      {loaded.data && open.length === 0 && <p>No open alerts.</p>}
      <ul className="alert-list">
        {open.map((alert) => (
          <OpenAlert
            key={alert.condition}
            alert={alert}
            path={path}
            canAct={canAct}
            onDone={(message) => {
              setAnnouncement(message);
              void loaded.reload();
            }}
          />
        ))}
      </ul>
      {loaded.data && loaded.data.history.length > 0 && (
        <details>
          <summary>History ({loaded.data.history.length})</summary>
          <ol className="log">
            {loaded.data.history.map((entry) => (
              <li key={`${entry.at}/${entry.condition}/${entry.event}/${entry.message}`}>
                <time dateTime={entry.at} title={entry.at}>
                  {when(entry.at, true)}
                </time>{" "}
                <strong>{EVENTS[entry.event] ?? entry.event}</strong> · {titles[entry.condition] ?? entry.condition}
                <p>{entry.message}</p>
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}

function OpenAlert({ alert, path, canAct, onDone }: { alert: Alert; path: string; canAct: boolean; onDone: (message: string) => void }) {
  return (
    <li className={`alert-item ${alert.level}`}>
      <p>
        <LevelBadge alert={alert} /> <strong>{alert.conditionTitle}</strong>{" "}
        <span className="muted">
          since{" "}
          <time dateTime={alert.openedAt} title={when(alert.openedAt)}>
            {ago(alert.openedAt)}
          </time>
        </span>
      </p>
      <p>{alert.summary}</p>
      <p className="resolution">What to do: {alert.whatToDo}</p>
      {alert.acknowledgedBy && (
        <p className="muted">
          Acknowledged by {alert.acknowledgedBy}
          {alert.acknowledgedAt && <> {ago(alert.acknowledgedAt)}</>}
        </p>
      )}
      {alert.snoozed && alert.snoozedUntil && <p className="muted">Snoozed until {when(alert.snoozedUntil)}: no reminders until then.</p>}
      {canAct && <AlertActions alert={alert} base={`${path}/alerts/${encodeURIComponent(alert.condition)}`} onDone={onDone} />}
    </li>
  );
}

/** Acknowledge and Snooze (1 hour, 1 day) for one open alert at ``base`` (…/alerts/{condition}); a refusal is shown
 * in place (e.g. the alert resolved meanwhile). */
export function AlertActions({ alert, base, onDone }: { alert: Alert; base: string; onDone: (message: string) => void }) {
  const { api } = useAuth();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const act = async (what: "acknowledge" | "snooze", body: unknown, message: string) => {
    setBusy(true);
    setProblem(null);
    try {
      await api.post<Alert>(`${base}/${what}`, body);
      onDone(message);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {problem && <ProblemView problem={problem} heading="That did not work" />}
      <div className="row-actions">
        {!alert.acknowledgedBy && (
          <button type="button" disabled={busy} onClick={() => void act("acknowledge", undefined, `Acknowledged: ${alert.conditionTitle}.`)}>
            Acknowledge
          </button>
        )}
        <button type="button" disabled={busy} onClick={() => void act("snooze", { hours: 1 }, `Snoozed for 1 hour: ${alert.conditionTitle}.`)}>
          Snooze 1 hour
        </button>
        <button type="button" disabled={busy} onClick={() => void act("snooze", { hours: 24 }, `Snoozed for 1 day: ${alert.conditionTitle}.`)}>
          Snooze 1 day
        </button>
      </div>
    </>
  );
}
