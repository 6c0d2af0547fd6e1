import { Code } from "@connectrpc/connect";
import { newId } from "@piperelay/core";
import { EndpointService } from "@piperelay/proto";
import { servicePart } from "@piperelay/rpc";
import { decryptSecret } from "@piperelay/signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asApplication,
  clientFor,
  codeOf,
  errorOf,
  insertTestApplication,
  insertTestDelivery,
  insertTestMessage,
  openTestDatabase,
  testKeys,
} from "../testing.js";
import { createEndpointService } from "./endpoints.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let client: ReturnType<typeof clientFor<typeof EndpointService>>;
let otherClient: ReturnType<typeof clientFor<typeof EndpointService>>;
let applicationId: string;
const strictTargets = { allowPrivate: false, allowedCidrs: [], httpsOnly: false };

beforeAll(async () => {
  db = await openTestDatabase();
  const parts = [
    servicePart(
      EndpointService,
      createEndpointService({
        prisma: db.prisma,
        targets: strictTargets,
        secretKey: testKeys.secretKey,
      }),
    ),
  ];
  applicationId = await insertTestApplication(db.prisma, "owner");
  const otherApplicationId = await insertTestApplication(db.prisma, "someone else");
  client = clientFor(EndpointService, parts, asApplication(applicationId));
  otherClient = clientFor(EndpointService, parts, asApplication(otherApplicationId));
});

afterAll(async () => {
  await db?.dispose();
});

const validEndpoint = {
  url: "https://acme-corp.com/webhooks/seentics",
  description: "Acme Corp production webhook",
  eventTypes: ["session.completed", "alert.*"],
  rateLimit: 10,
  metadata: { team: "billing" },
};

describe("EndpointService", () => {
  it("creates an endpoint with a generated secret, enabled by default", async () => {
    const { endpoint } = await client.createEndpoint(validEndpoint);
    expect(endpoint).toMatchObject({
      applicationId,
      url: validEndpoint.url,
      description: validEndpoint.description,
      eventTypes: validEndpoint.eventTypes,
      isActive: true,
      rateLimit: 10,
      metadata: { team: "billing" },
    });
    expect(endpoint?.id).toMatch(/^ep_/);
    expect(endpoint?.secret).toMatch(/^whsec_/);
  });

  it("keeps a given secret and an explicit disabled state", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const { endpoint } = await client.createEndpoint({
      url: "http://hooks.example.com:9000/hook",
      secret,
      isActive: false,
    });
    expect(endpoint?.secret).toBe(secret);
    expect(endpoint?.isActive).toBe(false);
    expect(endpoint?.rateLimit).toBeUndefined();
    expect(endpoint?.eventTypes).toEqual([]);
  });

  it("stores secrets encrypted and bound to the endpoint, on create and on update", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const { endpoint } = await client.createEndpoint({ url: "https://example.com/encrypted", secret });
    const id = endpoint!.id;
    const created = await db.prisma.endpoint.findUniqueOrThrow({ where: { id } });
    expect(created.secret).toMatch(/^v1:/);
    expect(created.secret).not.toContain(secret.slice("whsec_".length));
    expect(decryptSecret(testKeys.secretKey, id, created.secret)).toBe(secret);

    const next = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0";
    await client.updateEndpoint({ id, url: "https://example.com/encrypted", secret: next });
    const updated = await db.prisma.endpoint.findUniqueOrThrow({ where: { id } });
    expect(updated.secret).not.toContain(next.slice("whsec_".length));
    expect(decryptSecret(testKeys.secretKey, id, updated.secret)).toBe(next);
  });

  it("still shows a secret stored in clear before secrets were encrypted", async () => {
    const secret = "whsec_bGVnYWN5LWxlZ2FjeS1sZWdhY3ktbGVnYWN5";
    const row = await db.prisma.endpoint.create({
      data: { id: newId("ep"), applicationId, url: "https://example.com/legacy", secret },
    });
    expect((await client.getEndpoint({ id: row.id })).endpoint?.secret).toBe(secret);
  });

  it.each([
    ["a missing URL", { url: "" }, /url: is required/],
    ["a relative URL", { url: "/webhooks" }, /url: must be an absolute http or https URL/],
    ["a non-http scheme", { url: "ftp://example.com/hook" }, /url: must use http or https/],
    [
      "credentials in the URL",
      { url: "https://user:pass@example.com/hook" },
      /url: must not contain credentials/,
    ],
    ["an over-long URL", { url: `https://example.com/${"a".repeat(2048)}` }, /url: must be at most 2048/],
    [
      "a bad event type pattern",
      { eventTypes: ["ok", "bad type!"] },
      /event_types\[1\]: pattern "bad type!"/,
    ],
    ["too many event types", { eventTypes: Array.from({ length: 101 }, (_, i) => `e${i}`) }, /event_types: /],
    ["a rate limit of 0", { rateLimit: 0 }, /rate_limit: must be at least 1/],
    ["an over-long description", { description: "d".repeat(1001) }, /description: must be at most 1000/],
    ["a malformed secret", { secret: "not-a-secret" }, /secret: must start with "whsec_"/],
    [
      "too many metadata keys",
      { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"])) },
      /metadata: must have at most 50 keys/,
    ],
    [
      "an over-long metadata value",
      { metadata: { k: "v".repeat(1025) } },
      /metadata\.k: must be at most 1024/,
    ],
  ])("rejects %s with InvalidArgument naming the field", async (_what, change, message) => {
    const error = await errorOf(client.createEndpoint({ ...validEndpoint, ...change }));
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toMatch(message);
  });

  it("gets, lists oldest first with pagination, and deletes", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { endpoint } = await client.createEndpoint({ url: `https://example.com/list/${i}` });
      ids.push(endpoint!.id);
    }
    const got = await client.getEndpoint({ id: ids[0] });
    expect(got.endpoint?.url).toBe("https://example.com/list/0");

    const seen: string[] = [];
    let cursor = "";
    do {
      const page = await client.listEndpoints({ limit: 2, cursor });
      seen.push(...page.endpoints.map((endpoint) => endpoint.id));
      cursor = page.nextCursor;
    } while (cursor !== "");
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining(ids));

    expect(await client.deleteEndpoint({ id: ids[0] })).toMatchObject({ id: ids[0], deleted: true });
    expect(await codeOf(client.getEndpoint({ id: ids[0] }))).toBe(Code.NotFound);
    expect(await codeOf(client.deleteEndpoint({ id: ids[0] }))).toBe(Code.NotFound);
  });

  it("replaces settings on update, resetting omitted fields but keeping the secret and state", async () => {
    const { endpoint } = await client.createEndpoint({ ...validEndpoint, isActive: false });
    const { endpoint: updated } = await client.updateEndpoint({
      id: endpoint!.id,
      url: "https://new.example.com/h",
    });
    expect(updated).toMatchObject({
      id: endpoint!.id,
      url: "https://new.example.com/h",
      description: "",
      eventTypes: [],
      metadata: {},
      secret: endpoint!.secret,
      isActive: false,
    });
    expect(updated?.rateLimit).toBeUndefined();

    const secret = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0";
    const { endpoint: again } = await client.updateEndpoint({
      id: endpoint!.id,
      url: "https://new.example.com/h",
      secret,
      isActive: true,
    });
    expect(again).toMatchObject({ secret, isActive: true });
    expect(await codeOf(client.updateEndpoint({ id: endpoint!.id, url: "nope" }))).toBe(Code.InvalidArgument);
  });

  it("flips the state on toggle without is_active and sets it when given", async () => {
    const { endpoint } = await client.createEndpoint({ url: "https://example.com/toggle" });
    expect((await client.toggleEndpoint({ id: endpoint!.id })).endpoint?.isActive).toBe(false);
    expect((await client.toggleEndpoint({ id: endpoint!.id })).endpoint?.isActive).toBe(true);
    expect((await client.toggleEndpoint({ id: endpoint!.id, isActive: true })).endpoint?.isActive).toBe(true);
    expect((await client.toggleEndpoint({ id: endpoint!.id, isActive: false })).endpoint?.isActive).toBe(
      false,
    );
  });

  it("answers NotFound for an unknown id and for another application's endpoint, without changing it", async () => {
    const unknown = "ep_01JUNKJUNKJUNKJUNKJUNKJUNK";
    expect(await codeOf(client.getEndpoint({ id: unknown }))).toBe(Code.NotFound);
    expect(await codeOf(client.toggleEndpoint({ id: unknown }))).toBe(Code.NotFound);

    const { endpoint } = await client.createEndpoint({ url: "https://example.com/mine" });
    const id = endpoint!.id;
    expect(await codeOf(otherClient.getEndpoint({ id }))).toBe(Code.NotFound);
    expect(await codeOf(otherClient.updateEndpoint({ id, url: "https://evil.example.com" }))).toBe(
      Code.NotFound,
    );
    expect(await codeOf(otherClient.toggleEndpoint({ id }))).toBe(Code.NotFound);
    expect(await codeOf(otherClient.toggleEndpoint({ id, isActive: false }))).toBe(Code.NotFound);
    expect(await codeOf(otherClient.getEndpointStats({ id }))).toBe(Code.NotFound);
    expect(await codeOf(otherClient.deleteEndpoint({ id }))).toBe(Code.NotFound);
    expect((await otherClient.listEndpoints({})).endpoints).toEqual([]);

    const row = await db.prisma.endpoint.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ url: "https://example.com/mine", isActive: true });
  });

  it("reports delivery counts, success rate, mean latency and the last attempt time", async () => {
    const { endpoint } = await client.createEndpoint({ url: "https://example.com/stats" });
    const endpointId = endpoint!.id;
    const empty = await client.getEndpointStats({ id: endpointId });
    expect(empty).toMatchObject({ endpointId, totalDeliveries: 0, successRate: 0, avgLatencyMs: 0 });
    expect(empty.lastAttemptAt).toBeUndefined();

    const messageId = await insertTestMessage(db.prisma, applicationId);
    const ids = { applicationId, messageId, endpointId };
    await insertTestDelivery(db.prisma, ids, { status: "success", latenciesMs: [100] });
    await insertTestDelivery(db.prisma, ids, { status: "success", latenciesMs: [300, 200] });
    await insertTestDelivery(db.prisma, ids, { status: "success", latenciesMs: [] });
    await insertTestDelivery(db.prisma, ids, { status: "failed", latenciesMs: [400] });
    await insertTestDelivery(db.prisma, ids, { status: "retrying", latenciesMs: [0] });
    await insertTestDelivery(db.prisma, ids, { status: "pending" });

    const stats = await client.getEndpointStats({ id: endpointId });
    expect(stats).toMatchObject({
      endpointId,
      totalDeliveries: 6,
      successfulDeliveries: 3,
      failedDeliveries: 1,
      pendingDeliveries: 2,
      successRate: 0.75,
      avgLatencyMs: 200,
    });
    expect(stats.lastAttemptAt).toBeDefined();
  });
});
