// The integration's sync log: records needing attention (the error, what to do, Retry once it's fixed), every
// recent record with its status, one record's story, and the configuration history (who changed what).

import { useEffect, useRef, useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { asProblem, type ApiProblem } from "../api/problem";
import { useTypes } from "../api/TypesContext";
import type { SyncEntry, SyncRecord } from "../api/types";
import { Dialog } from "../ui/Dialog";
import { ProblemView } from "../ui/ProblemView";
import { when } from "../ui/format";
import { useLoad } from "../ui/useLoad";

const STATUS_LABELS: Record<string, string> = {
  SYNCED: "Synced",
  PENDING: "In progress",
  WAITING: "Waiting",
  NEEDS_ATTENTION: "Needs attention",
  SKIPPED: "Skipped",
};
/** How long a retry is followed on the page before the person is left to refresh. */
const FOLLOW_MS = 30_000;

function useRecordLabel(): (record: SyncRecord) => string {
  const types = useTypes();
  return (record) => {
    const platform = types.find((t) => t.type === record.platform)?.title ?? (record.platform === "wms" ? "WMS" : record.platform);
    return `${platform} ${record.recordType.replace(/_/g, " ").toLowerCase()} ${record.recordId}`;
  };
}

interface Props {
  /** The integration's API path. */
  path: string;
  /** Bumped by the page to read the log again (its Refresh, and every few seconds). */
  version: number;
  canRetry: boolean;
  /** A record changed (a retry finished): the health view reloads too. */
  onChanged: () => void;
}

export function SyncLog({ path, version, canRetry, onChanged }: Props) {
  const { api } = useAuth();
  const label = useRecordLabel();
  const records = useLoad(
    () => api.get<{ records: SyncRecord[]; configurationLogKey: string }>(`${path}/sync-log?limit=100`),
    [api, path, version],
  );
  const [showing, setShowing] = useState<{ key: string; title: string } | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const attention = records.data?.records.filter((r) => r.status === "NEEDS_ATTENTION") ?? [];

  return (
    <>
      <section aria-labelledby="attention-heading" className="panel">
        <h2 id="attention-heading">Needs attention</h2>
        {records.error && <ProblemView problem={records.error} heading="The sync log could not be loaded" />}
        <div role="status">{announcement && <p className="notice success">{announcement}</p>}</div>
        {records.data && attention.length === 0 && <p>Nothing needs attention.</p>}
        <ul className="attention-list">
          {attention.map((record) => (
            <AttentionItem
              key={record.recordKey}
              record={record}
              label={label(record)}
              path={path}
              canRetry={canRetry}
              onShow={() => setShowing({ key: record.recordKey, title: label(record) })}
              onSettled={(outcome) => {
                if (outcome) setAnnouncement(outcome);
                void records.reload();
                onChanged();
              }}
            />
          ))}
        </ul>
      </section>
      <section aria-labelledby="records-heading" className="panel">
        <div className="panel-head">
          <h2 id="records-heading">Sync log</h2>
          <div className="row-actions">
            {records.data && (
              <button type="button" onClick={() => setShowing({ key: records.data!.configurationLogKey, title: "Configuration history" })}>
                Configuration history
              </button>
            )}
          </div>
        </div>
        {records.data && records.data.records.length === 0 && <p>No record has synced yet.</p>}
        {records.data && records.data.records.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Recent records, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Status</th>
                  <th scope="col">Updated</th>
                  <th scope="col">
                    <span className="visually-hidden">Log</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {records.data.records.map((record) => (
                  <tr key={record.recordKey}>
                    <th scope="row">{label(record)}</th>
                    <td>
                      <span className={`badge sync-${record.status.toLowerCase()}`}>{STATUS_LABELS[record.status] ?? record.status}</span>
                    </td>
                    <td>
                      <time dateTime={record.updatedAt}>{when(record.updatedAt)}</time>
                    </td>
                    <td>
                      <button type="button" className="link" onClick={() => setShowing({ key: record.recordKey, title: label(record) })}>
                        View log<span className="visually-hidden"> of {label(record)}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {showing && <RecordLog path={path} recordKey={showing.key} title={showing.title} onClose={() => setShowing(null)} />}
    </>
  );
}

interface AttentionProps {
  record: SyncRecord;
  label: string;
  path: string;
  canRetry: boolean;
  onShow: () => void;
  /** The retry's outcome is known; a message when it is one to announce after the item leaves the list. */
  onSettled: (outcome: string) => void;
}

function AttentionItem({ record, label, path, canRetry, onShow, onSettled }: AttentionProps) {
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
      <p className="error-text">{lastError || record.lastError}</p>
      {record.resolution && <p className="resolution">What to do: {record.resolution}</p>}
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

function RecordLog({ path, recordKey, title, onClose }: { path: string; recordKey: string; title: string; onClose: () => void }) {
  const { api } = useAuth();
  const log = useLoad(
    () => api.get<{ status: string | null; entries: SyncEntry[] }>(`${path}/sync-log/entries?record=${encodeURIComponent(recordKey)}`),
    [api, path, recordKey],
  );
  return (
    <Dialog title={title} onClose={onClose} wide>
      {log.error && <ProblemView problem={log.error} />}
      {log.data && (
        <>
          {log.data.status && <p>Status: {STATUS_LABELS[log.data.status] ?? log.data.status}</p>}
          {log.data.entries.length === 0 && <p>No entries.</p>}
          <ol className="log">
            {log.data.entries.map((entry, index) => (
              <li key={`${entry.at}:${index}`} className={entry.error ? "log-error" : undefined}>
                <time dateTime={entry.at}>{when(entry.at, true)}</time> <span className="event">{entry.event}</span>
                {entry.attempt ? <span className="muted"> (attempt {entry.attempt})</span> : null}
                <p className={entry.error === entry.message ? "error-text" : undefined}>{entry.message}</p>
                {entry.error && entry.error !== entry.message && <p className="error-text">{entry.error}</p>}
                {entry.resolution && <p className="resolution">What to do: {entry.resolution}</p>}
              </li>
            ))}
          </ol>
        </>
      )}
    </Dialog>
  );
}
