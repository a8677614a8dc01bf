// Check connection (issue 21): read-only probes of the platform account against what its connector assumes. Each
// assumption comes back confirmed, not as assumed (with what it means and what to do), not checkable without
// writing to the account, or not checked (the account could not be reached). Nothing is written to the account; the
// report is kept on the integration's configuration log.

import { useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { asProblem, type ApiProblem } from "../api/problem";
import type { LiveCheck, LiveCheckFinding } from "../api/types";
import { ProblemView } from "../ui/ProblemView";
import { humanize, plainWords, when } from "../ui/format";

const OUTCOMES: Record<LiveCheckFinding["outcome"], { label: string; tone: string }> = {
  refuted: { label: "Not as assumed", tone: "bad" },
  "could-not-check": { label: "Not checked", tone: "warn" },
  confirmed: { label: "Confirmed", tone: "good" },
  "not-checkable": { label: "Can't be checked read-only", tone: "muted" },
};
/** Notation of a platform's API rather than words: a request ("POST https://…", "GET /x"), a snake_case field. */
const TECHNICAL = /\b(GET|POST|PUT|PATCH|DELETE)\s+\S*\/|https?:\/\/|\b[a-z]+(?:_[a-z0-9]+)+\b/;
const ORDER: LiveCheckFinding["outcome"][] = ["refuted", "could-not-check", "confirmed", "not-checkable"];


export function ConnectionCheck({ path, initial = null }: { path: string; initial?: LiveCheck | null }) {
  const { api } = useAuth();
  const [report, setReport] = useState<LiveCheck | null>(initial);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);

  const check = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setReport(await api.post<LiveCheck>(`${path}/check`));
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const findings = report ? [...report.findings].sort((a, b) => ORDER.indexOf(a.outcome) - ORDER.indexOf(b.outcome)) : [];
  return (
    <section aria-labelledby="check-heading" className="panel">
      <h2 id="check-heading">Connection check</h2>
      <p className="hint">
        Asks the account, without changing anything in it, whether it behaves as this integration expects.
      </p>
      <button type="button" className="primary" onClick={() => void check()} disabled={busy}>
        {busy ? "Checking…" : "Check connection"}
      </button>
      {problem && <ProblemView problem={problem} heading="The check did not run" />}
      {report && (
        <div className="connection-check" role="status" aria-live="polite">
          <p>
            <strong>{plainWords(report.summary)}</strong> <span className="hint">({when(report.checkedAt)})</span>
          </p>
          <ul className="findings">
            {findings.map((finding) => {
              // An assumption written in the platform API's own terms (a request, a field name) is headed by its
              // name; its words, with what the probe saw, are under "What was checked" for whoever asks the platform.
              const technical = TECHNICAL.test(finding.assumes);
              return (
                <li key={finding.key} className={`finding ${OUTCOMES[finding.outcome].tone}`}>
                  <span className={`badge ${OUTCOMES[finding.outcome].tone}`}>{OUTCOMES[finding.outcome].label}</span>{" "}
                  <strong>{technical ? humanize(finding.key.replace(/-/g, "_")) : plainWords(finding.assumes)}</strong>
                  {finding.means && (
                    <p className="resolution">
                      {finding.outcome === "not-checkable" ? "If it is not so: " : "What it means: "}
                      {plainWords(finding.means)}
                    </p>
                  )}
                  <details className="seen">
                    <summary>What was checked</summary>
                    {technical && <p>{finding.assumes}</p>}
                    <p>{finding.seen}</p>
                  </details>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </section>
  );
}
