// The signed-in person for the whole page: who they are (from the token), the API client carrying their token, and
// sign-out. Nothing below renders until someone is signed in; a token the API refuses (expired, revoked) or one
// that runs out ends the session and says so on the sign-in screen.

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { UserManager } from "oidc-client-ts";
import { Api } from "../api/client";
import { apiBase, type ConsoleConfig } from "../config";
import { completeSignIn, configured, isCallback, userManager } from "./oidc";
import { BadToken, expired, sessionFromToken, type Session } from "./session";
import { SignIn } from "./SignIn";

export interface Auth {
  session: Session;
  api: Api;
  config: ConsoleConfig;
  signOut: () => void;
}

const AuthContext = createContext<Auth | null>(null);
const DEMO_KEY = "integrations-console.demo-token";

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthGate");
  return auth;
}

/** For tests and stories: a fixed session and API. */
export function AuthProvider({ value, children }: { value: Auth; children: ReactNode }) {
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

function restoredDemoSession(): Session | null {
  const token = window.sessionStorage.getItem(DEMO_KEY);
  if (!token) return null;
  try {
    const session = sessionFromToken(token);
    return expired(session) ? null : session;
  } catch {
    return null;
  }
}

export function AuthGate({ config, mount, children }: { config: ConsoleConfig; mount: string; children: ReactNode }) {
  const manager = useMemo<UserManager | null>(
    () => (config.auth.mode === "oidc" && configured(config.auth) ? userManager(config.auth, mount) : null),
    [config, mount],
  );
  const [session, setSession] = useState<Session | null>(() => (config.auth.mode === "demo" ? restoredDemoSession() : null));
  const [ready, setReady] = useState(config.auth.mode === "demo" || manager === null);
  const [message, setMessage] = useState<string>("");
  const tokenRef = useRef<string | null>(session?.token ?? null);
  tokenRef.current = session?.token ?? null;

  const end = useCallback(
    (why: string) => {
      window.sessionStorage.removeItem(DEMO_KEY);
      void manager?.removeUser();
      setSession(null);
      setMessage(why);
    },
    [manager],
  );

  const adopt = useCallback((token: string): void => {
    try {
      setSession(sessionFromToken(token));
      setMessage("");
    } catch (error) {
      setSession(null);
      setMessage(error instanceof BadToken ? error.message : String(error));
    }
  }, []);

  // Production: finish a redirect back from the provider, or pick up this tab's session; follow renewals.
  useEffect(() => {
    if (!manager) return;
    let cancelled = false;
    const start = async () => {
      try {
        if (isCallback(mount)) {
          const { user, returnTo } = await completeSignIn(manager);
          window.history.replaceState(null, "", `${mount}${returnTo.replace(/^\//, "")}`);
          if (!cancelled) adopt(user.access_token);
        } else {
          const user = await manager.getUser();
          if (!cancelled && user && !user.expired) adopt(user.access_token);
        }
      } catch (error) {
        if (!cancelled) setMessage(`Sign-in did not complete: ${error instanceof Error ? error.message : String(error)}`);
        window.history.replaceState(null, "", mount);
      } finally {
        if (!cancelled) setReady(true);
      }
    };
    void start();
    const loaded = (user: { access_token: string }) => adopt(user.access_token);
    const gone = () => end("Your session has ended. Sign in again to continue.");
    manager.events.addUserLoaded(loaded);
    manager.events.addAccessTokenExpired(gone);
    return () => {
      cancelled = true;
      manager.events.removeUserLoaded(loaded);
      manager.events.removeAccessTokenExpired(gone);
    };
  }, [manager, mount, adopt, end]);

  // A token that runs out ends the session when it does (the API would refuse it anyway).
  useEffect(() => {
    if (!session || !session.expiresAt || manager) return;
    const left = session.expiresAt * 1000 - Date.now();
    const timer = window.setTimeout(() => end("Your session has ended. Sign in again to continue."), Math.max(0, Math.min(left, 2 ** 31 - 1)));
    return () => window.clearTimeout(timer);
  }, [session, manager, end]);

  const api = useMemo(
    () => new Api(apiBase(mount), () => tokenRef.current, (problem) => end(`Signed out: ${problem.title}. ${problem.detail}`.trim())),
    [mount, end],
  );

  const signInDemo = useCallback(
    (token: string) => {
      window.sessionStorage.setItem(DEMO_KEY, token);
      adopt(token);
    },
    [adopt],
  );

  const signOut = useCallback(() => {
    // The next person to sign in starts at the start, not on the page the last one left (an expired session
    // keeps its page: signing in again returns there).
    window.history.replaceState(null, "", mount);
    if (!manager) {
      end("You have signed out.");
      return;
    }
    // The provider's session ends too (it removes this tab's user first); a provider without an end-session
    // endpoint refuses, and the session ends here only.
    manager.signoutRedirect().catch(() => end("You have signed out."));
  }, [manager, end, mount]);

  if (!ready) return <p className="loading" role="status">Signing in…</p>;
  if (!session) return <SignIn config={config} mount={mount} manager={manager} message={message} onDemoToken={signInDemo} />;
  return <AuthContext.Provider value={{ session, api, config, signOut }}>{children}</AuthContext.Provider>;
}
