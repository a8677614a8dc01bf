// The sign-in screen. Deployed: one button to the identity provider. Locally: pick who to be (the stack's demo
// tenant admin, or a user of one of its customers) — the local stack has no identity provider.

import { useEffect, useState } from "react";
import type { UserManager } from "oidc-client-ts";
import { apiBase, type ConsoleConfig } from "../config";
import { demoIdentities, demoToken, type DemoIdentity } from "./demo";

interface Props {
  config: ConsoleConfig;
  mount: string;
  manager: UserManager | null;
  message: string;
  onDemoToken: (token: string) => void;
}

export function SignIn({ config, mount, manager, message, onDemoToken }: Props) {
  return (
    <main className="sign-in" id="main">
      <h1>Integrations</h1>
      {message && <p className="notice" role="status">{message}</p>}
      {config.auth.mode === "demo" ? (
        <DemoSignIn helperUrl={config.auth.helperUrl} base={apiBase(mount)} onToken={onDemoToken} />
      ) : manager ? (
        <ProviderSignIn manager={manager} mount={mount} />
      ) : (
        <div className="problem" role="alert">
          <h2>Sign-in is not configured</h2>
          <p>This deployment has no OpenID Connect client for the console.</p>
          <p className="resolution">
            An operator sets the stack parameters <code>ConsoleClientId</code> (and <code>AuthIssuer</code>) and deploys
            again; docs/console.md says how.
          </p>
        </div>
      )}
    </main>
  );
}

function ProviderSignIn({ manager, mount }: { manager: UserManager; mount: string }) {
  const [error, setError] = useState("");
  const signIn = () => {
    const here = window.location.pathname.startsWith(mount) ? window.location.pathname.slice(mount.length - 1) : "/";
    manager.signinRedirect({ state: { returnTo: here } }).catch((e: unknown) => setError(String(e)));
  };
  return (
    <>
      <p>Sign in with your company account to manage your integrations.</p>
      <button type="button" className="primary" onClick={signIn}>
        Sign in
      </button>
      {error && <p role="alert" className="error-text">The identity provider could not be reached: {error}</p>}
    </>
  );
}

function DemoSignIn({ helperUrl, base, onToken }: { helperUrl: string; base: string; onToken: (token: string) => void }) {
  const [identities, setIdentities] = useState<DemoIdentity[] | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    demoIdentities(helperUrl, base).then(setIdentities, (e: unknown) => setError(String(e)));
  }, [helperUrl, base]);

  const pick = async (identity: DemoIdentity) => {
    setBusy(true);
    try {
      onToken(await demoToken(helperUrl, identity));
    } catch (e) {
      setError(String(e));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="demo-heading">
      <h2 id="demo-heading">Local demo: choose who you are</h2>
      <p>
        The local stack has no identity provider: its management helper issues the tokens the local API accepts.
        Deployed, this screen is the company sign-in instead.
      </p>
      {error && <p role="alert" className="error-text">{error}</p>}
      {identities === null && !error && <p role="status">Loading the demo accounts…</p>}
      <ul className="identity-list">
        {identities?.map((identity) => (
          <li key={`${identity.role}:${identity.customerId ?? ""}`}>
            <button type="button" disabled={busy} onClick={() => void pick(identity)}>
              {identity.label}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
