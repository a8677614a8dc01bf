// A type action's JSON answer as people read it, for any action (no per-platform code): an object's values as labelled
// facts, a list of objects as a table, nested lists under their own headings; times in the reader's zone, yes/no for
// flags, "—" for nothing. Values shown once (a new credential, a new URL) each get a Copy button.

import { useState } from "react";
import { humanize, when } from "../ui/format";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const isRecord = (value: Json): value is { [key: string]: Json } => typeof value === "object" && value !== null && !Array.isArray(value);

export function plainValue(value: Json | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "string") return ISO_INSTANT.test(value) ? when(value) : value;
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.length ? value.map((v) => plainValue(v)).join(", ") : "None";
  return Object.entries(value)
    .map(([key, v]) => `${humanize(key)}: ${plainValue(v)}`)
    .join("; ");
}

function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={copied ? `${label} copied` : `Copy ${label}`}
      onClick={() => void navigator.clipboard?.writeText(value).then(() => setCopied(true), () => undefined)}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

function Table({ rows, caption }: { rows: { [key: string]: Json }[]; caption: string }) {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {humanize(column)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {columns.map((column) => (
                <td key={column}>{plainValue(row[column])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Value({ name, value, shownOnce }: { name: string; value: Json; shownOnce: boolean }) {
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
    return <Table rows={value} caption={humanize(name)} />;
  }
  if (isRecord(value)) return <Facts value={value} shownOnce={shownOnce} />;
  const text = plainValue(value);
  if (shownOnce && typeof value === "string" && value && !ISO_INSTANT.test(value)) {
    return (
      <>
        <code className="secret">{value}</code> <CopyButton value={value} label={humanize(name)} />
      </>
    );
  }
  return <>{text}</>;
}

function Facts({ value, shownOnce }: { value: { [key: string]: Json }; shownOnce: boolean }) {
  const entries = Object.entries(value);
  const flat = entries.filter(([, v]) => !(Array.isArray(v) && v.some(isRecord)) && !isRecord(v));
  const nested = entries.filter(([, v]) => (Array.isArray(v) && v.some(isRecord)) || isRecord(v));
  return (
    <>
      {flat.length > 0 && (
        <dl className="facts">
          {flat.map(([key, v]) => (
            <div key={key} className="fact">
              <dt>{humanize(key)}</dt>
              <dd>
                <Value name={key} value={v} shownOnce={shownOnce} />
              </dd>
            </div>
          ))}
        </dl>
      )}
      {nested.map(([key, v]) => (
        <section key={key} className="result-part">
          <h4>{humanize(key)}</h4>
          <Value name={key} value={v} shownOnce={shownOnce} />
        </section>
      ))}
    </>
  );
}

export function ResultView({ value, shownOnce = false }: { value: unknown; shownOnce?: boolean }) {
  const json = value as Json;
  return (
    <div className="result">
      {shownOnce && <p className="notice">This is the only time it is shown: copy it now.</p>}
      {Array.isArray(json) && json.every(isRecord) ? (
        json.length ? <Table rows={json} caption="Result" /> : <p>None.</p>
      ) : isRecord(json) ? (
        <Facts value={json} shownOnce={shownOnce} />
      ) : (
        <p>{plainValue(json)}</p>
      )}
    </div>
  );
}
