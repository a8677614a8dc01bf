// One record's story: its status and every log entry, oldest first (the API's sync-log entries of that record).

import { useAuth } from "../auth/AuthContext";
import type { SyncEntry } from "../api/types";
import { Dialog } from "../ui/Dialog";
import { ProblemView } from "../ui/ProblemView";
import { humanize, plainWords, when } from "../ui/format";
import { useLoad } from "../ui/useLoad";
import { STATUS_LABELS } from "./status";

export function RecordLog({ path, recordKey, title, onClose }: { path: string; recordKey: string; title: string; onClose: () => void }) {
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
                <time dateTime={entry.at}>{when(entry.at, true)}</time> <span className="event">{/_/.test(entry.event) ? humanize(entry.event) : entry.event}</span>
                {entry.attempt ? <span className="muted"> (attempt {entry.attempt})</span> : null}
                <p className={entry.error === entry.message ? "error-text" : undefined}>{plainWords(entry.message)}</p>
                {entry.error && entry.error !== entry.message && <p className="error-text">{plainWords(entry.error)}</p>}
                {entry.resolution && <p className="resolution">What to do: {plainWords(entry.resolution)}</p>}
              </li>
            ))}
          </ol>
        </>
      )}
    </Dialog>
  );
}
