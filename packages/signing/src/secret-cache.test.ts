import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { encryptSecret, SecretDecryptionError } from "./secret-box.js";
import { createSecretCache } from "./secret-cache.js";
import { generateSecret } from "./secrets.js";

const key = randomBytes(32);

describe("the secret cache", () => {
  it("returns what each stored value holds, also when asked again", () => {
    const cache = createSecretCache(key);
    const first = generateSecret();
    const second = generateSecret();
    const storedFirst = encryptSecret(key, "ep_1", first);
    const storedSecond = encryptSecret(key, "ep_2", second);
    for (let round = 0; round < 2; round++) {
      expect(cache.decrypt("ep_1", storedFirst)).toBe(first);
      expect(cache.decrypt("ep_2", storedSecond)).toBe(second);
    }
    expect(cache.size).toBe(2);
  });

  it("gives a rotated secret, not the one cached before the rotation", () => {
    const cache = createSecretCache(key);
    const before = generateSecret();
    const after = generateSecret();
    expect(cache.decrypt("ep_1", encryptSecret(key, "ep_1", before))).toBe(before);
    expect(cache.decrypt("ep_1", encryptSecret(key, "ep_1", after))).toBe(after);
  });

  it("still refuses a cached value moved to another endpoint", () => {
    const cache = createSecretCache(key);
    const stored = encryptSecret(key, "ep_1", generateSecret());
    cache.decrypt("ep_1", stored);
    expect(() => cache.decrypt("ep_2", stored)).toThrow(SecretDecryptionError);
  });

  it("refuses a value it cannot decrypt every time, keeping nothing for it", () => {
    const cache = createSecretCache(key);
    const stored = encryptSecret(randomBytes(32), "ep_1", generateSecret());
    expect(() => cache.decrypt("ep_1", stored)).toThrow(SecretDecryptionError);
    expect(() => cache.decrypt("ep_1", stored)).toThrow(SecretDecryptionError);
    expect(cache.size).toBe(0);
  });

  it("holds at most maxEntries secrets, dropping the oldest", () => {
    const cache = createSecretCache(key, 2);
    const secrets = [generateSecret(), generateSecret(), generateSecret()];
    const stored = secrets.map((s, i) => encryptSecret(key, `ep_${i}`, s));
    stored.forEach((value, i) => {
      cache.decrypt(`ep_${i}`, value);
    });
    expect(cache.size).toBe(2);
    expect(cache.decrypt("ep_0", stored[0] as string)).toBe(secrets[0]);
    expect(cache.size).toBe(2);
  });
});
