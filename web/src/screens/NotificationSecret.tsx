// The secret that signs CartonCloud's change notifications to us (docs/wms-notifications.md). CartonCloud's staff
// set up its webhooks, so the 3PL hands them this secret: generated here, shown once, then only "set". Generating a
// new one replaces the old at once (notifications signed with it are refused from then on).

import { useState } from "react";
import { asProblem, type ApiProblem } from "../api/problem";
import { useAuth } from "../auth/AuthContext";
import { Dialog } from "../ui/Dialog";
import { ProblemView } from "../ui/ProblemView";

interface Generated {
  notificationSecret: string;
  notificationUrl: string;
  signature: string;
}

export function NotificationSecret({ tenantId, isSet, onRotated }: { tenantId: string; isSet: boolean; onRotated: () => void }) {
  const { api } = useAuth();
  const [confirming, setConfirming] = useState(false);
  const [generated, setGenerated] = useState<Generated | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);

  const rotate = async () => {
    setBusy(true);
    setProblem(null);
    try {
      setGenerated(await api.post<Generated>(`/tenants/${encodeURIComponent(tenantId)}/notification-secret`));
      setConfirming(false);
      onRotated();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  const close = () => {
    setGenerated(null); // gone from the page: it is shown once
    setCopied(false);
  };

  return (
    <section aria-labelledby="secret-heading" className="panel">
      <h2 id="secret-heading">WMS notification secret</h2>
      <p>
        Status: <strong>{isSet ? "set" : "not set"}</strong>. CartonCloud signs its change notifications to us with it; give it
        to CartonCloud's integration staff with the notification URL.
      </p>
      <button type="button" onClick={() => setConfirming(true)}>
        {isSet ? "Generate a new secret" : "Generate the secret"}
      </button>
      {confirming && (
        <Dialog title="Generate a new notification secret?" onClose={() => setConfirming(false)} busy={busy}>
          {isSet && (
            <p>
              <strong>The current secret stops working at once:</strong> notifications CartonCloud signs with it are refused until it
              uses the new one. The poll still catches changes in the meantime.
            </p>
          )}
          <p>The new secret is shown once. Copy it before you close the window.</p>
          {problem && <ProblemView problem={problem} heading="No secret was generated" />}
          <div className="box-actions">
            <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button type="button" className="primary" disabled={busy} onClick={() => void rotate()}>
              {busy ? "Generating…" : "Generate"}
            </button>
          </div>
        </Dialog>
      )}
      {generated && (
        <Dialog title="Your new notification secret" onClose={close}>
          <p className="notice">This is the only time the secret is shown.</p>
          <dl className="facts">
            <dt>Secret</dt>
            <dd>
              <code className="secret">{generated.notificationSecret}</code>{" "}
              <button
                type="button"
                onClick={() => void navigator.clipboard?.writeText(generated.notificationSecret).then(() => setCopied(true), () => undefined)}
              >
                {copied ? "Copied" : "Copy"}
              </button>
            </dd>
            <dt>Notification URL</dt>
            <dd>
              <code>{generated.notificationUrl}</code>
            </dd>
            <dt>Signing</dt>
            <dd>
              <code>{generated.signature}</code>
            </dd>
          </dl>
          <div className="box-actions">
            <button type="button" className="primary" onClick={close}>
              I have copied it
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
