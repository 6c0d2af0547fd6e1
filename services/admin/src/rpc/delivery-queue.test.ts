import { Code } from "@connectrpc/connect";
import { DeliveryService } from "@piperelay/proto";
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
import { createDeliveryQueueService } from "./delivery-queue.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;
const publisher = recordingPublisher();
let parts: ReturnType<typeof servicePart>[];

beforeAll(async () => {
  db = await openTestDatabase();
  parts = [servicePart(DeliveryService, createDeliveryQueueService({ prisma: db.prisma, publisher }))];
});

afterAll(async () => {
  await db?.dispose();
});

/** An application with two endpoints and deliveries of every status. */
async function seed() {
  const applicationId = await insertTestApplication(db.prisma);
  const good = await insertTestEndpoint(db.prisma, applicationId, { url: "https://good.example/hook" });
  const bad = await insertTestEndpoint(db.prisma, applicationId, { url: "https://bad.example/hook" });
  const delivery = async (endpointId: string, status: string, eventType: string, latenciesMs: number[]) => {
    const messageId = await insertTestMessage(db.prisma, applicationId, { eventType, status: "pending" });
    return insertTestDelivery(db.prisma, { applicationId, messageId, endpointId }, { status, latenciesMs });
  };
  const ok = await delivery(good, "success", "order.paid", [40]);
  const failedA = await delivery(bad, "failed", "order.paid", [10, 20, 30]);
  const failedB = await delivery(bad, "failed", "alert.triggered", [15]);
  const retrying = await delivery(bad, "retrying", "order.paid", [12]);
  return { applicationId, good, bad, ok, failedA, failedB, retrying };
}

describe("DeliveryService.ListDeliveries", () => {
  it("lists failed deliveries across messages, newest first, each with its last attempt and event type", async () => {
    const s = await seed();
    const client = clientFor(DeliveryService, parts, asApplication(s.applicationId));
    const { deliveries } = await client.listDeliveries({ status: "failed" });
    expect(deliveries.map((d) => d.id)).toEqual([s.failedB, s.failedA]);
    const [latest, older] = deliveries;
    expect(latest).toMatchObject({ eventType: "alert.triggered", endpointUrl: "https://bad.example/hook" });
    expect(older?.lastAttempt).toMatchObject({ attemptNumber: 3, statusCode: 500, latencyMs: 30 });
    expect(older?.attempts).toEqual([]);
    expect(older?.createdAt).toBeDefined();
  });

  it("filters by endpoint and event type, and pages with a cursor", async () => {
    const s = await seed();
    const client = clientFor(DeliveryService, parts, asApplication(s.applicationId));
    const toBad = await client.listDeliveries({ endpointId: s.bad, eventType: "order.paid" });
    expect(toBad.deliveries.map((d) => d.id)).toEqual([s.retrying, s.failedA]);
    const first = await client.listDeliveries({ limit: 3 });
    const second = await client.listDeliveries({ limit: 3, cursor: first.nextCursor });
    expect([...first.deliveries, ...second.deliveries].map((d) => d.id)).toEqual([
      s.retrying,
      s.failedB,
      s.failedA,
      s.ok,
    ]);
    expect(second.nextCursor).toBe("");
  });

  it("shows nothing of another application and rejects bad filters", async () => {
    const s = await seed();
    const stranger = clientFor(DeliveryService, parts, asApplication(await insertTestApplication(db.prisma)));
    expect((await stranger.listDeliveries({})).deliveries).toEqual([]);
    expect((await stranger.listDeliveries({ endpointId: s.bad })).deliveries).toEqual([]);
    expect(await codeOf(stranger.listDeliveries({ status: "lost" }))).toBe(Code.InvalidArgument);
    expect(await codeOf(stranger.listDeliveries({ endpointId: "msg_1" }))).toBe(Code.InvalidArgument);
  });
});

describe("DeliveryService.RetryDeliveries", () => {
  it("requeues the selected failed deliveries only, and publishes them", async () => {
    const s = await seed();
    const client = clientFor(DeliveryService, parts, asApplication(s.applicationId));
    publisher.batches.length = 0;
    const { deliveriesRequeued } = await client.retryDeliveries({ ids: [s.failedA, s.ok, s.retrying] });
    expect(deliveriesRequeued).toBe(1);
    expect(publisher.batches.flat().map((job) => job.deliveryId)).toEqual([s.failedA]);
    const rows = await db.prisma.delivery.findMany({ where: { id: { in: [s.failedA, s.failedB] } } });
    expect(Object.fromEntries(rows.map((row) => [row.id, row.status]))).toEqual({
      [s.failedA]: "pending",
      [s.failedB]: "failed",
    });
  });

  it("requeues every failed delivery matching the filters", async () => {
    const s = await seed();
    const client = clientFor(DeliveryService, parts, asApplication(s.applicationId));
    const matching = await client.retryDeliveries({ allMatching: true, eventType: "alert.triggered" });
    expect(matching.deliveriesRequeued).toBe(1);
    const rest = await client.retryDeliveries({ allMatching: true, endpointId: s.bad });
    expect(rest.deliveriesRequeued).toBe(1);
    expect(
      await db.prisma.delivery.count({ where: { applicationId: s.applicationId, status: "failed" } }),
    ).toBe(0);
  });

  it("never touches another application's deliveries", async () => {
    const s = await seed();
    const stranger = clientFor(DeliveryService, parts, asApplication(await insertTestApplication(db.prisma)));
    expect((await stranger.retryDeliveries({ ids: [s.failedA] })).deliveriesRequeued).toBe(0);
    expect((await stranger.retryDeliveries({ allMatching: true })).deliveriesRequeued).toBe(0);
    const row = await db.prisma.delivery.findUniqueOrThrow({ where: { id: s.failedA } });
    expect(row.status).toBe("failed");
  });

  it("asks for ids or all_matching", async () => {
    const s = await seed();
    const client = clientFor(DeliveryService, parts, asApplication(s.applicationId));
    expect(await codeOf(client.retryDeliveries({}))).toBe(Code.InvalidArgument);
  });
});
