import { randomBytes } from "node:crypto";
import { createDatabase, type Database } from "@piperelay/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.js";
import { createApiKeyResolver } from "./api-key-resolver.js";
import {
  apiKeyColumns,
  apiKeyLookupId,
  apiKeyPreview,
  generateApiKey,
  hashApiKey,
  legacyApiKeyHash,
  verifyApiKey,
} from "./api-keys.js";

const pepper = randomBytes(32);

describe("API key hashes", () => {
  it("are salted: the same key hashes differently each time, and both verify", () => {
    const key = generateApiKey();
    const [a, b] = [hashApiKey(key, pepper), hashApiKey(key, pepper)];
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(verifyApiKey(key, a, pepper)).toBe(true);
    expect(verifyApiKey(key, b, pepper)).toBe(true);
  });

  it("are peppered: without the same pepper the key does not verify", () => {
    const key = generateApiKey();
    expect(verifyApiKey(key, hashApiKey(key, pepper), randomBytes(32))).toBe(false);
  });

  it("reject another key, a damaged hash and an unsalted SHA-256", () => {
    const key = generateApiKey();
    const stored = hashApiKey(key, pepper);
    expect(verifyApiKey(generateApiKey(), stored, pepper)).toBe(false);
    expect(verifyApiKey(key, `${stored.slice(0, -2)}AA`, pepper)).toBe(false);
    expect(verifyApiKey(key, stored.slice(0, -4), pepper)).toBe(false);
    expect(verifyApiKey(key, legacyApiKeyHash(key), pepper)).toBe(false);
  });

  it("come with a look-up id of 12 characters after the prefix, leaving 20 secret", () => {
    const key = generateApiKey();
    expect(apiKeyLookupId(key)).toBe(key.slice(8, 20));
    expect(apiKeyLookupId("pk_live_short")).toBeUndefined();
    expect(apiKeyColumns(key, pepper)).toMatchObject({
      apiKeyLookup: key.slice(8, 20),
      apiKeyPrefix: apiKeyPreview(key),
    });
  });
});

describe("createApiKeyResolver", () => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createDatabase(testDb.url, { maxConnections: 2 });
  });

  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  async function insertApplication(
    id: string,
    columns: { apiKeyHash: string; apiKeyLookup?: string | null },
  ) {
    await db.prisma.application.create({ data: { id, name: id, apiKeyPrefix: "pk_live_", ...columns } });
  }

  it("finds a key by its look-up id and salted hash, and refuses a wrong key with the same look-up id", async () => {
    const key = generateApiKey();
    await insertApplication("app_salted", apiKeyColumns(key, pepper));
    const resolve = createApiKeyResolver(db.prisma, { pepper, cacheMs: 0 });
    expect(await resolve(key)).toBe("app_salted");
    const sameLookup = `${key.slice(0, 20)}${generateApiKey().slice(20)}`;
    expect(await resolve(sameLookup)).toBeUndefined();
    expect(await resolve(generateApiKey())).toBeUndefined();
    expect(await resolve("not-a-key")).toBeUndefined();
  });

  it("refuses a key when the resolver has another pepper (another master key)", async () => {
    const key = generateApiKey();
    await insertApplication("app_other_pepper", apiKeyColumns(key, pepper));
    expect(
      await createApiKeyResolver(db.prisma, { pepper: randomBytes(32), cacheMs: 0 })(key),
    ).toBeUndefined();
  });

  it("keeps a key stored as a plain SHA-256 before this change working, and rehashes its row on first use", async () => {
    const key = generateApiKey();
    await insertApplication("app_legacy", { apiKeyHash: legacyApiKeyHash(key) });
    const resolve = createApiKeyResolver(db.prisma, { pepper, cacheMs: 0 });
    expect(await resolve(key)).toBe("app_legacy");
    const row = await db.prisma.application.findUniqueOrThrow({ where: { id: "app_legacy" } });
    expect(row.apiKeyHash).not.toBe(legacyApiKeyHash(key));
    expect(row.apiKeyLookup).toBe(apiKeyLookupId(key));
    expect(verifyApiKey(key, row.apiKeyHash, pepper)).toBe(true);
    expect(await resolve(key)).toBe("app_legacy");
    expect(await resolve(generateApiKey())).toBeUndefined();
  });
});
