// Small things several screens show the same way.

import type { Alert, ConnectedAccount, IntegrationStatus } from "../api/types";
import { STEP_LABELS } from "./format";

/** The product's green dot: a customer with a live integration. Never colour alone: the text says it too. */
export function GreenDot({ live }: { live: boolean }) {
  return live ? (
    <span className="green-dot" title="Has live integrations">
      <span className="visually-hidden">Has live integrations</span>
    </span>
  ) : null;
}

export function StatusBadge({ status, nextStep }: { status: IntegrationStatus; nextStep?: string | null }) {
  const label = status === "LIVE" ? "Live" : status === "DRAFT" ? "Draft" : "Deleted";
  return (
    <span className={`badge badge-${status.toLowerCase()}`}>
      {label}
      {status === "DRAFT" && nextStep ? ` — next: ${STEP_LABELS[nextStep] ?? nextStep}` : ""}
    </span>
  );
}

export function Time({ iso, children }: { iso: string | null | undefined; children?: string }) {
  if (!iso) return null;
  return (
    <time dateTime={iso} title={iso}>
      {children}
    </time>
  );
}

/** An alert's state: Warning or Critical while open, Resolved after (words, not colour alone). */
export function LevelBadge({ alert }: { alert: Pick<Alert, "state" | "level"> }) {
  if (alert.state === "RESOLVED") return <span className="badge good">Resolved</span>;
  return alert.level === "critical" ? <span className="badge bad">Critical</span> : <span className="badge warn">Warning</span>;
}

/** The platform account an integration is connected to: its name and its address (a store's URL). */
export function AccountName({ account }: { account: ConnectedAccount }) {
  return (
    <>
      {account.name}
      {account.name && account.address ? " · " : ""}
      {account.address && <span className="account-address">{account.address}</span>}
    </>
  );
}
