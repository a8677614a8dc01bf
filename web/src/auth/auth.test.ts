import { describe, expect, it } from "vitest";
import { apiBase, readConfig } from "../config";
import { configured, userManager } from "./oidc";
import { BadToken, expired, sessionFromToken } from "./session";

const jwt = (claims: Record<string, unknown>) =>
  ["e30", btoa(JSON.stringify(claims)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_"), "sig"].join(".");

describe("who is signed in, from the token's claims", () => {
  it("reads a customer user's tenant, customer and name", () => {
    const session = sessionFromToken(jwt({ sub: "u-1", role: "customer", tenant_id: "t-1", customer_id: "c-1", email: "jo@shop.example", exp: 2 }));
    expect(session).toMatchObject({ role: "customer", tenantId: "t-1", customerId: "c-1", displayName: "jo@shop.example" });
    expect(expired(session, 3)).toBe(true);
    expect(sessionFromToken(jwt({ sub: "a", role: "admin", tenant_id: "t-1", customer_id: "ignored" })).customerId).toBeNull();
  });

  it("refuses a token without the claims the API needs, saying what to configure", () => {
    expect(() => sessionFromToken(jwt({ sub: "u-1", role: "viewer", tenant_id: "t-1" }))).toThrow(BadToken);
    expect(() => sessionFromToken("not-a-jwt")).toThrow(BadToken);
  });
});

describe("where the console is and how it signs in", () => {
  it("finds the API beside the console's mount", () => {
    expect(apiBase("/console/")).toBe("");
    expect(apiBase("/dev/console/")).toBe("/dev");
  });

  it("reads the settings the function inlines, and says when sign-in isn't configured", () => {
    document.body.innerHTML = `<script id="console-config" type="application/json">{"auth":{"mode":"demo","helperUrl":"http://h"}}</script>`;
    expect(readConfig()).toEqual({ auth: { mode: "demo", helperUrl: "http://h" } });
    document.body.innerHTML = `<script id="console-config" type="application/json">{}</script>`;
    const fallback = readConfig();
    expect(fallback.auth.mode === "oidc" && configured(fallback.auth)).toBe(false);
  });

  it("asks the provider for a code with PKCE, comes back to the console's callback, keeps state in this tab only", () => {
    const manager = userManager({ mode: "oidc", issuer: "https://login.example.com/", clientId: "console", audience: "integrations-management", scope: "openid" }, "/dev/console/");
    const settings = manager.settings;
    expect(settings.response_type).toBe("code");
    expect(settings.disablePKCE).toBe(false);
    expect(settings.redirect_uri).toBe(`${window.location.origin}/dev/console/callback`);
    expect(settings.post_logout_redirect_uri).toBe(`${window.location.origin}/dev/console/`);
    expect(settings.extraQueryParams).toEqual({ audience: "integrations-management" });
    // sessionStorage, not localStorage: the user and the sign-in state end with the tab
    expect((settings.userStore as unknown as { _store: Storage })._store).toBe(window.sessionStorage);
    expect((settings.stateStore as unknown as { _store: Storage })._store).toBe(window.sessionStorage);
  });
});
