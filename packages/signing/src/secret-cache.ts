import { decryptSecret } from "./secret-box.js";

/** Decrypts stored endpoint secrets, remembering the most recent ones. */
export interface SecretCache {
  /** The secret `stored` holds, as {@link decryptSecret} returns it; throws as it does. */
  decrypt(endpointId: string, stored: string): string;
  /** How many secrets are held. */
  readonly size: number;
}

/**
 * A bounded cache in front of {@link decryptSecret}, for the dispatcher, which
 * decrypts the same few secrets for every attempt (an AES-GCM decipher each
 * time, a few percent of its CPU under load). Entries are keyed by the stored
 * value itself, which changes with every rotation (a fresh nonce each time),
 * so a cached secret is never stale; the oldest entry goes when the cache is
 * full. Values that do not decrypt are not cached: they throw every time.
 */
export function createSecretCache(key: Uint8Array, maxEntries = 10_000): SecretCache {
  const secrets = new Map<string, string>();
  return {
    decrypt(endpointId, stored) {
      // The endpoint id is part of what authenticates the value, so it is part of the key.
      const cacheKey = `${endpointId} ${stored}`;
      const cached = secrets.get(cacheKey);
      if (cached !== undefined) return cached;
      const secret = decryptSecret(key, endpointId, stored);
      if (secrets.size >= maxEntries) secrets.delete(secrets.keys().next().value as string);
      secrets.set(cacheKey, secret);
      return secret;
    },
    get size() {
      return secrets.size;
    },
  };
}
