import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { createBacklogParker } from "./backlog-parker.js";

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_dead"] });
  await db.prisma.message.create({
    data: { id: "msg_1", applicationId: "app_1", eventType: "x", payload: "{}" },
  });
  const enqueued = new Date();
  await db.prisma.delivery.createMany({
    data: [
      ...Array.from({ length: 25 }, (_, i) => ({
        id: `dlv_${String(i).padStart(3, "0")}`,
        status: "pending",
      })),
      { id: "dlv_done", status: "success" },
    ].map((d) => ({
      ...d,
      messageId: "msg_1",
      endpointId: "ep_dead",
      applicationId: "app_1",
      enqueuedAt: enqueued,
    })),
  });
});
afterAll(async () => {
  await db?.dispose();
});

describe("createBacklogParker", () => {
  let clock = Date.now();
  // The stream's last sequence when a park begins; jobs up to it are covered by the park.
  let lastSequence = 100;
  let sequenceReads = 0;
  const parker = () =>
    createBacklogParker({
      prisma: db.prisma,
      lastJobSequence: async () => {
        sequenceReads++;
        return lastSequence;
      },
      now: () => clock,
    });
  const job = (deliveryId: string, sequence: number) => ({
    deliveryId,
    endpointId: "ep_dead",
    attempt: 1,
    sequence,
  });
  let backlog: ReturnType<typeof parker>;

  /** Runs `during` while another connection holds the delivery's row lock. */
  async function whileLocked<T>(deliveryId: string, during: () => Promise<T>): Promise<T> {
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT 1 FROM deliveries WHERE id = $1 FOR UPDATE", [deliveryId]);
      return await during();
    } finally {
      await other.query("ROLLBACK");
      await other.end();
    }
  }

  it("parks all the endpoint's outstanding deliveries on the first held job; others come back shortly", async () => {
    backlog = parker();
    const results = await Promise.all([
      backlog.park(job("dlv_000", 50), 30_000),
      backlog.park(job("dlv_001", 51), 30_000),
    ]);
    expect(results).toEqual([
      { kind: "parked", reason: "parked with the backlog" },
      { kind: "retry", delayMs: 1000, reason: "backlog being parked" },
    ]);
    expect(await backlog.park(job("dlv_001", 51), 30_000)).toEqual({
      kind: "parked",
      reason: "parked with the backlog",
    });
    expect(sequenceReads).toBe(1);
    const rows = await db.prisma.delivery.findMany({ where: { endpointId: "ep_dead" } });
    const outstanding = rows.filter((r) => r.status === "pending");
    expect(outstanding).toHaveLength(25);
    for (const row of outstanding) {
      expect(row.enqueuedAt).toBeNull();
      expect(row.nextRetryAt!.getTime()).toBeGreaterThanOrEqual(clock + 30_000 - 1000);
    }
    expect(rows.find((r) => r.id === "dlv_done")?.enqueuedAt).not.toBeNull();
    const endpoint = await db.prisma.endpoint.findUniqueOrThrow({ where: { id: "ep_dead" } });
    expect(endpoint.circuitOpenUntil!.getTime()).toBeGreaterThanOrEqual(clock + 30_000 - 1000);
  });

  it("acknowledges jobs queued before the park without touching their rows", async () => {
    // Its row is locked: a query would have to wait; the park already covers it.
    const result = await whileLocked("dlv_002", () => backlog.park(job("dlv_002", 100), 30_000));
    expect(result).toEqual({ kind: "parked", reason: "parked with the backlog" });
  });

  it("parks again, at most once a second, for jobs queued after the park", async () => {
    await db.prisma.delivery.create({
      data: {
        id: "dlv_late",
        messageId: "msg_1",
        endpointId: "ep_dead",
        applicationId: "app_1",
        status: "pending",
        enqueuedAt: new Date(),
      },
    });
    lastSequence = 120;
    expect(await backlog.park(job("dlv_late", 110), 30_000)).toEqual({
      kind: "retry",
      delayMs: 1000,
      reason: "queued after the backlog was parked; parked again shortly",
    });
    expect(sequenceReads).toBe(1);
    clock += 1000;
    expect(await backlog.park(job("dlv_late", 110), 30_000)).toEqual({
      kind: "parked",
      reason: "parked with the backlog",
    });
    expect(sequenceReads).toBe(2);
    const late = await db.prisma.delivery.findUniqueOrThrow({ where: { id: "dlv_late" } });
    expect(late.enqueuedAt).toBeNull();
    // The same window: the backlog comes back when the first park said.
    expect(late.nextRetryAt!.getTime()).toBeLessThan(clock + 30_000);
  });

  it("parks twice as long when the endpoint is still failing after the last park ended", async () => {
    clock += 30_000;
    lastSequence = 200;
    await backlog.park(job("dlv_005", 150), 30_000);
    expect(sequenceReads).toBe(3);
    const endpoint = await db.prisma.endpoint.findUniqueOrThrow({ where: { id: "ep_dead" } });
    expect(endpoint.circuitOpenUntil!.getTime()).toBe(clock + 60_000);
    backlog.recovered("ep_dead");
    clock += 120_000;
    await backlog.park(job("dlv_006", 250), 30_000);
    const again = await db.prisma.endpoint.findUniqueOrThrow({ where: { id: "ep_dead" } });
    expect(again.circuitOpenUntil!.getTime()).toBe(clock + 30_000);
  });

  it("lets a job of a deleted endpoint go: its deliveries went with it", async () => {
    const result = await parker().park({ ...job("dlv_gone", 1), endpointId: "ep_deleted" }, 30_000);
    expect(result).toEqual({ kind: "parked", reason: "endpoint deleted" });
  });
});
