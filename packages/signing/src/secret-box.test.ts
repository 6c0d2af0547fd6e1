import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, isEncryptedSecret, SecretDecryptionError } from "./secret-box.js";
import { generateSecret } from "./secrets.js";

const key = randomBytes(32);
const secret = generateSecret();

describe("endpoint secrets at rest", () => {
  it("round-trips through a v1 value that does not contain the secret", () => {
    const stored = encryptSecret(key, "ep_1", secret);
    expect(stored).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain(secret.slice("whsec_".length));
    expect(isEncryptedSecret(stored)).toBe(true);
    expect(decryptSecret(key, "ep_1", stored)).toBe(secret);
  });

  it("uses a fresh nonce each time, so one secret stored twice looks different", () => {
    expect(encryptSecret(key, "ep_1", secret)).not.toBe(encryptSecret(key, "ep_1", secret));
  });

  it("refuses a value moved to another endpoint's row (the endpoint id is authenticated)", () => {
    const stored = encryptSecret(key, "ep_1", secret);
    expect(() => decryptSecret(key, "ep_2", stored)).toThrow(SecretDecryptionError);
  });

  it("refuses another master key's value", () => {
    const stored = encryptSecret(key, "ep_1", secret);
    expect(() => decryptSecret(randomBytes(32), "ep_1", stored)).toThrow(SecretDecryptionError);
  });

  it("refuses a value with any byte changed, and a truncated one", () => {
    const stored = encryptSecret(key, "ep_1", secret);
    const bytes = Buffer.from(stored.slice(3), "base64");
    for (const index of [0, 12, bytes.length - 1]) {
      const tampered = Buffer.from(bytes);
      tampered[index] = (tampered[index] ?? 0) ^ 1;
      expect(() => decryptSecret(key, "ep_1", `v1:${tampered.toString("base64")}`)).toThrow(
        SecretDecryptionError,
      );
    }
    expect(() => decryptSecret(key, "ep_1", `v1:${bytes.subarray(0, 20).toString("base64")}`)).toThrow(
      SecretDecryptionError,
    );
  });

  it("accepts a plain whsec_ secret stored before encryption, and rejects other plain values", () => {
    expect(decryptSecret(key, "ep_1", secret)).toBe(secret);
    expect(isEncryptedSecret(secret)).toBe(false);
    expect(() => decryptSecret(key, "ep_1", "v2:abc")).toThrow(SecretDecryptionError);
  });
});
