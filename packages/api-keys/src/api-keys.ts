import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What every API key starts with. */
export const apiKeyPrefix = "pk_live_";
/** `pk_live_` and 32 base64url characters (24 random bytes): the shape generateApiKey gives. */
const keyShape = /^pk_live_[A-Za-z0-9_-]{32}$/;
const lookupLength = 12;
const saltBytes = 16;
const hashVersion = "v1";

/** A new API key: `pk_live_` and 32 base64url characters (192 random bits). Shown once, stored only as a hash. */
export function generateApiKey(): string {
  return apiKeyPrefix + randomBytes(24).toString("base64url");
}

/**
 * The public part of a key that finds its row: the 12 characters after
 * `pk_live_`. A salted hash cannot be looked up by value, so this id is stored
 * in clear next to it; the other 20 characters (120 random bits) stay secret.
 * Undefined for keys of another shape.
 */
export function apiKeyLookupId(key: string): string | undefined {
  return keyShape.test(key) ? key.slice(apiKeyPrefix.length, apiKeyPrefix.length + lookupLength) : undefined;
}

function mac(pepper: Uint8Array, salt: Buffer, key: string): Buffer {
  return createHmac("sha256", pepper).update(salt).update(key, "utf8").digest();
}

/**
 * The stored hash of a key: `v1$<salt>$<HMAC-SHA256(pepper, salt ‖ key)>`,
 * base64url, with a random 16-byte salt. Keys are 192 random bits, so a fast
 * keyed hash is enough: a slow KDF (scrypt, argon2) defends low-entropy
 * passwords against guessing, and nobody can guess a key. The pepper (derived
 * from the master key, never stored in the database) means a leaked table
 * alone does not even let anyone test a candidate key.
 */
export function hashApiKey(key: string, pepper: Uint8Array): string {
  const salt = randomBytes(saltBytes);
  return [hashVersion, salt.toString("base64url"), mac(pepper, salt, key).toString("base64url")].join("$");
}

/** Whether `key` is the key `stored` (from hashApiKey) was made from; compares in constant time. */
export function verifyApiKey(key: string, stored: string, pepper: Uint8Array): boolean {
  const [version, salt, expected] = stored.split("$");
  if (version !== hashVersion || salt === undefined || expected === undefined) return false;
  const expectedBytes = Buffer.from(expected, "base64url");
  const actual = mac(pepper, Buffer.from(salt, "base64url"), key);
  return expectedBytes.length === actual.length && timingSafeEqual(actual, expectedBytes);
}

/**
 * How keys were stored before they were salted and peppered: a plain SHA-256,
 * looked up by value. Still accepted so those keys keep working; a row is
 * rehashed the first time its key is used.
 */
export function legacyApiKeyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** What the dashboard may show of a key: enough to tell keys apart. */
export function apiKeyPreview(key: string): string {
  return key.slice(0, apiKeyPrefix.length + 4);
}

/** The `applications` columns that store a key: its salted hash, its look-up id and its preview. */
export function apiKeyColumns(
  key: string,
  pepper: Uint8Array,
): { apiKeyHash: string; apiKeyLookup: string | null; apiKeyPrefix: string } {
  return {
    apiKeyHash: hashApiKey(key, pepper),
    apiKeyLookup: apiKeyLookupId(key) ?? null,
    apiKeyPrefix: apiKeyPreview(key),
  };
}
