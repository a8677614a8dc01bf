// The integrations of one customer (or of the tenant), by type, as the product's "Self-Managed Integrations" menu:
// each type with Configure, each existing integration with its status and the three-dot menu (Reconfigure, Delete
// Integration). Generic over every type the API lists for this scope.

import { Suspense, useState } from "react";
import { Link } from "react-router";
import { integrationRoute, type Scope } from "../api/paths";
import type { Integration, IntegrationType } from "../api/types";
import { ConfigureBox } from "../configure/lazy";
import { StatusBadge } from "../ui/bits";
import { humanize } from "../ui/format";
import { MenuButton } from "../ui/MenuButton";
import { DeleteDialog } from "./DeleteDialog";

interface Props {
  scope: Scope;
  types: IntegrationType[];
  integrations: Integration[];
  onChanged: () => void;
}

type Opened = { type: IntegrationType; integration?: Integration; startAt?: Integration["nextStep"] } | null;

export function IntegrationList({ scope, types, integrations, onChanged }: Props) {
  const [opened, setOpened] = useState<Opened>(null);
  const [deleting, setDeleting] = useState<Integration | null>(null);

  return (
    <>
      <ul className="type-list">
        {types.map((type) => {
          const mine = integrations.filter((i) => i.type === type.type);
          return (
            <li key={type.type} className="type-card">
              <div className="type-head">
                <h3>{type.title}</h3>
                <button type="button" onClick={() => setOpened({ type })} aria-label={`Configure a new ${type.title} integration`}>
                  Configure
                </button>
              </div>
              {!type.available && <p className="hint">{type.availability ?? "Not available yet."}</p>}
              {mine.length > 0 && (
                <ul className="integration-rows" aria-label={`${type.title} integrations`}>
                  {mine.map((integration) => (
                    <li key={integration.integrationId} className={`integration-row status-${integration.status.toLowerCase()}`}>
                      <Link to={integrationRoute(scope, integration.integrationId)}>{integration.name}</Link>
                      <StatusBadge status={integration.status} nextStep={integration.nextStep} />
                      {integration.status !== "DELETED" && (
                        <MenuButton
                          label={`Options for ${integration.name}`}
                          items={[
                            integration.status === "DRAFT"
                              ? { label: "Continue setup", onSelect: () => setOpened({ type, integration, startAt: integration.nextStep }) }
                              : { label: "Reconfigure", onSelect: () => setOpened({ type, integration, startAt: "name" }) },
                            { label: "Delete Integration", danger: true, onSelect: () => setDeleting(integration) },
                          ]}
                        />
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
      {opened && (
        <Suspense fallback={<p role="status">Opening the configuration box…</p>}>
          <ConfigureBox
            type={opened.type}
            scope={scope}
            integration={opened.integration}
            startAt={opened.startAt ?? undefined}
            onChanged={onChanged}
            onClose={() => setOpened(null)}
          />
        </Suspense>
      )}
      {deleting && (
        <DeleteDialog
          scope={scope}
          integration={deleting}
          typeTitle={types.find((t) => t.type === deleting.type)?.title ?? humanize(deleting.type)}
          onDeleted={onChanged}
          onClose={() => setDeleting(null)}
        />
      )}
    </>
  );
}
