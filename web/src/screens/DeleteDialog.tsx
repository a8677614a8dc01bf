// Delete Integration: asks first, and says what happens — its triggers stop now, billing stops from next week (this
// week is still charged only if it was live in it: docs/billing.md; a draft never live is never charged), its sync
// history stays readable.

import { useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { asProblem, type ApiProblem } from "../api/problem";
import { integrationPath, type Scope } from "../api/paths";
import type { Integration } from "../api/types";
import { Dialog } from "../ui/Dialog";
import { ProblemView } from "../ui/ProblemView";

interface Props {
  scope: Scope;
  integration: Integration;
  typeTitle: string;
  onDeleted: (deleted: Integration) => void;
  onClose: () => void;
}

/** Monday 00:00 UTC of this ISO week (billing's weeks). */
function weekStart(now: Date): number {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return day - ((now.getUTCDay() || 7) - 1) * 86400000;
}

/** Billing charges a week in which the integration was live at any moment (docs/billing.md). */
export function chargedThisWeek(integration: Integration, now: Date = new Date()): boolean {
  const start = weekStart(now);
  return (
    integration.status === "LIVE" ||
    (integration.livePeriods ?? []).some((period) => !period.end || new Date(period.end).getTime() > start)
  );
}

export function DeleteDialog({ scope, integration, typeTitle, onDeleted, onClose }: Props) {
  const { api } = useAuth();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [deleted, setDeleted] = useState<Integration | null>(null);

  const remove = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const answer = await api.delete<Integration>(integrationPath(scope, integration.integrationId));
      setDeleted(answer);
      onDeleted(answer);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Delete ${typeTitle} integration “${integration.name}”?`} onClose={onClose} busy={busy}>
      {deleted ? (
        <>
          <p className="notice success" role="status">
            “{integration.name}” is deleted.{chargedThisWeek(integration) ? " Billing stops from next week." : ""} Its sync history stays
            readable.
          </p>
          {deleted.stopWarning && (
            <div className="problem" role="alert">
              <p>
                <strong>Something was left behind on {typeTitle}:</strong> {deleted.stopWarning}
              </p>
            </div>
          )}
          <div className="box-actions">
            <button type="button" className="primary" onClick={onClose}>
              Done
            </button>
          </div>
        </>
      ) : (
        <>
          <ul>
            <li>Its triggers on {typeTitle} are removed now: nothing more syncs.</li>
            {chargedThisWeek(integration) ? (
              <li>
                <strong>Billing stops from next week.</strong> This week is still charged: it was live this week.
              </li>
            ) : (
              <li>
                <strong>Nothing is charged for it:</strong> only weeks in which an integration was live are charged.
              </li>
            )}
            <li>Its sync history is kept and stays readable.</li>
          </ul>
          {problem && <ProblemView problem={problem} heading="The integration was not deleted" />}
          <div className="box-actions">
            <button type="button" disabled={busy} onClick={onClose}>
              Cancel
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
              {busy ? "Deleting…" : "Delete integration"}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
