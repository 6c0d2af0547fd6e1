import { Code } from "@connectrpc/connect";
import { apiKeyLookupId, legacyApiKeyHash, verifyApiKey } from "@piperelay/api-keys";
import { ApplicationService } from "@piperelay/proto";
import { servicePart } from "@piperelay/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clientFor,
  codeOf,
  insertTestEndpoint,
  insertTestMessage,
  openTestDatabase,
  testKeys,
} from "../testing.js";
import { createApplicationService } from "./applications.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let client: ReturnType<typeof clientFor<typeof ApplicationService>>;

beforeAll(async () => {
  db = await openTestDatabase();
  const parts = [
    servicePart(
      ApplicationService,
      createApplicationService({ prisma: db.prisma, apiKeyPepper: testKeys.apiKeyPepper }),
    ),
  ];
  client = clientFor(ApplicationService, parts, { kind: "admin" });
});

afterAll(async () => {
  await db?.dispose();
});

describe("ApplicationService", () => {
  it("creates an application with a trimmed name and returns its key once, storing only a salted, peppered hash", async () => {
    const { application } = await client.createApplication({ name: "  Seentics  " });
    expect(application?.id).toMatch(/^app_/);
    expect(application?.name).toBe("Seentics");
    expect(application?.apiKey).toMatch(/^pk_live_/);
    expect(application?.createdAt).toBeDefined();

    const row = await db.prisma.application.findUniqueOrThrow({ where: { id: application!.id } });
    const apiKey = application!.apiKey;
    expect(verifyApiKey(apiKey, row.apiKeyHash, testKeys.apiKeyPepper)).toBe(true);
    expect(row.apiKeyHash).not.toBe(legacyApiKeyHash(apiKey));
    expect(row.apiKeyHash).not.toContain(apiKey.slice(8));
    expect(row.apiKeyLookup).toBe(apiKeyLookupId(apiKey));
    expect(row.apiKeyPrefix).toBe(application!.apiKey.slice(0, 12));

    const fetched = await client.getApplication({ id: application!.id });
    expect(fetched.application?.name).toBe("Seentics");
    expect(fetched.application?.apiKey).toBe("");
  });

  it("stores a retry policy, returns it, and replaces it with UpdateApplication", async () => {
    const { application } = await client.createApplication({
      name: "with policy",
      retryPolicy: {
        schedule: [{ seconds: 5n }, { seconds: 60n }],
        maxAttempts: 4,
        timeout: { seconds: 10n },
      },
    });
    const row = await db.prisma.application.findUniqueOrThrow({ where: { id: application!.id } });
    expect(row.retryPolicy).toEqual({ schedule_ms: [5000, 60_000], max_attempts: 4, timeout_ms: 10_000 });
    const fetched = await client.getApplication({ id: application!.id });
    expect(fetched.application?.retryPolicy?.schedule.map((d) => Number(d.seconds))).toEqual([5, 60]);
    expect(fetched.application?.retryPolicy?.maxAttempts).toBe(4);

    const updated = await client.updateApplication({ id: application!.id, name: "renamed" });
    expect(updated.application?.name).toBe("renamed");
    expect(updated.application?.retryPolicy).toBeUndefined();
    const cleared = await db.prisma.application.findUniqueOrThrow({ where: { id: application!.id } });
    expect(cleared.retryPolicy).toBeNull();
  });

  it("rejects a bad retry policy naming the field, and stores nothing", async () => {
    const before = await db.prisma.application.count();
    await expect(
      client.createApplication({ name: "bad policy", retryPolicy: { maxAttempts: 0 } }),
    ).rejects.toThrow(/retry_policy.max_attempts: must be 1 to 100/);
    await expect(
      client.createApplication({ name: "bad policy", retryPolicy: { timeout: { nanos: 5_000_000 } } }),
    ).rejects.toThrow(/retry_policy.timeout: must be 1 second to 5 minutes/);
    await expect(
      client.createApplication({
        name: "bad policy",
        retryPolicy: { schedule: [{ seconds: 8n * 86_400n }] },
      }),
    ).rejects.toThrow(/retry_policy.schedule\[0\]: must be at most 7 days/);
    await expect(
      client.createApplication({ name: "bad policy", retryPolicy: { schedule: [{ seconds: -1n }] } }),
    ).rejects.toThrow(/retry_policy.schedule\[0\]: must not be negative/);
    expect(await db.prisma.application.count()).toBe(before);
    expect(await codeOf(client.updateApplication({ id: "app_01JMISSING00000000000000000", name: "x" }))).toBe(
      Code.NotFound,
    );
  });

  it("rejects an empty or over-long name", async () => {
    expect(await codeOf(client.createApplication({ name: "   " }))).toBe(Code.InvalidArgument);
    expect(await codeOf(client.createApplication({ name: "x".repeat(201) }))).toBe(Code.InvalidArgument);
    await expect(client.createApplication({ name: "" })).rejects.toThrow(/name: is required/);
  });

  it("lists applications oldest first, page by page, without keys", async () => {
    const created: string[] = [];
    for (const name of ["list-a", "list-b", "list-c"]) {
      const { application } = await client.createApplication({ name });
      created.push(application!.id);
    }
    const seen: string[] = [];
    let cursor = "";
    do {
      const page = await client.listApplications({ limit: 2, cursor });
      expect(page.applications.length).toBeLessThanOrEqual(2);
      for (const app of page.applications) {
        expect(app.apiKey).toBe("");
        seen.push(app.id);
      }
      cursor = page.nextCursor;
    } while (cursor !== "");
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(created));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("rejects a malformed cursor and an out-of-range limit", async () => {
    expect(await codeOf(client.listApplications({ cursor: "not-a-cursor!" }))).toBe(Code.InvalidArgument);
    expect(
      await codeOf(client.listApplications({ cursor: Buffer.from("ep_123").toString("base64url") })),
    ).toBe(Code.InvalidArgument);
    expect(await codeOf(client.listApplications({ limit: 201 }))).toBe(Code.InvalidArgument);
    expect(await codeOf(client.listApplications({ limit: -1 }))).toBe(Code.InvalidArgument);
  });

  it("rotates the key: a new key is returned and the old one no longer matches the stored hash", async () => {
    const { application } = await client.createApplication({ name: "rotating" });
    const rotated = await client.rotateApplicationKey({ id: application!.id });
    expect(rotated.application?.apiKey).toMatch(/^pk_live_/);
    expect(rotated.application?.apiKey).not.toBe(application!.apiKey);

    const row = await db.prisma.application.findUniqueOrThrow({ where: { id: application!.id } });
    expect(verifyApiKey(rotated.application!.apiKey, row.apiKeyHash, testKeys.apiKeyPepper)).toBe(true);
    expect(verifyApiKey(application!.apiKey, row.apiKeyHash, testKeys.apiKeyPepper)).toBe(false);
    expect(row.apiKeyLookup).toBe(apiKeyLookupId(rotated.application!.apiKey));
    const old = await db.prisma.application.findUnique({
      where: { apiKeyLookup: apiKeyLookupId(application!.apiKey) },
    });
    expect(old).toBeNull();
  });

  it("deletes an application together with its endpoints and messages", async () => {
    const { application } = await client.createApplication({ name: "doomed" });
    const id = application!.id;
    await insertTestEndpoint(db.prisma, id);
    await insertTestMessage(db.prisma, id);

    expect(await client.deleteApplication({ id })).toMatchObject({ id, deleted: true });
    expect(await db.prisma.endpoint.count({ where: { applicationId: id } })).toBe(0);
    expect(await db.prisma.message.count({ where: { applicationId: id } })).toBe(0);
    expect(await codeOf(client.getApplication({ id }))).toBe(Code.NotFound);
    expect(await codeOf(client.deleteApplication({ id }))).toBe(Code.NotFound);
  });

  it("answers NotFound for unknown ids and ids of another kind", async () => {
    expect(await codeOf(client.getApplication({ id: "app_01JUNKJUNKJUNKJUNKJUNKJUNK" }))).toBe(Code.NotFound);
    expect(await codeOf(client.getApplication({ id: "ep_01JUNK" }))).toBe(Code.NotFound);
    expect(await codeOf(client.rotateApplicationKey({ id: "app_01JUNKJUNKJUNKJUNKJUNKJUNK" }))).toBe(
      Code.NotFound,
    );
    expect(await codeOf(client.getApplication({ id: "" }))).toBe(Code.InvalidArgument);
  });
});
