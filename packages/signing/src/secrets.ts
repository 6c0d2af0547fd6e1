import { randomBytes } from "node:crypto";

const secretPrefix = "whsec_";

/** A new endpoint signing secret: `whsec_` and base64 of 24 random bytes (the Standard Webhooks form). */
export function generateSecret(): string {
  return secretPrefix + randomBytes(24).toString("base64");
}

/** Why `secret` cannot be used as an endpoint secret, or undefined. */
export function secretProblem(secret: string): string | undefined {
  if (!secret.startsWith(secretPrefix)) return `must start with ${JSON.stringify(secretPrefix)}`;
  const key = secretKeyBytes(secret);
  if (key.length < 16 || key.length > 64) return "must carry 16 to 64 bytes of base64 after the prefix";
  return undefined;
}

/**
 * The HMAC key of the Standard Webhooks scheme: the base64-decoded part after
 * `whsec_`. (The `X-PipeRelay-Signature` scheme keys with the whole string.)
 */
export function secretKeyBytes(secret: string): Buffer {
  const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
  return Buffer.from(encoded, "base64");
}
