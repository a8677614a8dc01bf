// Sign-in in production: OpenID Connect authorization code + PKCE against the identity provider whose tokens the API
// accepts (AuthIssuer/AuthAudience). oidc-client-ts does the protocol; we keep its state and the user in this tab's
// sessionStorage (gone when the tab closes), never localStorage, and never put a token in a URL: the code comes back
// in the callback's query, is exchanged, and the URL is replaced at once.

import { UserManager, WebStorageStateStore, type User } from "oidc-client-ts";
import type { AuthConfig } from "../config";

export type OidcConfig = Extract<AuthConfig, { mode: "oidc" }>;

export function configured(config: OidcConfig): boolean {
  return Boolean(config.issuer && config.clientId);
}

export function userManager(config: OidcConfig, mount: string): UserManager {
  const origin = window.location.origin;
  const store = new WebStorageStateStore({ store: window.sessionStorage });
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${origin}${mount}callback`,
    post_logout_redirect_uri: `${origin}${mount}`,
    response_type: "code",
    scope: config.scope,
    // Providers that issue access tokens per API (Auth0 and the like) need the API named; others ignore it.
    extraQueryParams: config.audience ? { audience: config.audience } : {},
    userStore: store,
    stateStore: store,
    // Renewal uses a refresh token when the provider gives one; otherwise the session ends with the token.
    automaticSilentRenew: true,
    monitorSession: false,
    loadUserInfo: false,
  });
}

/** The path (within the console) to return to after the provider sends the person back. */
export interface ReturnState {
  returnTo: string;
}

export function isCallback(mount: string): boolean {
  return window.location.pathname === `${mount}callback`;
}

export async function completeSignIn(manager: UserManager): Promise<{ user: User; returnTo: string }> {
  const user = await manager.signinRedirectCallback();
  const state = (user.state ?? {}) as Partial<ReturnState>;
  return { user, returnTo: typeof state.returnTo === "string" ? state.returnTo : "/" };
}
