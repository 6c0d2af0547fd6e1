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
  const purged: string[] = [];
  const parker = () =>
    createBacklogParker({
      prisma: db.prisma,
      purgeJobs: async (applicationId, endpointId) => {
        purged.push(`${applicationId}/${endpointId}`);
        return 0;
      },
      now: () => clock,
    });
  let backlog: ReturnType<typeof parker>;

  it("purges the endpoint's jobs and parks all its outstanding deliveries on the first held job", async () => {
    backlog = parker();
    const result = await backlog.park({ deliveryId: "dlv_000", endpointId: "ep_dead", attempt: 1 }, 30_000);
    expect(result).toEqual({ kind: "parked", reason: "parked with the backlog" });
    expect(purged).toEqual(["app_1/ep_dead"]);
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

  it("parks later held jobs one by one, and comes back later for a delivery whose row is locked", async () => {
    expect(await backlog.park({ deliveryId: "dlv_001", endpointId: "ep_dead", attempt: 1 }, 30_000)).toEqual({
      kind: "parked",
      reason: "parked",
    });
    expect(purged).toHaveLength(1);
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT 1 FROM deliveries WHERE id = 'dlv_002' FOR UPDATE");
      const result = await backlog.park({ deliveryId: "dlv_002", endpointId: "ep_dead", attempt: 1 }, 30_000);
      expect(result.kind).toBe("retry");
    } finally {
      await other.query("ROLLBACK");
      await other.end();
    }
  });

  it("parks twice as long when the endpoint is still failing after the last park ended", async () => {
    clock += 31_000;
    await backlog.park({ deliveryId: "dlv_003", endpointId: "ep_dead", attempt: 1 }, 30_000);
    expect(purged).toHaveLength(2);
    const endpoint = await db.prisma.endpoint.findUniqueOrThrow({ where: { id: "ep_dead" } });
    expect(endpoint.circuitOpenUntil!.getTime()).toBe(clock + 60_000);
    backlog.recovered("ep_dead");
    clock += 120_000;
    await backlog.park({ deliveryId: "dlv_004", endpointId: "ep_dead", attempt: 1 }, 30_000);
    const again = await db.prisma.endpoint.findUniqueOrThrow({ where: { id: "ep_dead" } });
    expect(again.circuitOpenUntil!.getTime()).toBe(clock + 30_000);
  });
});
