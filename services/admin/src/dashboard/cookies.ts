/** The cookie that holds a dashboard session. */
export const sessionCookieName = "piperelay_session";

/** The value of one cookie in a `Cookie` header, or undefined. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  for (const pair of (header ?? "").split(";")) {
    const index = pair.indexOf("=");
    if (index < 0) continue;
    if (pair.slice(0, index).trim() === name) return pair.slice(index + 1).trim();
  }
  return undefined;
}

/** Attributes of a session cookie. */
export interface SessionCookieOptions {
  /** Seconds until it expires; 0 deletes it. */
  maxAgeSeconds: number;
  /** Send it over HTTPS only: set when the request came over HTTPS. */
  secure: boolean;
}

/**
 * A `Set-Cookie` value for the session: HttpOnly (scripts cannot read it),
 * SameSite=Strict (other sites cannot make the browser send it) and Path=/,
 * since the API the dashboard calls is served from the root.
 */
export function sessionCookie(value: string, options: SessionCookieOptions): string {
  const attributes = [
    `${sessionCookieName}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${options.maxAgeSeconds}`,
  ];
  if (options.secure) attributes.push("Secure");
  return attributes.join("; ");
}
