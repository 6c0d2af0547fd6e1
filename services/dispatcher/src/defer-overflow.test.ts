import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { createOverflowDeferrer } from "./defer-overflow.js";

let db: SeededDatabase;
const now = new Date();

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_1"] });
  const delivery = (id: string, data: Record<string, unknown> = {}) => ({
    id,
    nextRetryAt: now,
    enqueuedAt: now,
    ...data,
  });
  await db.addMessage("msg_1", [
    delivery("dlv_waiting"),
    delivery("dlv_retry", { status: "retrying", attemptCount: 1 }),
    delivery("dlv_claimed", { lockedUntil: new Date(Date.now() + 60_000) }),
    delivery("dlv_done", { status: "success", attemptCount: 1 }),
    // Its publish's mark has not been written yet.
    delivery("dlv_unmarked", { enqueuedAt: null }),
  ]);
});
afterAll(async () => {
  await db?.dispose();
});

const job = (deliveryId: string, attempt = 1) => ({ deliveryId, endpointId: "ep_1", attempt });

describe("createOverflowDeferrer", () => {
  it("hands outstanding deliveries with a job on JetStream to the outbox relay, due after the delay", async () => {
    const defer = createOverflowDeferrer(db.pool);
    const startedAt = Date.now();
    const results = await Promise.all([
      defer(job("dlv_waiting"), 5000),
      // A NAK-delayed retry comes back as the job of its first attempt.
      defer(job("dlv_retry"), 5000),
      defer(job("dlv_claimed"), 5000),
      defer(job("dlv_done", 1), 5000),
      defer(job("dlv_unmarked"), 5000),
    ]);
    expect(results).toEqual([true, true, false, false, false]);

    const rows = new Map((await db.prisma.delivery.findMany()).map((r) => [r.id, r]));
    for (const id of ["dlv_waiting", "dlv_retry"]) {
      const row = rows.get(id);
      expect(row?.enqueuedAt).toBeNull();
      expect(row?.nextRetryAt?.getTime()).toBeGreaterThanOrEqual(startedAt + 4000);
      expect(row?.nextRetryAt?.getTime()).toBeLessThan(Date.now() + 6000);
    }
    for (const id of ["dlv_claimed", "dlv_done"]) {
      expect(rows.get(id)?.enqueuedAt).not.toBeNull();
      expect(rows.get(id)?.nextRetryAt?.getTime()).toBe(now.getTime());
    }
    expect(rows.get("dlv_unmarked")?.nextRetryAt?.getTime()).toBe(now.getTime());
  });

  it("never makes a delivery due sooner than it was", async () => {
    const later = new Date(Date.now() + 600_000);
    await db.prisma.delivery.update({
      where: { id: "dlv_unmarked" },
      data: { enqueuedAt: new Date(), nextRetryAt: later },
    });
    expect(await createOverflowDeferrer(db.pool)(job("dlv_unmarked"), 1000)).toBe(true);
    const row = await db.prisma.delivery.findUniqueOrThrow({ where: { id: "dlv_unmarked" } });
    expect(row.nextRetryAt?.getTime()).toBe(later.getTime());
  });
});
