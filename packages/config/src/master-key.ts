import { hkdfSync } from "node:crypto";

/**
 * The key used when no master key is configured, which only a process
 * listening on loopback may do. It is public (it is in this file), so secrets
 * encrypted under it are protected from nobody: development only.
 */
export const insecureDevelopmentMasterKey: Buffer = Buffer.from("INSECURE piperelay local dev key", "utf8");

/** Keys derived from the master key, one per purpose, so one configured key serves both. */
export interface DerivedKeys {
  /** AES-256-GCM key for endpoint secrets at rest (32 bytes). */
  endpointSecrets: Buffer;
  /** HMAC-SHA256 key mixed into stored API key hashes (32 bytes). */
  apiKeyPepper: Buffer;
}

/**
 * The 32 bytes a master key is written as: 64 hex digits, or base64 (standard
 * or URL-safe, padding optional), as `openssl rand -base64 32` prints.
 * Undefined for anything else.
 */
export function decodeMasterKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const bytes = Buffer.from(value.replace(/=$/, ""), "base64");
  return bytes.length === 32 ? bytes : undefined;
}

/**
 * HKDF-SHA256 sub-keys of the master key. Each purpose has its own `info`, so
 * knowing one sub-key says nothing about the other or the master key.
 */
export function deriveKeys(masterKey: Uint8Array): DerivedKeys {
  const derive = (purpose: string) =>
    Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), `piperelay ${purpose} v1`, 32));
  return { endpointSecrets: derive("endpoint secret encryption"), apiKeyPepper: derive("api key pepper") };
}
