// The integration's sync log: records needing attention (the error, what to do, Retry once it's fixed), every
// recent record with its status, one record's story, and the configuration history (who changed what).

import { useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { useTypes } from "../api/TypesContext";
import type { SyncRecord } from "../api/types";
import { ProblemView } from "../ui/ProblemView";
import { when } from "../ui/format";
import { useLoad } from "../ui/useLoad";
import { AttentionItem } from "./AttentionItem";
import { RecordLog } from "./RecordLog";
import { STATUS_LABELS } from "./status";

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
