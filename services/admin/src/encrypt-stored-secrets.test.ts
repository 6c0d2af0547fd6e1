import { newId } from "@piperelay/core";
import { decryptSecret, encryptSecret, generateSecret } from "@piperelay/signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptStoredSecrets } from "./encrypt-stored-secrets.js";
import { insertTestApplication, openTestDatabase, testKeys } from "./testing.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(async () => {
  await db?.dispose();
});

describe("encryptStoredSecrets", () => {
  it("encrypts secrets stored in clear, current and previous, and leaves encrypted ones alone", async () => {
    const applicationId = await insertTestApplication(db.prisma);
    const { secretKey } = testKeys;
    const plain = Array.from({ length: 5 }, () => ({ id: newId("ep"), secret: generateSecret() }));
    const previous = generateSecret();
    for (const [index, { id, secret }] of plain.entries()) {
      await db.prisma.endpoint.create({
        data: {
          id,
          applicationId,
          url: "https://example.com/hook",
          secret,
          previousSecret: index === 0 ? previous : null,
        },
      });
    }
    const sealedId = newId("ep");
    const sealed = encryptSecret(secretKey, sealedId, generateSecret());
    await db.prisma.endpoint.create({
      data: { id: sealedId, applicationId, url: "https://example.com/hook", secret: sealed },
    });

    expect(await encryptStoredSecrets(db.prisma, secretKey, 2)).toBe(5);
    for (const [index, { id, secret }] of plain.entries()) {
      const row = await db.prisma.endpoint.findUniqueOrThrow({ where: { id } });
      expect(row.secret).toMatch(/^v1:/);
      expect(decryptSecret(secretKey, id, row.secret)).toBe(secret);
      if (index === 0) expect(decryptSecret(secretKey, id, row.previousSecret ?? "")).toBe(previous);
    }
    expect((await db.prisma.endpoint.findUniqueOrThrow({ where: { id: sealedId } })).secret).toBe(sealed);
    expect(await encryptStoredSecrets(db.prisma, secretKey)).toBe(0);
  });
});
