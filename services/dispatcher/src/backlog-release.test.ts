import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { endPark, releaseParkedBacklog } from "./backlog-release.js";

let db: SeededDatabase;
const inTenMinutes = new Date(Date.now() + 600_000);

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_back", "ep_other"] });
  await db.prisma.message.create({
    data: { id: "msg_1", applicationId: "app_1", eventType: "x", payload: "{}" },
  });
  const delivery = (id: string, data: Record<string, unknown>) => ({
    id,
    messageId: "msg_1",
    applicationId: "app_1",
    endpointId: "ep_back",
    ...data,
  });
  await db.prisma.delivery.createMany({
    data: [
      ...Array.from({ length: 30 }, (_, i) =>
        delivery(`dlv_${String(i).padStart(3, "0")}`, { nextRetryAt: inTenMinutes }),
      ),
      // Parked until a moment ago: the park ended as the endpoint answered again.
      delivery("dlv_due", { nextRetryAt: new Date(Date.now() - 1000) }),
      delivery("dlv_queued", { nextRetryAt: inTenMinutes, enqueuedAt: new Date() }),
      delivery("dlv_done", { nextRetryAt: inTenMinutes, status: "success" }),
      delivery("dlv_elsewhere", { nextRetryAt: inTenMinutes, endpointId: "ep_other" }),
    ],
  });
});
afterAll(async () => {
  await db?.dispose();
});

describe("releaseParkedBacklog", () => {
  it("makes the parked deliveries due a few a second from now, oldest first, and leaves the rest alone", async () => {
    const startedAt = Date.now();
    expect(await releaseParkedBacklog(db.prisma, "ep_back", { perSecond: 10 })).toBe(31);
    const rows = await db.prisma.delivery.findMany({ orderBy: { id: "asc" } });
    const due = (id: string) => rows.find((r) => r.id === id)?.nextRetryAt?.getTime() ?? 0;
    const parked = rows.filter((r) => /^dlv_\d{3}$/.test(r.id)).map((r) => r.nextRetryAt?.getTime() ?? 0);
    expect(parked).toEqual([...parked].sort((a, b) => a - b));
    expect(parked[0]).toBeLessThan(startedAt + 1000);
    // 30 of them, 10 a second.
    expect(parked.at(-1)).toBeGreaterThan(startedAt + 2500);
    expect(parked.at(-1)).toBeLessThan(startedAt + 5000);
    // Already due, it takes its place in line too (its id sorts last), rather than go at once
    // with the whole backlog, as every parked delivery would when the probe comes at the
    // park's end.
    expect(due("dlv_due")).toBeGreaterThan(startedAt + 2500);
    for (const id of ["dlv_queued", "dlv_done", "dlv_elsewhere"])
      expect(due(id)).toBe(inTenMinutes.getTime());
  });

  it("times the oldest deliveries last, so that none is overdue when a release of many statements ends", async () => {
    await db.prisma.delivery.updateMany({
      where: { endpointId: "ep_back", status: "pending", enqueuedAt: null },
      data: { nextRetryAt: inTenMinutes },
    });
    // A clock that moves 10 s a statement: 31 deliveries, 3 a statement, 11 statements.
    const start = Date.now();
    let statements = 0;
    const now = () => new Date(start + 10_000 * statements++);
    expect(await releaseParkedBacklog(db.prisma, "ep_back", { perSecond: 10, chunkSize: 3, now })).toBe(31);
    expect(statements).toBe(11);
    const released = await db.prisma.delivery.findMany({
      where: { endpointId: "ep_back", status: "pending", enqueuedAt: null },
      orderBy: { id: "asc" },
    });
    const due = released.map((r) => r.nextRetryAt?.getTime() ?? 0);
    const releaseEnded = start + 10_000 * (statements - 1);
    // The oldest, due soonest, are timed from the last statement: timed from the first,
    // they would have been overdue 100 s before the release ended.
    // (31 = 10 × 3 + 1: the last statement has only the oldest, the one before the next three.)
    expect(due.slice(0, 4)).toEqual([
      releaseEnded + 100,
      releaseEnded - 9800,
      releaseEnded - 9700,
      releaseEnded - 9600,
    ]);
    // The newest are timed from the first statement, in the 31st slot.
    expect(due.at(-1)).toBe(start + 3100);
  });
});

describe("endPark", () => {
  const circuit = async () =>
    db.prisma.endpoint.findUniqueOrThrow({
      where: { id: "ep_other" },
      select: { circuitOpenUntil: true, failingSince: true },
    });
  const park = (until: Date) =>
    db.prisma.endpoint.update({
      where: { id: "ep_other" },
      data: { circuitOpenUntil: until, failingSince: new Date(Date.now() - 60_000) },
    });

  it("releases the parked backlog, then clears the circuit and the run of failures", async () => {
    await park(new Date(Date.now() - 1000));
    expect(await endPark(db.prisma, "ep_other")).toBe(1);
    expect(await circuit()).toEqual({ circuitOpenUntil: null, failingSince: null });
    // Not parked any more: nothing to release.
    expect(await endPark(db.prisma, "ep_other")).toBeUndefined();
  });

  it("leaves a park that another process made while the backlog was being released", async () => {
    await park(new Date(Date.now() - 1000));
    const reparkedUntil = new Date(Date.now() + 120_000);
    const released = await endPark(db.prisma, "ep_other", async (prisma, endpointId) => {
      const n = await releaseParkedBacklog(prisma, endpointId);
      // Meanwhile the endpoint failed in another dispatcher, which parked its backlog again.
      await park(reparkedUntil);
      return n;
    });
    expect(released).toBe(1);
    const after = await circuit();
    expect(after.circuitOpenUntil).toEqual(reparkedUntil);
    expect(after.failingSince).not.toBeNull();
  });
});
