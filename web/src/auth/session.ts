// Who is signed in, read from the bearer token's claims (docs/management-api.md#authentication). The page only uses
// them to choose what to show; the API verifies the token and decides what is allowed.

export type Role = "admin" | "customer";

export interface Session {
  token: string;
  role: Role;
  tenantId: string;
  customerId: string | null;
  subject: string;
  /** What to call the person: name or email claims when the identity provider sends them, else the subject. */
  displayName: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export class BadToken extends Error {}

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) throw new BadToken("The token is not a JWT");
  const padded = payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

export function sessionFromToken(token: string): Session {
  const claims = claimsOf(token);
  const role = claims.role;
  const tenantId = claims.tenant_id;
  if ((role !== "admin" && role !== "customer") || typeof tenantId !== "string") {
    throw new BadToken("The token carries no tenant_id and role (admin or customer): ask your administrator to configure the identity provider's claims.");
  }
  const subject = String(claims.sub ?? "");
  const name = [claims.name, claims.email, claims.preferred_username].find((v) => typeof v === "string" && v) as string | undefined;
  return {
    token,
    role,
    tenantId,
    customerId: role === "customer" && typeof claims.customer_id === "string" ? claims.customer_id : null,
    subject,
    displayName: name ?? subject,
    expiresAt: typeof claims.exp === "number" ? claims.exp : 0,
  };
}

export function expired(session: Session, now: number = Date.now() / 1000): boolean {
  return session.expiresAt > 0 && session.expiresAt <= now;
}
