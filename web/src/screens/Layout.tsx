// The frame of every screen: skip link, the product's name, navigation for what this person may use (tenant
// admins: customers, billing, settings), who is signed in, sign out.

import { useEffect, useRef, type ReactNode } from "react";
import { NavLink, useLocation } from "react-router";
import { useAuth } from "../auth/AuthContext";

export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useAuth();
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
                  <NavLink to="/billing">Billing</NavLink>
                </li>
                <li>
                  <NavLink to="/settings">Settings</NavLink>
                </li>
              </>
            ) : (
              <li>
                <NavLink to="/">My integrations</NavLink>
              </li>
            )}
          </ul>
        </nav>
        <div className="who">
          <span>
            {session.displayName} <span className="role">({session.role === "admin" ? "tenant admin" : "customer user"})</span>
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
