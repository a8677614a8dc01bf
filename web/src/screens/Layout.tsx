// The frame of every screen: skip link, the product's name, navigation for what this person may use (tenant
// admins: customers, needs attention, billing, settings; a customer user: their integrations and what needs
// attention in them), with the count of open alerts nobody snoozed, who is signed in, sign out.

import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { NavLink, useLocation } from "react-router";
import { alertOverviewPath } from "../api/paths";
import type { AlertOverview } from "../api/types";
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
    // records=skip: the badge needs only the open alerts (one query), not each integration's count
    api.get<AlertOverview>(`${path}?records=skip`).then(
      (overview) => current && setCount(overview.openAlerts),
      () => current && setCount(null),
    );
    return () => {
      current = false;
    };
  }, [api, session.tenantId, session.role, session.customerId, location.pathname]);
  return count;
}

/** The screens tell the header a customer user's customer by name once they have it (their customer's page, an
 * integration's page): the header makes no request of its own, so signing in costs no extra WMS call. */
const HeaderCustomer = createContext<(name: string) => void>(() => undefined);

export function useTellHeaderCustomer(name: string | null | undefined, customerUser: boolean) {
  const tell = useContext(HeaderCustomer);
  useEffect(() => {
    if (customerUser && name) tell(name);
  }, [tell, name, customerUser]);
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
  const [customerName, setCustomerName] = useState<string | null>(null);
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
        <HeaderCustomer.Provider value={setCustomerName}>{children}</HeaderCustomer.Provider>
      </main>
    </>
  );
}
