// (5) Finish: what it will cost, before the integration goes live (help pages: "$10 per week per integration billed
// weekly", or the tenant's own price), then live — billed from this week.

import { useEffect, useState, type RefObject } from "react";
import { useAuth } from "../auth/AuthContext";
import { asProblem, type ApiProblem } from "../api/problem";
import { integrationPath, type Scope } from "../api/paths";
import type { ConnectedAccount, Integration, IntegrationType, LiveCheck } from "../api/types";
import { ConnectionCheck } from "../integration/ConnectionCheck";
import { AccountName } from "../ui/bits";
import { Notices } from "../ui/Notices";
import { ProblemView } from "../ui/ProblemView";
import { forTheBox } from "./errors";
import { money } from "../ui/format";

interface Props {
  type: IntegrationType;
  scope: Scope;
  integration: Integration;
  headingRef: RefObject<HTMLHeadingElement | null>;
  onBack: () => void;
  onFinished: (live: Integration) => void;
  onClose: () => void;
}

export function FinishStep({ type, scope, integration, headingRef, onBack, onFinished, onClose }: Props) {
  const { api } = useAuth();
  const [price, setPrice] = useState<number | null>(integration.weeklyPriceCents ?? null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  // What the API hands over once at finish (a webhook URL to enter in the platform, a widget's credential): kept in
  // this component only, so it is gone once the box closes, as the API never shows it again.
  const [handedOver, setHandedOver] = useState<Record<string, string> | null>(null);
  // The live check made at finish (issue 21): shown here once, as the integration page's "Check connection" shows it.
  const [checked, setChecked] = useState<LiveCheck | null>(null);
  const live = integration.status === "LIVE";

  // The account it is connected to, and the price when the answer at hand lacks it: GET of one integration says both.
  const [account, setAccount] = useState<ConnectedAccount | null>(integration.connectedAccount ?? null);
  useEffect(() => {
    let current = true;
    api.get<Integration>(integrationPath(scope, integration.integrationId)).then(
      (detail) => {
        if (!current) return;
        setPrice((known) => known ?? detail.weeklyPriceCents ?? null);
        setAccount(detail.connectedAccount ?? null);
      },
      () => undefined, // the price falls back to the product's default below
    );
    return () => {
      current = false;
    };
  }, [api, scope, integration.integrationId]);

  const cost = price !== null ? `${money(price)} per week` : `${money(1000)} per week, unless your 3PL has set its own price`;

  const finish = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const finished = await api.post<Integration>(`${integrationPath(scope, integration.integrationId)}/finish`);
      if (finished.shownOnce && Object.keys(finished.shownOnce).length > 0) setHandedOver(finished.shownOnce);
      if (finished.liveCheck) setChecked(finished.liveCheck);
      onFinished(finished);
    } catch (error) {
      setProblem(forTheBox(asProblem(error), "Finish"));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="finish-heading" className="step">
      <h3 id="finish-heading" tabIndex={-1} ref={headingRef}>
        (5) Finish
      </h3>
      <dl className="facts">
        <dt>Integration</dt>
        <dd>
          {type.title}: {integration.name}
        </dd>
        {account && (
          <>
            <dt>Connected to</dt>
            <dd>
              <AccountName account={account} />
            </dd>
          </>
        )}
        <dt>Cost</dt>
        <dd>
          <strong>{cost}</strong>, billed weekly. {live ? "It is being billed now." : "Billing starts this week once you finish."}
        </dd>
      </dl>
      {problem && <ProblemView problem={problem} heading="The integration did not go live" />}
      {live ? (
        <>
          <p className="notice success">This integration is live. Any step you save takes effect at once.</p>
          <Notices notices={integration.notices} />
          {checked && <ConnectionCheck path={integrationPath(scope, integration.integrationId)} initial={checked} />}
          {handedOver && (
            <section aria-labelledby="shown-once-heading" className="notice">
              <h4 id="shown-once-heading">Keep these now: they are shown once</h4>
              <p>Copy them before you close this box. To get new ones later, rotate them from the integration's actions.</p>
              <dl className="facts">
                {Object.entries(handedOver).map(([key, value]) => (
                  <div key={key}>
                    <dt>{label(key)}</dt>
                    <dd>
                      <code>{value}</code>
                    </dd>
                  </div>
                ))}
              </dl>
            </section>
          )}
          <div className="box-actions">
            <button type="button" className="primary" onClick={onClose}>
              Done
            </button>
          </div>
        </>
      ) : (
        <>
          {!type.available && <p className="notice">{type.availability ?? `${type.title} can't go live in this deployment yet.`}</p>}
          <p>Finishing starts the integration: orders sync from now on.</p>
          <div className="box-actions">
            <button type="button" disabled={busy} onClick={onBack}>
              Back
            </button>
            <button type="button" className="primary" disabled={busy || !type.available} onClick={() => void finish()}>
              {busy ? "Starting…" : "Finish"}
            </button>
          </div>
        </>
      )}
    </section>
  );
}

/** "webhookUrl" → "Webhook URL": the API's keys as a person reads them. */
function label(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(" ");
  return words
    .map((word, i) => (/^(url|id|api)$/i.test(word) ? word.toUpperCase() : i === 0 ? word[0].toUpperCase() + word.slice(1) : word.toLowerCase()))
    .join(" ");
}
