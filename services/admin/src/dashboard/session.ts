import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Options of {@link createSessions}. */
export interface SessionOptions {
  /** The admin token; sessions are signed with a key derived from it, so changing it ends every session. */
  adminToken: string;
  /**
   * How long a session lasts after login.
   * @defaultValue 12 hours
   */
  ttlMs?: number;
  /** Injectable clock for tests. */
  now?: () => number;
}

/** Dashboard sessions: signed, self-contained values for an HttpOnly cookie. */
export interface Sessions {
  /** A new session value and how long it is valid, in seconds (the cookie's Max-Age). */
  issue(): { value: string; maxAgeSeconds: number };
  /** Whether a value is a session this server signed, not expired and not revoked here. */
  verify(value: string | undefined): boolean;
  /** Ends a session in this process (logout); other replicas accept it until it expires. */
  revoke(value: string | undefined): void;
}

const defaultTtlMs = 12 * 60 * 60 * 1000;

/**
 * Sessions are `v1.<expiry, unix seconds>.<random id>.<HMAC-SHA256>`, signed
 * with a key derived from the admin token. Nothing is stored to accept them,
 * so they survive restarts and work on every replica that has the same admin
 * token. Logout revokes the id in this process's memory until it would have
 * expired anyway; rotating the admin token ends every session everywhere.
 */
export function createSessions(options: SessionOptions): Sessions {
  const ttlMs = options.ttlMs ?? defaultTtlMs;
  const now = options.now ?? Date.now;
  const key = createHmac("sha256", options.adminToken).update("piperelay dashboard session v1").digest();
  /** Revoked ids by expiry (ms), dropped once expired. */
  const revoked = new Map<string, number>();

  const mac = (payload: string) => createHmac("sha256", key).update(payload).digest();

  function parse(value: string | undefined): { id: string; expiresMs: number } | undefined {
    const parts = value?.split(".");
    if (parts?.length !== 4 || parts[0] !== "v1") return undefined;
    const [version, expiry, id, signature] = parts as [string, string, string, string];
    if (!/^\d{1,12}$/.test(expiry) || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) return undefined;
    const given = Buffer.from(signature, "base64url");
    const expected = mac(`${version}.${expiry}.${id}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { id, expiresMs: Number(expiry) * 1000 };
  }

  function forgetExpired(at: number): void {
    for (const [id, expiresMs] of revoked) if (expiresMs <= at) revoked.delete(id);
  }

  return {
    issue() {
      const expiry = Math.floor((now() + ttlMs) / 1000);
      const id = randomBytes(18).toString("base64url");
      const payload = `v1.${expiry}.${id}`;
      return {
        value: `${payload}.${mac(payload).toString("base64url")}`,
        maxAgeSeconds: Math.floor(ttlMs / 1000),
      };
    },
    verify(value) {
      const session = parse(value);
      return session !== undefined && session.expiresMs > now() && !revoked.has(session.id);
    },
    revoke(value) {
      const session = parse(value);
      if (session === undefined) return;
      forgetExpired(now());
      revoked.set(session.id, session.expiresMs);
    },
  };
}
