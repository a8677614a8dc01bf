// A record that needs attention: the error, what to do, and Retry once the cause is fixed. The page follows the
// retry until the worker has re-run it: synced, or refused again (the new error shown in place).

import { useEffect, useRef, useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { asProblem, type ApiProblem } from "../api/problem";
import type { SyncRecord } from "../api/types";
import { ProblemView } from "../ui/ProblemView";
import { plainWords, when } from "../ui/format";

/** How long a retry is followed on the page before the person is left to refresh: the worker re-runs the item in
 * seconds when idle, but a busy queue (or a slow upstream) can take a minute. */
const FOLLOW_MS = 90_000;

export interface AttentionProps {
  record: SyncRecord;
  label: string;
  path: string;
  canRetry: boolean;
  onShow: () => void;
  /** The retry's outcome is known; a message when it is one to announce after the item leaves the list. */
  onSettled: (outcome: string) => void;
}

export function AttentionItem({ record, label, path, canRetry, onShow, onSettled }: AttentionProps) {
  const { api } = useAuth();
  const [state, setState] = useState<"idle" | "queued" | "synced" | "failed">("idle");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [lastError, setLastError] = useState<string>("");
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const retry = async () => {
    setProblem(null);
    setState("queued");
    try {
      await api.post(`${path}/sync-log/retry`, { record: record.recordKey });
    } catch (error) {
      setProblem(asProblem(error));
      setState("idle");
      return;
    }
    // Follow the retry: once the worker has re-run the item, the record is SYNCED, or updated and still refused.
    const until = Date.now() + FOLLOW_MS;
    while (alive.current && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      try {
        const listed = await api.get<{ records: SyncRecord[] }>(`${path}/sync-log?limit=100`);
        const now = listed.records.find((r) => r.recordKey === record.recordKey);
        if (now?.status === "SYNCED") {
          setState("synced");
          onSettled(`Retried ${label}: synced.`);
          return;
        }
        if (now && now.status === "NEEDS_ATTENTION" && now.updatedAt !== record.updatedAt) {
          setLastError(now.lastError ?? "");
          setState("failed");
          onSettled("");
          return;
        }
      } catch {
        // keep following; the Refresh button is there if the API stays away
      }
    }
    if (alive.current) setState("idle");
  };

  return (
    <li className="attention-item">
      <p className="record-label">
        <strong>{label}</strong> <span className="muted">since {when(record.updatedAt)}</span>
      </p>
      <p className="error-text">{plainWords(lastError || record.lastError)}</p>
      {record.resolution && <p className="resolution">What to do: {plainWords(record.resolution)}</p>}
      {problem && <ProblemView problem={problem} heading="The retry was not queued" />}
      <div className="row-actions" aria-live="polite">
        {canRetry && (
          <button type="button" className="primary" disabled={state === "queued"} onClick={() => void retry()}>
            {state === "queued" ? "Retrying…" : "Retry"}
            <span className="visually-hidden"> {label}</span>
          </button>
        )}
        <button type="button" onClick={onShow}>
          View log<span className="visually-hidden"> of {label}</span>
        </button>
        {state === "queued" && <span role="status">Retry queued; waiting for the outcome…</span>}
        {state === "synced" && <span role="status" className="success-text">Retried: synced.</span>}
        {state === "failed" && <span role="status" className="error-text">The retry failed again (above).</span>}
      </div>
    </li>
  );
}

