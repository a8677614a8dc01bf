// Backfill (product decision 5: "offer a date-range backfill"): sync the platform's records of a past window, at
// most 92 days, exactly as live sync would (nothing already in the WMS is created again), with its progress.

import { useEffect, useState, type FormEvent } from "react";
import { useAuth } from "../auth/AuthContext";
import { asProblem, type ApiProblem } from "../api/problem";
import type { Backfill } from "../api/types";
import { ProblemView } from "../ui/ProblemView";
import { when } from "../ui/format";

const DAY = 86_400_000;
const dateOnly = (date: Date) => date.toISOString().slice(0, 10);

export function BackfillPanel({ path }: { path: string }) {
  const { api } = useAuth();
  const today = new Date();
  const [from, setFrom] = useState(dateOnly(new Date(today.getTime() - 7 * DAY)));
  const [to, setTo] = useState(dateOnly(today));
  const [backfill, setBackfill] = useState<Backfill | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  // Follow a running backfill until it is done.
  useEffect(() => {
    if (!backfill || backfill.status !== "RUNNING") return;
    const timer = window.setTimeout(() => {
      api.get<Backfill>(`${path}/backfills/${encodeURIComponent(backfill.backfillId)}`).then(setBackfill, (e: unknown) => setProblem(asProblem(e)));
    }, 2000);
    return () => window.clearTimeout(timer);
  }, [api, path, backfill]);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      // Whole UTC days: from the start of the first to the end of the last (the API's window is [from, to)).
      const end = new Date(new Date(`${to}T00:00:00Z`).getTime() + DAY).toISOString();
      setBackfill(await api.post<Backfill>(`${path}/backfill`, { from: `${from}T00:00:00Z`, to: end }));
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="backfill-heading" className="panel">
      <h2 id="backfill-heading">Backfill</h2>
      <p className="hint">Sync the platform's records of a past period (UTC days, at most 92). Records already synced are not created again.</p>
      <form className="inline-form" onSubmit={(event) => void start(event)}>
        <label>
          <span>From</span>
          <input type="date" required value={from} max={to} onChange={(event) => setFrom(event.target.value)} />
        </label>
        <label>
          <span>To (inclusive)</span>
          <input type="date" required value={to} min={from} max={dateOnly(today)} onChange={(event) => setTo(event.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy || backfill?.status === "RUNNING"}>
          {busy ? "Starting…" : "Start backfill"}
        </button>
      </form>
      {problem && <ProblemView problem={problem} heading="The backfill did not start" />}
      {backfill && (
        <div className="backfill-progress" role="status" aria-live="polite">
          <p>
            <strong>{backfill.status === "RUNNING" ? "Running" : "Done"}</strong>: {when(backfill.start)} to {when(backfill.end)}
          </p>
          <progress max={1} value={backfill.status === "DONE" ? 1 : undefined} aria-label="Backfill progress" />
          <p>
            {backfill.pages} page{backfill.pages === 1 ? "" : "s"} read · {backfill.queued} record{backfill.queued === 1 ? "" : "s"} queued for
            sync · {backfill.passedOver} passed over (not in a status that syncs)
            {backfill.finishedAt && <> · finished {when(backfill.finishedAt)}</>}
          </p>
        </div>
      )}
    </section>
  );
}
