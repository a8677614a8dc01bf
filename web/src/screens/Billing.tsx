// The tenant admin's weekly statements (docs/billing.md): one ISO week at a time, per customer with each
// integration's charge, totals, and the CSV to pass costs on or reconcile the invoice. A past week can be billed
// again (only missing charges are written). Locally, the demo can bill the current week early.

import { useEffect, useState } from "react";
import { useTypes } from "../api/TypesContext";
import { saveFile } from "../api/client";
import { asProblem, type ApiProblem } from "../api/problem";
import type { Statement } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { runDemoBilling } from "../auth/demo";
import { ProblemView } from "../ui/ProblemView";
import { isoWeek, money, shiftWeek, typeTitle, when } from "../ui/format";
import { useLoad } from "../ui/useLoad";

const WEEK = /^2\d{3}-W(0[1-9]|[1-4]\d|5[0-3])$/;
// After a billing run is queued, the statement is read again at these delays (seconds): its charges are written by the
// BillingQueue's consumer, in a moment when idle and later when busy; no run says when it is done.
const FOLLOW_S = [2, 5, 10, 20, 40];

/** What a reader of the statement would notice changed (a billing run wrote charges). */
function figures(statement: Statement | undefined): string {
  return statement ? `${statement.totalCents}/${statement.integrationCount}/${statement.customers.length}` : "";
}

export function Billing() {
  const { api, session, config } = useAuth();
  const types = useTypes();
  const thisWeek = isoWeek();
  const lastWeek = shiftWeek(thisWeek, -1);
  const pathOf = (w: string) => `/tenants/${encodeURIComponent(session.tenantId)}/statements/${encodeURIComponent(w)}`;
  // The page opens on the newest statement: last week's once Monday's run has billed it, else this week's so far.
  // Reading last week also answers who may see billing at all: a customer user gets only the API's refusal.
  const opening = useLoad(() => api.get<Statement>(pathOf(lastWeek)), [api, session.tenantId, lastWeek]);
  const [chosen, setChosen] = useState<string | null>(null);
  const week = chosen ?? (opening.data ? (opening.data.customers.length > 0 ? lastWeek : thisWeek) : null);
  const [typed, setTyped] = useState("");
  const [filter, setFilter] = useState("");
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const base = pathOf(week ?? lastWeek);
  const statement = useLoad(() => (week ? api.get<Statement>(base) : new Promise<Statement>(() => undefined)), [api, base, week]);
  // The week whose billing was just queued, what its statement said then (and a count, so a second run is followed
  // again): the "being billed" note goes once the statement shows the run's charges.
  const [following, setFollowing] = useState<{ week: string; run: number; before: string } | null>(null);
  const shown = statement.data?.customers.filter((c) => !filter || c.customerId === filter) ?? [];

  useEffect(() => {
    if (week && !typed) setTyped(week);
  }, [week, typed]);

  useEffect(() => {
    if (!following || following.week !== week) return;
    const timers = FOLLOW_S.map((s) => window.setTimeout(() => void statement.reload(), s * 1000));
    // Nothing changed by the last read: the run found nothing missing (the week was billed already).
    timers.push(window.setTimeout(() => {
      setFollowing(null);
      setNote(`The statement for ${following.week} is complete: nothing more was charged.`);
    }, (FOLLOW_S[FOLLOW_S.length - 1] + 2) * 1000));
    return () => timers.forEach((timer) => window.clearTimeout(timer));
    // `statement.reload` changes with `week`, which the check above covers.
  }, [following, week]);

  useEffect(() => {
    if (!following || following.week !== week || !statement.data || statement.data.week !== week) return;
    if (figures(statement.data) !== following.before) {
      setFollowing(null);
      setNote(`The statement for ${week} is up to date.`);
    }
  }, [statement.data, following, week]);
  const follow = () => setFollowing((last) => ({ week: week ?? "", run: (last?.run ?? 0) + 1, before: figures(statement.data) }));

  if (opening.error) {
    return (
      <>
        <h1 tabIndex={-1}>Billing</h1>
        <ProblemView problem={opening.error} heading="The statement could not be loaded" />
      </>
    );
  }
  if (!week) {
    return (
      <>
        <h1 tabIndex={-1}>Billing</h1>
        <p role="status">Loading…</p>
      </>
    );
  }
  const billed = (statement.data?.customers.length ?? 0) > 0;
  const demo = config.auth.mode === "demo";

  const pick = (next: string) => {
    setChosen(next);
    setTyped(next);
    setNote("");
    setProblem(null);
  };

  const act = async (what: () => Promise<string>) => {
    setBusy(true);
    setProblem(null);
    setNote("");
    try {
      setNote(await what());
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const download = () =>
    act(async () => {
      const file = await api.download(`${base}?format=csv`, "text/csv", `statement-${week}.csv`);
      saveFile(file);
      return `Downloaded ${file.filename}.`;
    });

  const billAgain = () =>
    act(async () => {
      const run = await api.post<{ queued: number }>(`/tenants/${encodeURIComponent(session.tenantId)}/billing-runs`, { week });
      follow();
      return `${week} is being billed (${run.queued === 1 ? "1 run" : `${run.queued} runs`}); its charges appear in a moment.`;
    });

  const demoBill = () =>
    act(async () => {
      if (!demo || config.auth.mode !== "demo") return "";
      await runDemoBilling(config.auth.helperUrl, week);
      follow();
      return `Local demo: ${week} is being billed now; the statement fills in a moment.`;
    });

  return (
    <>
      <h1 tabIndex={-1}>Billing</h1>
      <p className="hint">Each live integration is charged once for every ISO week (UTC, Monday to Monday) it was live in.</p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (WEEK.test(typed)) pick(typed);
          else setProblem(asProblem(new Error(`"${typed}" is not an ISO week like ${thisWeek}.`)));
        }}
      >
        <button type="button" onClick={() => pick(shiftWeek(week, -1))} aria-label="Previous week">
          ‹ Previous
        </button>
        <label>
          <span>Week</span>
          <input type="week" value={typed} pattern="\d{4}-W\d{2}" placeholder={thisWeek} onChange={(event) => setTyped(event.target.value)} />
        </label>
        <button type="submit">Show</button>
        <button type="button" onClick={() => pick(shiftWeek(week, 1))} disabled={week >= thisWeek} aria-label="Next week">
          Next ›
        </button>
      </form>
      <div className="row-actions">
        <button type="button" className="primary" disabled={busy || !statement.data} onClick={() => void download()}>
          Download CSV
        </button>
        {/* An ended week Monday's run missed can be billed; a billed one only again in the local demo. */}
        {week < thisWeek && statement.data && (!billed || demo) && (
          <button type="button" disabled={busy || !statement.data} onClick={() => void billAgain()}>
            {billed ? `Bill ${week} again (local demo)` : `Bill ${week}`}
          </button>
        )}
        {demo && week === thisWeek && (
          <button type="button" disabled={busy || !statement.data} onClick={() => void demoBill()}>
            Bill this week now (local demo)
          </button>
        )}
      </div>
      <div role="status">{note && <p className="notice success">{note}</p>}</div>
      {problem && <ProblemView problem={problem} />}
      {statement.error && <ProblemView problem={statement.error} heading="The statement could not be loaded" />}
      {statement.data && (
        <section aria-labelledby="statement-heading">
          <h2 id="statement-heading">
            Statement {statement.data.week}{" "}
            <span className="muted">
              ({when(statement.data.weekStart)} – {when(statement.data.weekEnd)})
            </span>
          </h2>
          <p className="total">
            {statement.data.integrationCount} integration{statement.data.integrationCount === 1 ? "" : "s"} · total{" "}
            <strong>{money(statement.data.totalCents)}</strong>
            {week >= thisWeek && " (this week isn't over: Monday's run bills it)"}
          </p>
          {statement.data.customers.length > 1 && (
            <label className="search">
              <span>Customer</span>
              <select value={filter} onChange={(event) => setFilter(event.target.value)}>
                <option value="">All customers</option>
                {statement.data.customers.map((c) => (
                  <option key={c.customerId} value={c.customerId}>
                    {c.customerName}
                  </option>
                ))}
              </select>
            </label>
          )}
          {statement.data.customers.length === 0 && <p>No charges for this week.</p>}
          {shown.map((customer) => (
            <div key={customer.customerId} className="table-wrap statement-customer">
              <table>
                <caption>
                  {customer.customerName} — {customer.integrationCount} integration{customer.integrationCount === 1 ? "" : "s"},{" "}
                  {money(customer.totalCents)}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Integration</th>
                    <th scope="col">Type</th>
                    <th scope="col">Live from</th>
                    <th scope="col">Live until</th>
                    <th scope="col" className="number">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {customer.integrations.map((line) => (
                    <tr key={line.integrationId}>
                      <th scope="row">{line.name}</th>
                      <td>{typeTitle(types, line.type)}</td>
                      <td>{when(line.periodStart)}</td>
                      <td>{line.periodEnd ? when(line.periodEnd) : "still live"}</td>
                      <td className="number">{money(line.amountCents)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </section>
      )}
    </>
  );
}
