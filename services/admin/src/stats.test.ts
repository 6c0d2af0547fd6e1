import { HealthService } from "@piperelay/proto";
import { servicePart } from "@piperelay/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStatsService } from "./rpc/stats.js";
import { computeStats } from "./stats.js";
import {
  asApplication,
  clientFor,
  insertTestApplication,
  insertTestDelivery,
  insertTestEndpoint,
  insertTestMessage,
  openTestDatabase,
} from "./testing.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let appA: string;
let appB: string;

const now = new Date("2026-03-10T12:00:00.000Z");
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 60 * 60 * 1000);

beforeAll(async () => {
  db = await openTestDatabase();
  const prisma = db.prisma;
  appA = await insertTestApplication(prisma, "A");
  appB = await insertTestApplication(prisma, "B");

  // Application A: 2 messages today, 1 yesterday, 1 three days ago, 1 ten days ago, 1 forty days ago.
  const today = await insertTestMessage(prisma, appA, { timestamp: new Date("2026-03-10T00:30:00Z") });
  await insertTestMessage(prisma, appA, { timestamp: new Date("2026-03-10T11:59:00Z") });
  await insertTestMessage(prisma, appA, { timestamp: new Date("2026-03-09T23:30:00Z") });
  await insertTestMessage(prisma, appA, { timestamp: hoursAgo(72) });
  await insertTestMessage(prisma, appA, { timestamp: hoursAgo(240) });
  await insertTestMessage(prisma, appA, { timestamp: hoursAgo(960) });
  const endpointA = await insertTestEndpoint(prisma, appA);
  await insertTestEndpoint(prisma, appA);
  await insertTestEndpoint(prisma, appA, { isActive: false });
  const ids = { applicationId: appA, messageId: today, endpointId: endpointA };
  await insertTestDelivery(prisma, ids, {
    status: "success",
    latenciesMs: [100, 200],
    attemptedAt: hoursAgo(1),
  });
  await insertTestDelivery(prisma, ids, { status: "success", latenciesMs: [300], attemptedAt: hoursAgo(2) });
  await insertTestDelivery(prisma, ids, {
    status: "failed",
    latenciesMs: [400, 1000],
    attemptedAt: hoursAgo(3),
  });
  // Its only attempt is older than 24 hours, so it does not count towards latency.
  await insertTestDelivery(prisma, ids, {
    status: "retrying",
    latenciesMs: [99_999],
    attemptedAt: hoursAgo(48),
  });
  await insertTestDelivery(prisma, ids, { status: "pending" });

  // Application B: one message today, one successful delivery, one active endpoint.
  const messageB = await insertTestMessage(prisma, appB, { timestamp: hoursAgo(1) });
  const endpointB = await insertTestEndpoint(prisma, appB);
  await insertTestDelivery(
    prisma,
    { applicationId: appB, messageId: messageB, endpointId: endpointB },
    { status: "success", latenciesMs: [50], attemptedAt: hoursAgo(1) },
  );
});

afterAll(async () => {
  await db?.dispose();
});

describe("computeStats", () => {
  it("computes one application's message windows, delivery counts, latency and active endpoints", async () => {
    const stats = await computeStats(db.prisma, appA, now);
    expect(stats).toEqual({
      messagesToday: 2,
      messagesThisWeek: 4,
      messagesThisMonth: 5,
      deliveriesSucceeded: 2,
      deliveriesFailed: 1,
      deliveriesPending: 2,
      successRate: 2 / 3,
      avgLatencyMs: 400,
      // Interpolated between 400 and 1000 at position 0.95 × 4 = 3.8.
      p95LatencyMs: expect.closeTo(880, 6),
      activeEndpoints: 2,
      generatedAt: now,
    });
  });

  it("adds up every application when no application is given", async () => {
    const stats = await computeStats(db.prisma, undefined, now);
    expect(stats).toMatchObject({
      messagesToday: 3,
      messagesThisWeek: 5,
      messagesThisMonth: 6,
      deliveriesSucceeded: 3,
      deliveriesFailed: 1,
      deliveriesPending: 2,
      successRate: 0.75,
      activeEndpoints: 3,
    });
    expect(stats.avgLatencyMs).toBeCloseTo(2050 / 6, 6);
    expect(stats.p95LatencyMs).toBeCloseTo(850, 6);
  });

  it("reports zeros rather than nulls for an application without traffic", async () => {
    const empty = await insertTestApplication(db.prisma, "quiet");
    expect(await computeStats(db.prisma, empty, now)).toMatchObject({
      messagesToday: 0,
      deliveriesSucceeded: 0,
      successRate: 0,
      avgLatencyMs: 0,
      p95LatencyMs: 0,
      activeEndpoints: 0,
    });
  });
});

describe("GetStats", () => {
  it("shows an application its own figures and the admin everyone's", async () => {
    const parts = [servicePart(HealthService, createStatsService({ prisma: db.prisma }))];
    const forA = await clientFor(HealthService, parts, asApplication(appA)).getStats({});
    expect(forA).toMatchObject({
      deliveriesSucceeded: 2,
      deliveriesFailed: 1,
      deliveriesPending: 2,
      activeEndpoints: 2,
    });
    expect(forA.successRate).toBeCloseTo(2 / 3, 10);
    expect(forA.generatedAt).toBeDefined();

    const forAdmin = await clientFor(HealthService, parts, { kind: "admin" }).getStats({});
    expect(forAdmin).toMatchObject({ deliveriesSucceeded: 3, activeEndpoints: 3, successRate: 0.75 });
  });
});
