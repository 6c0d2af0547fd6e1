import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "@piperelay/db";

const keyPrefix = "pk_live_";

/** A new API key: `pk_live_` and 32 random base62-ish characters. Shown once, stored only as a hash. */
export function generateApiKey(): string {
  return keyPrefix + randomBytes(24).toString("base64url");
}

/**
 * The stored form of a key. Keys carry 192 random bits, so a plain SHA-256
 * cannot be brute-forced and allows an indexed look-up.
 */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** What the dashboard may show of a key: enough to tell keys apart. */
export function apiKeyPreview(key: string): string {
  return key.slice(0, keyPrefix.length + 4);
}

export interface ApiKeyResolverOptions {
  /** How long a resolved key is remembered; a rotated key keeps working at most this long in other processes. @defaultValue 5000 */
  cacheMs?: number;
}

/** Maps an API key to its application id (undefined when unknown), with a short cache. */
export function createApiKeyResolver(
  prisma: PrismaClient,
  options: ApiKeyResolverOptions = {},
): (key: string) => Promise<string | undefined> {
  const cacheMs = options.cacheMs ?? 5000;
  const cache = new Map<string, { applicationId: string | undefined; expires: number }>();
  return async (key) => {
    if (!key.startsWith(keyPrefix) || key.length > 128) return undefined;
    const hash = hashApiKey(key);
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && hit.expires > now) return hit.applicationId;
    const row = await prisma.application.findUnique({ where: { apiKeyHash: hash }, select: { id: true } });
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, { applicationId: row?.id, expires: now + cacheMs });
    return row?.id;
  };
}
