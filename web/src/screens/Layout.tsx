// The frame of every screen: skip link, the product's name, navigation for what this person may use (tenant
// admins: customers, needs attention, billing, settings; a customer user: their integrations and what needs
// attention in them), with the count of open alerts nobody snoozed, who is signed in, sign out.

import { useEffect, useRef, useState, type ReactNode } from "react";
import { NavLink, useLocation } from "react-router";
import { alertOverviewPath } from "../api/paths";
import type { AlertOverview, Customer } from "../api/types";
import { useAuth } from "../auth/AuthContext";

/** Open alerts nobody snoozed, read again at each navigation (null until known, or when the person may not see
 * alerts: a customer user whose 3PL has not let them manage their integrations). */
function useOpenAlerts(): number | null {
  const { api, session } = useAuth();
  const location = useLocation();
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    let current = true;
    const path = alertOverviewPath(session.tenantId, session.role === "admin" ? null : session.customerId);
    api.get<AlertOverview>(path).then(
      (overview) => current && setCount(overview.openAlerts),
      () => current && setCount(null),
    );
    return () => {
      current = false;
    };
  }, [api, session.tenantId, session.role, session.customerId, location.pathname]);
  return count;
}

/** A customer user's customer, by name (their own is the only one the API lists for them); null until known. */
function useCustomerName(): string | null {
  const { api, session } = useAuth();
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    if (session.role !== "customer" || !session.customerId) return;
    let current = true;
    api.get<{ customers: Customer[] }>(`/tenants/${encodeURIComponent(session.tenantId)}/customers`).then(
      (list) => current && setName(list.customers.find((c) => c.customerId === session.customerId)?.name ?? null),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api, session.role, session.tenantId, session.customerId]);
  return name;
}

function AttentionLink() {
  const count = useOpenAlerts();
  return (
    <NavLink to="/attention">
      Needs attention
      {count !== null && count > 0 && (
        <span className="count-badge" aria-label={`${count} open ${count === 1 ? "alert" : "alerts"}`}>
          {count}
        </span>
      )}
    </NavLink>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useAuth();
  const customerName = useCustomerName();
  const main = useRef<HTMLElement>(null);
  const location = useLocation();

  // A new screen: move focus to its content, as a page load would, so keyboard and screen-reader users start there.
  useEffect(() => {
    main.current?.querySelector<HTMLElement>("h1")?.focus();
  }, [location.pathname]);

  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Integrations</span>
        <nav aria-label="Main">
          <ul>
            {session.role === "admin" ? (
              <>
                <li>
                  <NavLink to="/customers">Customers</NavLink>
                </li>
                <li>
                  <AttentionLink />
                </li>
                <li>
                  <NavLink to="/billing">Billing</NavLink>
                </li>
                <li>
                  <NavLink to="/settings">Settings</NavLink>
                </li>
              </>
            ) : (
              <>
                <li>
                  <NavLink to="/">My integrations</NavLink>
                </li>
                <li>
                  <AttentionLink />
                </li>
              </>
            )}
          </ul>
        </nav>
        <div className="who">
          <span>
            {session.displayName}{" "}
            <span className="role">{session.role === "admin" ? "(tenant admin)" : customerName ? `(${customerName})` : "(customer user)"}</span>
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
