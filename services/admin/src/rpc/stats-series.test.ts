import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { HealthService } from "@piperelay/proto";
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
} from "../testing.js";
import { createStatsSeriesService } from "./stats-series.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;
const now = new Date("2026-03-01T12:30:00Z");
let parts: ReturnType<typeof servicePart>[];

beforeAll(async () => {
  db = await openTestDatabase();
  parts = [servicePart(HealthService, createStatsSeriesService({ prisma: db.prisma, now: () => now }))];
});

afterAll(async () => {
  await db?.dispose();
});

describe("HealthService.GetStatsSeries", () => {
  it("counts messages, attempts and finished deliveries per bucket, with empty buckets as zeros", async () => {
    const applicationId = await insertTestApplication(db.prisma);
    const endpointId = await insertTestEndpoint(db.prisma, applicationId);
    const otherEndpoint = await insertTestEndpoint(db.prisma, applicationId);
    const at = (iso: string) => new Date(iso);
    const m1 = await insertTestMessage(db.prisma, applicationId, { timestamp: at("2026-03-01T10:15:00Z") });
    const m2 = await insertTestMessage(db.prisma, applicationId, { timestamp: at("2026-03-01T12:05:00Z") });
    const ok = await insertTestDelivery(
      db.prisma,
      { applicationId, messageId: m1, endpointId },
      { status: "success", latenciesMs: [100, 300], attemptedAt: at("2026-03-01T10:20:00Z") },
    );
    await db.prisma.delivery.update({ where: { id: ok }, data: { completedAt: at("2026-03-01T10:20:00Z") } });
    const bad = await insertTestDelivery(
      db.prisma,
      { applicationId, messageId: m2, endpointId: otherEndpoint },
      { status: "failed", latenciesMs: [50], attemptedAt: at("2026-03-01T12:10:00Z") },
    );
    await db.prisma.delivery.update({
      where: { id: bad },
      data: { completedAt: at("2026-03-01T12:10:00Z") },
    });
    const client = clientFor(HealthService, parts, asApplication(applicationId));

    const { buckets, bucketSeconds } = await client.getStatsSeries({
      since: timestampFromDate(at("2026-03-01T09:45:00Z")),
      bucketSeconds: 3600,
    });

    expect(bucketSeconds).toBe(3600);
    expect(buckets.map((b) => timestampDate(b.start!).toISOString())).toEqual([
      "2026-03-01T09:00:00.000Z",
      "2026-03-01T10:00:00.000Z",
      "2026-03-01T11:00:00.000Z",
      "2026-03-01T12:00:00.000Z",
    ]);
    expect(
      buckets.map((b) => [
        b.messages,
        b.attemptsSucceeded,
        b.attemptsFailed,
        b.deliveriesSucceeded,
        b.deliveriesFailed,
      ]),
    ).toEqual([
      [0, 0, 0, 0, 0],
      [1, 1, 1, 1, 0],
      [0, 0, 0, 0, 0],
      [1, 0, 1, 0, 1],
    ]);
    expect(buckets[1]?.avgLatencyMs).toBe(200);

    const onlyEndpoint = await client.getStatsSeries({
      since: timestampFromDate(at("2026-03-01T09:45:00Z")),
      bucketSeconds: 3600,
      endpointId: otherEndpoint,
    });
    expect(onlyEndpoint.buckets.map((b) => [b.messages, b.attemptsFailed])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
      [1, 1],
    ]);

    const stranger = clientFor(HealthService, parts, asApplication(await insertTestApplication(db.prisma)));
    const empty = await stranger.getStatsSeries({ since: timestampFromDate(at("2026-03-01T09:45:00Z")) });
    expect(empty.buckets.every((b) => b.messages === 0 && b.attemptsFailed === 0)).toBe(true);
  });

  it("defaults to hourly buckets over 24 hours and refuses too many buckets", async () => {
    const client = clientFor(HealthService, parts, { kind: "admin" });
    const { buckets } = await client.getStatsSeries({});
    expect(buckets).toHaveLength(25);
    expect(await codeOf(client.getStatsSeries({ bucketSeconds: 1 }))).toBe(Code.InvalidArgument);
    expect(await codeOf(client.getStatsSeries({ bucketSeconds: 90_000 }))).toBe(Code.InvalidArgument);
    expect(await codeOf(client.getStatsSeries({ endpointId: "app_x" }))).toBe(Code.InvalidArgument);
  });
});
