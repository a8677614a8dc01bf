// What the ConsoleFunction tells the page (inlined in index.html, see functions/console/app.py) and where the page
// is mounted. Nothing here is secret: sign-in settings of a public OpenID Connect client, or the local demo helper.

export type AuthConfig =
  | { mode: "demo"; helperUrl: string }
  | { mode: "oidc"; issuer: string; clientId: string; audience: string; scope: string };

export interface ConsoleConfig {
  auth: AuthConfig;
}

const NOT_CONFIGURED: ConsoleConfig = { auth: { mode: "oidc", issuer: "", clientId: "", audience: "", scope: "openid" } };

export function readConfig(doc: Document = document): ConsoleConfig {
  const text = doc.getElementById("console-config")?.textContent ?? "";
  try {
    const parsed = JSON.parse(text || "{}") as Partial<ConsoleConfig>;
    return parsed.auth ? (parsed as ConsoleConfig) : NOT_CONFIGURED;
  } catch {
    return NOT_CONFIGURED;
  }
}

/** Where the console is mounted, e.g. "/console/" locally or "/dev/console/" on a named stage (from <base href>). */
export function mountPath(doc: Document = document): string {
  const path = new URL(doc.baseURI).pathname;
  return path.endsWith("/") ? path : `${path}/`;
}

/** The API's base path on this origin: the mount without its "console/" ("" locally, "/dev" on a named stage). */
export function apiBase(mount: string = mountPath()): string {
  return mount.replace(/console\/$/, "").replace(/\/$/, "");
}
