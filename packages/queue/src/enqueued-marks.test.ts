import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { createEnqueuedMarker } from "./enqueued-marks.js";

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_1"], maxConnections: 4 });
  await db.prisma.message.create({
    data: { id: "msg_1", applicationId: "app_1", eventType: "x", payload: "{}" },
  });
});
afterAll(async () => {
  await db?.dispose();
});

async function deliveries(ids: string[], data: { attemptCount?: number; nextRetryAt?: Date } = {}) {
  await db.prisma.delivery.createMany({
    data: ids.map((id) => ({ id, messageId: "msg_1", endpointId: "ep_1", applicationId: "app_1", ...data })),
  });
}

describe("createEnqueuedMarker", () => {
  it("marks every delivery of many concurrent calls, batching them into few statements", async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `dlv_many_${i}`);
    await deliveries(ids);
    const mark = createEnqueuedMarker(db.pool, 25);
    await Promise.all(ids.map((deliveryId) => mark([{ deliveryId, attempt: 1 }])));
    expect(await db.prisma.delivery.count({ where: { id: { in: ids }, enqueuedAt: { not: null } } })).toBe(
      60,
    );
  });

  it("leaves alone a delivery attempted since, or not due yet", async () => {
    await deliveries(["dlv_attempted"], { attemptCount: 1 });
    await deliveries(["dlv_later"], { nextRetryAt: new Date(Date.now() + 60_000) });
    const mark = createEnqueuedMarker(db.pool);
    await mark([
      { deliveryId: "dlv_attempted", attempt: 1 },
      { deliveryId: "dlv_later", attempt: 1 },
    ]);
    const rows = await db.prisma.delivery.findMany({ where: { id: { in: ["dlv_attempted", "dlv_later"] } } });
    expect(rows.map((r) => r.enqueuedAt)).toEqual([null, null]);
  });

  it("rejects the calls of a failed statement and keeps serving later ones", async () => {
    const mark = createEnqueuedMarker(db.pool);
    // An attempt number that overflows int makes the statement fail.
    await expect(mark([{ deliveryId: "dlv_x", attempt: 2 ** 40 }])).rejects.toThrow();
    await deliveries(["dlv_after"]);
    await mark([{ deliveryId: "dlv_after", attempt: 1 }]);
    expect(
      (await db.prisma.delivery.findUniqueOrThrow({ where: { id: "dlv_after" } })).enqueuedAt,
    ).not.toBeNull();
  });
});
