// Is it working? Live or draft, when its platform last reached us, when a record last synced, what needs attention,
// and — for a platform we poll — when the safety net last ran (GET …/integrations/{id}: health).

import type { Integration, IntegrationType } from "../api/types";
import { AccountName, StatusBadge } from "../ui/bits";
import { ago, money, when } from "../ui/format";

function Moment({ iso, none }: { iso: string | null | undefined; none: string }) {
  if (!iso) return <span className="muted">{none}</span>;
  return (
    <time dateTime={iso} title={`${iso} (UTC)`}>
      {ago(iso)} <span className="muted">({when(iso)})</span>
    </time>
  );
}

export function HealthPanel({ integration, type }: { integration: Integration; type?: IntegrationType }) {
  const health = integration.health;
  const since = integration.livePeriods.at(-1)?.start;
  return (
    <section aria-labelledby="health-heading" className="panel">
      <h2 id="health-heading">Health</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={integration.status} nextStep={integration.nextStep} />
          {integration.status === "LIVE" && since && <> since {when(since)}</>}
          {integration.status === "DELETED" && integration.deletedAt && <> on {when(integration.deletedAt)}</>}
        </dd>
        {integration.weeklyPriceCents !== undefined && integration.status === "LIVE" && (
          <>
            <dt>Cost</dt>
            <dd>{money(integration.weeklyPriceCents)} per week</dd>
          </>
        )}
        {health && (
          <>
            <dt>Last webhook received</dt>
            <dd>
              {health.receivesWebhooks ? (
                <Moment iso={health.lastWebhookAt} none="None yet" />
              ) : (
                <span className="muted">{type?.title ?? "This platform"} sends no webhooks to us</span>
              )}
            </dd>
            <dt>Last successful sync</dt>
            <dd>
              <Moment iso={health.lastSyncedAt} none="None yet" />
            </dd>
            <dt>Records needing attention</dt>
            <dd className={health.needsAttention ? "attention" : undefined}>
              {health.needsAttention}
              {health.recordsChecked >= 100 && <span className="muted"> among the latest {health.recordsChecked} records</span>}
            </dd>
            {health.poll && (
              <>
                <dt>Safety-net poll</dt>
                <dd>
                  Last run <Moment iso={health.poll.lastRunAt} none="not yet (it runs every few minutes while live)" />
                  {health.poll.newestChangeAt && (
                    <span className="muted"> · changes read up to {when(health.poll.newestChangeAt)}</span>
                  )}
                </dd>
              </>
            )}
          </>
        )}
        {integration.connectedAccount && (
          <>
            <dt>Connected to</dt>
            <dd>
              <AccountName account={integration.connectedAccount} />
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}
