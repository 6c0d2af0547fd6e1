import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const formatPrefix = "v1:";
const legacyPrefix = "whsec_";
const nonceBytes = 12;
const tagBytes = 16;

/** A stored secret that cannot be decrypted: another master key, a damaged value, or moved from another row. */
export class SecretDecryptionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SecretDecryptionError";
  }
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 32) throw new RangeError(`secret encryption key must be 32 bytes, got ${key.length}`);
}

/**
 * The stored form of an endpoint secret: AES-256-GCM under `key` with a fresh
 * random 12-byte nonce, written `v1:<base64 of nonce ‖ ciphertext ‖ tag>`. The
 * endpoint id is authenticated as additional data, so a value copied into
 * another endpoint's row does not decrypt there.
 */
export function encryptSecret(key: Uint8Array, endpointId: string, secret: string): string {
  checkKey(key);
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(endpointId, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return formatPrefix + Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString("base64");
}

/**
 * The secret a stored value holds. Plain `whsec_` values, written before
 * secrets were encrypted, are returned as they are, so upgrades lose nothing.
 * Throws SecretDecryptionError for anything that does not authenticate.
 */
export function decryptSecret(key: Uint8Array, endpointId: string, stored: string): string {
  if (stored.startsWith(legacyPrefix)) return stored;
  if (!stored.startsWith(formatPrefix)) {
    throw new SecretDecryptionError(`endpoint ${endpointId}: stored secret has an unknown format`);
  }
  checkKey(key);
  const bytes = Buffer.from(stored.slice(formatPrefix.length), "base64");
  if (bytes.length < nonceBytes + tagBytes + 1) {
    throw new SecretDecryptionError(`endpoint ${endpointId}: stored secret is truncated`);
  }
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, nonceBytes), {
    authTagLength: tagBytes,
  });
  decipher.setAAD(Buffer.from(endpointId, "utf8"));
  decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(nonceBytes, bytes.length - tagBytes)),
      decipher.final(),
    ]).toString("utf8");
  } catch (error) {
    throw new SecretDecryptionError(
      `endpoint ${endpointId}: stored secret does not decrypt (wrong master key, or the value was altered or moved)`,
      { cause: error },
    );
  }
}

/** Whether a stored value is encrypted (rather than a plain secret from before encryption). */
export function isEncryptedSecret(stored: string): boolean {
  return stored.startsWith(formatPrefix);
}
