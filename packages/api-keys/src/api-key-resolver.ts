import { hash } from "node:crypto";
import type { PrismaClient } from "@piperelay/db";
import { apiKeyLookupId, apiKeyPrefix, hashApiKey, legacyApiKeyHash, verifyApiKey } from "./api-keys.js";

export interface ApiKeyResolverOptions {
  /** The API key pepper (`config.keys.apiKeyPepper`), derived from the master key. */
  pepper: Uint8Array;
  /** How long a resolved key is remembered; a rotated key keeps working at most this long in other processes. @defaultValue 5000 */
  cacheMs?: number;
}

/**
 * Maps an API key to its application id (undefined when unknown), with a short
 * cache. Finds the row by the key's look-up id and checks the salted hash;
 * when no row has that id, falls back to the unsalted SHA-256 of keys created
 * before, and rehashes such a row on the spot.
 */
export function createApiKeyResolver(
  prisma: PrismaClient,
  options: ApiKeyResolverOptions,
): (key: string) => Promise<string | undefined> {
  const { pepper } = options;
  const cacheMs = options.cacheMs ?? 5000;
  // Keyed by a peppered digest, so the cache holds no key in clear either. A one-shot hash of
  // pepper and key rather than an HMAC: building an HMAC object per request was 3 % of ingest's
  // CPU at its highest rates, and a map key needs no more than a digest no one can recompute.
  const cache = new Map<string, { applicationId: string | undefined; expires: number }>();
  const pepperPrefix = Buffer.from(pepper).toString("base64url");

  async function find(key: string): Promise<string | undefined> {
    const lookup = apiKeyLookupId(key);
    if (lookup !== undefined) {
      const row = await prisma.application.findUnique({
        where: { apiKeyLookup: lookup },
        select: { id: true, apiKeyHash: true },
      });
      if (row) return verifyApiKey(key, row.apiKeyHash, pepper) ? row.id : undefined;
    }
    const legacyHash = legacyApiKeyHash(key);
    const legacy = await prisma.application.findUnique({
      where: { apiKeyHash: legacyHash },
      select: { id: true },
    });
    if (!legacy) return undefined;
    if (lookup !== undefined) {
      // Upgrade: the row stops holding an unsalted hash. Conditional, so a rotation in between wins.
      await prisma.application
        .updateMany({
          where: { id: legacy.id, apiKeyHash: legacyHash },
          data: { apiKeyHash: hashApiKey(key, pepper), apiKeyLookup: lookup },
        })
        .catch(() => {});
    }
    return legacy.id;
  }

  return async (key) => {
    if (!key.startsWith(apiKeyPrefix) || key.length > 128) return undefined;
    const cacheKey = hash("sha256", `${pepperPrefix}.${key}`, "base64url");
    const now = Date.now();
    const hit = cache.get(cacheKey);
    if (hit && hit.expires > now) return hit.applicationId;
    const applicationId = await find(key);
    if (cache.size > 10_000) cache.clear();
    cache.set(cacheKey, { applicationId, expires: now + cacheMs });
    return applicationId;
  };
}
