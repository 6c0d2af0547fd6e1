import { type JsonValue, toJson } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { MessageService } from "@piperelay/proto";
import { servicePart } from "@piperelay/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asApplication,
  clientFor,
  codeOf,
  insertTestApplication,
  insertTestDelivery,
  insertTestEndpoint,
  insertTestMessage,
  openTestDatabase,
  recordingPublisher,
} from "../testing.js";
import { createMessageQueryService } from "./messages.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let publisher: ReturnType<typeof recordingPublisher>;
let parts: ReturnType<typeof servicePart>[];

beforeAll(async () => {
  db = await openTestDatabase();
  publisher = recordingPublisher();
  parts = [servicePart(MessageService, createMessageQueryService({ prisma: db.prisma, publisher }))];
});

afterAll(async () => {
  await db?.dispose();
});

/** A new application with a client calling as it. */
async function newTenant() {
  const applicationId = await insertTestApplication(db.prisma);
  return { applicationId, client: clientFor(MessageService, parts, asApplication(applicationId)) };
}

const hourMs = 60 * 60 * 1000;

describe("ListMessages", () => {
  it("lists newest first, filters by event type, status and time range, and pages with a cursor", async () => {
    const { applicationId, client } = await newTenant();
    const now = Date.now();
    const oldest = await insertTestMessage(db.prisma, applicationId, {
      eventType: "session.completed",
      status: "delivered",
      timestamp: new Date(now - 3 * hourMs),
    });
    const middle = await insertTestMessage(db.prisma, applicationId, {
      eventType: "alert.triggered",
      status: "failed",
      timestamp: new Date(now - 2 * hourMs),
    });
    const newest = await insertTestMessage(db.prisma, applicationId, {
      eventType: "session.completed",
      status: "pending",
      timestamp: new Date(now - 1 * hourMs),
    });
    const { applicationId: otherApplicationId } = await newTenant();
    await insertTestMessage(db.prisma, otherApplicationId);

    const ids = async (filter: Parameters<typeof client.listMessages>[0]) =>
      (await client.listMessages(filter)).messages.map((message) => message.id);

    expect(await ids({})).toEqual([newest, middle, oldest]);
    expect(await ids({ eventType: "session.completed" })).toEqual([newest, oldest]);
    expect(await ids({ status: "failed" })).toEqual([middle]);
    expect(await ids({ status: "delivered" })).toEqual([oldest]);
    expect(await ids({ since: timestampFromDate(new Date(now - 2.5 * hourMs)) })).toEqual([newest, middle]);
    expect(await ids({ until: timestampFromDate(new Date(now - 1.5 * hourMs)) })).toEqual([middle, oldest]);
    expect(
      await ids({
        since: timestampFromDate(new Date(now - 2.5 * hourMs)),
        until: timestampFromDate(new Date(now - 1.5 * hourMs)),
      }),
    ).toEqual([middle]);

    const first = await client.listMessages({ limit: 2 });
    expect(first.messages.map((message) => message.id)).toEqual([newest, middle]);
    expect(first.nextCursor).not.toBe("");
    const second = await client.listMessages({ limit: 2, cursor: first.nextCursor });
    expect(second.messages.map((message) => message.id)).toEqual([oldest]);
    expect(second.nextCursor).toBe("");

    const filteredPage = await client.listMessages({ eventType: "session.completed", limit: 1 });
    expect(filteredPage.messages.map((message) => message.id)).toEqual([newest]);
    const filteredNext = await client.listMessages({
      eventType: "session.completed",
      limit: 1,
      cursor: filteredPage.nextCursor,
    });
    expect(filteredNext.messages.map((message) => message.id)).toEqual([oldest]);
  });

  it("returns messages without deliveries but with their payload and status", async () => {
    const { applicationId, client } = await newTenant();
    await insertTestMessage(db.prisma, applicationId, {
      payload: '{"a":1}',
      status: "delivered",
      endpointsTargeted: 2,
    });
    const [message] = (await client.listMessages({})).messages;
    expect(message?.deliveries).toEqual([]);
    expect(message?.status).toBe("delivered");
    expect(message?.endpointsTargeted).toBe(2);
    expect(toJson(ValueSchema, message!.payload!)).toEqual({ a: 1 });
  });

  it.each([
    ["an unknown status", { status: "done" }],
    ["a malformed event type", { eventType: "not valid!" }],
    ["a negative limit", { limit: -1 }],
    ["a limit above 200", { limit: 201 }],
    ["a malformed cursor", { cursor: "%%%" }],
    ["a cursor of another list", { cursor: Buffer.from("app_01JUNK").toString("base64url") }],
    [
      "an until before since",
      { since: timestampFromDate(new Date(2_000_000)), until: timestampFromDate(new Date(1_000_000)) },
    ],
  ])("rejects %s with InvalidArgument", async (_what, filter) => {
    const { client } = await newTenant();
    expect(await codeOf(client.listMessages(filter))).toBe(Code.InvalidArgument);
  });
});

describe("GetMessage", () => {
  it("returns the payload, status and every delivery with its attempts in order", async () => {
    const { applicationId, client } = await newTenant();
    const payload = {
      session_id: "sess_abc123",
      duration: 342,
      nested: { ok: true, list: [1, "two", null] },
    };
    const messageId = await insertTestMessage(db.prisma, applicationId, {
      payload: JSON.stringify(payload),
      status: "pending",
      endpointsTargeted: 2,
    });
    await db.prisma.message.update({ where: { id: messageId }, data: { idempotencyKey: "order-42" } });
    const okEndpoint = await insertTestEndpoint(db.prisma, applicationId, {
      url: "https://acme.example/hooks",
    });
    const flakyEndpoint = await insertTestEndpoint(db.prisma, applicationId, {
      url: "https://other.example/hooks",
    });
    const succeeded = await insertTestDelivery(
      db.prisma,
      { applicationId, messageId, endpointId: okEndpoint },
      { status: "success", latenciesMs: [2300, 145] },
    );
    const retrying = await insertTestDelivery(
      db.prisma,
      { applicationId, messageId, endpointId: flakyEndpoint },
      { status: "retrying", latenciesMs: [900] },
    );

    const { message } = await client.getMessage({ id: messageId });
    expect(message).toMatchObject({
      id: messageId,
      eventType: "session.completed",
      status: "pending",
      endpointsTargeted: 2,
      idempotencyKey: "order-42",
    });
    expect(toJson(ValueSchema, message!.payload!)).toEqual(payload as JsonValue);
    expect(message?.timestamp).toBeDefined();
    expect(message?.deliveries.map((delivery) => delivery.id)).toEqual([succeeded, retrying]);

    const [first, second] = message!.deliveries;
    expect(first).toMatchObject({
      endpointId: okEndpoint,
      endpointUrl: "https://acme.example/hooks",
      status: "success",
      attemptCount: 2,
    });
    expect(first?.nextRetryAt).toBeUndefined();
    expect(first?.completedAt).toBeDefined();
    expect(
      first?.attempts.map((attempt) => [attempt.attemptNumber, attempt.statusCode, attempt.latencyMs]),
    ).toEqual([
      [1, 500, 2300],
      [2, 200, 145],
    ]);
    expect(first?.attempts[0]).toMatchObject({ responseBody: "boom", error: "Internal Server Error" });
    expect(first?.attempts[1]?.timestamp).toBeDefined();

    expect(second).toMatchObject({
      endpointUrl: "https://other.example/hooks",
      status: "retrying",
      attemptCount: 1,
    });
    expect(second?.nextRetryAt).toBeDefined();
    expect(second?.completedAt).toBeUndefined();
  });

  it("answers NotFound for another application's message and for unknown ids", async () => {
    const { applicationId } = await newTenant();
    const messageId = await insertTestMessage(db.prisma, applicationId);
    const { client: stranger } = await newTenant();
    expect(await codeOf(stranger.getMessage({ id: messageId }))).toBe(Code.NotFound);
    expect(await codeOf(stranger.getMessage({ id: "msg_01JUNKJUNKJUNKJUNKJUNKJUNK" }))).toBe(Code.NotFound);
    expect(await codeOf(stranger.retryMessage({ id: messageId }))).toBe(Code.NotFound);
  });
});

describe("RetryMessage", () => {
  it("requeues only the failed deliveries, publishes their next attempt and makes the message pending", async () => {
    const { applicationId, client } = await newTenant();
    const messageId = await insertTestMessage(db.prisma, applicationId, { status: "failed" });
    const endpointId = await insertTestEndpoint(db.prisma, applicationId);
    const ids = { applicationId, messageId, endpointId };
    const succeeded = await insertTestDelivery(db.prisma, ids, { status: "success", latenciesMs: [10] });
    const exhausted = await insertTestDelivery(db.prisma, ids, {
      status: "failed",
      latenciesMs: Array(8).fill(5),
    });
    const failedEarly = await insertTestDelivery(db.prisma, ids, { status: "failed", latenciesMs: [5, 5] });
    const before = Date.now();
    publisher.batches.length = 0;

    const response = await client.retryMessage({ id: messageId });
    expect(response).toMatchObject({ id: messageId, deliveriesRequeued: 2 });

    expect(publisher.batches).toHaveLength(1);
    expect([...publisher.batches[0]!].sort((a, b) => a.deliveryId.localeCompare(b.deliveryId))).toEqual(
      [
        { deliveryId: exhausted, applicationId, endpointId, attempt: 9 },
        { deliveryId: failedEarly, applicationId, endpointId, attempt: 3 },
      ].sort((a, b) => a.deliveryId.localeCompare(b.deliveryId)),
    );

    for (const id of [exhausted, failedEarly]) {
      const row = await db.prisma.delivery.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({
        status: "pending",
        roundAttempts: 0,
        completedAt: null,
        enqueuedAt: null,
        lockedUntil: null,
      });
      expect(row.nextRetryAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    }
    expect(await db.prisma.delivery.findUniqueOrThrow({ where: { id: exhausted } })).toMatchObject({
      attemptCount: 8,
    });
    expect((await db.prisma.delivery.findUniqueOrThrow({ where: { id: succeeded } })).status).toBe("success");
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: messageId } })).status).toBe("pending");

    const { message } = await client.getMessage({ id: messageId });
    expect(message?.status).toBe("pending");
    expect(message?.deliveries.find((delivery) => delivery.id === exhausted)?.nextRetryAt).toBeDefined();
  });

  it("requeues nothing and publishes nothing when no delivery has failed", async () => {
    const { applicationId, client } = await newTenant();
    const messageId = await insertTestMessage(db.prisma, applicationId, { status: "pending" });
    const endpointId = await insertTestEndpoint(db.prisma, applicationId);
    await insertTestDelivery(
      db.prisma,
      { applicationId, messageId, endpointId },
      { status: "retrying", latenciesMs: [1] },
    );
    publisher.batches.length = 0;

    expect(await client.retryMessage({ id: messageId })).toMatchObject({
      id: messageId,
      deliveriesRequeued: 0,
    });
    expect(publisher.batches).toEqual([]);
  });
});

it("keeps the timestamp of a listed message as stored", async () => {
  const { applicationId, client } = await newTenant();
  const timestamp = new Date("2026-02-19T10:35:00.123Z");
  await insertTestMessage(db.prisma, applicationId, { timestamp });
  const [message] = (await client.listMessages({})).messages;
  expect(timestampDate(message!.timestamp!)).toEqual(timestamp);
});
