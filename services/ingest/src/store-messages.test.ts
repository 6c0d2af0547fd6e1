import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { type MessageRecord, storeMessages } from "./store-messages.js";

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_1", "ep_2"], maxConnections: 4 });
});
afterAll(async () => {
  await db?.dispose();
});

function record(id: string, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id,
    applicationId: "app_1",
    eventType: "order.paid",
    payload: '{"n":1}',
    status: "pending",
    idempotencyKey: undefined,
    traceContext: undefined,
    timestamp: new Date("2026-12-04T10:00:00.000Z"),
    endpointsVersion: null,
    deliveries: [
      { id: `dlv_${id}_1`, endpointId: "ep_1" },
      { id: `dlv_${id}_2`, endpointId: "ep_2" },
    ],
    ...overrides,
  };
}

describe("storeMessages", () => {
  it("stores each message with one due delivery per endpoint", async () => {
    const stored = await storeMessages(db.pool, [
      record("msg_a", { traceContext: "00-abc-def-01" }),
      record("msg_c", {
        timestamp: new Date("2026-12-04T11:00:00.123Z"),
        deliveries: [],
        status: "delivered",
      }),
    ]);
    expect([...stored.stored].sort()).toEqual(["msg_a", "msg_c"]);
    expect(stored.parked).toEqual(new Set());
    const message = await db.prisma.message.findUniqueOrThrow({ where: { id: "msg_a" } });
    expect(message).toMatchObject({
      endpointsTargeted: 2,
      payload: '{"n":1}',
      traceContext: "00-abc-def-01",
    });
    const deliveries = await db.prisma.delivery.findMany({
      where: { messageId: "msg_a" },
      orderBy: { id: "asc" },
    });
    expect(deliveries.map((d) => [d.id, d.endpointId, d.status, d.enqueuedAt])).toEqual([
      ["dlv_msg_a_1", "ep_1", "pending", null],
      ["dlv_msg_a_2", "ep_2", "pending", null],
    ]);
    expect(deliveries[0]?.nextRetryAt?.toISOString()).toBe("2026-12-04T10:00:00.000Z");
    const other = await db.prisma.message.findUniqueOrThrow({ where: { id: "msg_c" } });
    expect(other).toMatchObject({ endpointsTargeted: 0, status: "delivered", traceContext: null });
    expect(other.timestamp.toISOString()).toBe("2026-12-04T11:00:00.123Z");
  });

  it("stores nothing of the batch when any delivery cannot be stored", async () => {
    const broken = record("msg_b", {
      deliveries: [
        { id: "dlv_ok", endpointId: "ep_1" },
        { id: "dlv_x", endpointId: "ep_gone" },
      ],
    });
    await expect(storeMessages(db.pool, [record("msg_fine"), broken])).rejects.toThrow();
    expect(await db.prisma.message.count({ where: { id: { in: ["msg_b", "msg_fine"] } } })).toBe(0);
    expect(await db.prisma.delivery.count({ where: { id: { in: ["dlv_ok", "dlv_msg_fine_1"] } } })).toBe(0);
  });

  it("skips a message whose idempotency key was used, earlier or in the same batch, with its deliveries", async () => {
    expect((await storeMessages(db.pool, [record("msg_k1", { idempotencyKey: "key-1" })])).stored).toEqual(
      new Set(["msg_k1"]),
    );
    const stored = await storeMessages(db.pool, [
      record("msg_k2", { idempotencyKey: "key-1" }),
      record("msg_k3", { idempotencyKey: "key-2" }),
      record("msg_k4", { idempotencyKey: "key-2" }),
      record("msg_plain"),
    ]);
    expect(stored.stored).toEqual(new Set(["msg_k3", "msg_plain"]));
    expect(await db.prisma.message.count({ where: { id: { in: ["msg_k2", "msg_k4"] } } })).toBe(0);
    expect(await db.prisma.delivery.count({ where: { messageId: { in: ["msg_k2", "msg_k4"] } } })).toBe(0);
    expect(await db.prisma.delivery.count({ where: { messageId: "msg_k3" } })).toBe(2);
  });

  it("stores nothing of an application whose endpoints changed since its messages were matched", async () => {
    const [app] = await db.pool
      .query<{ version: string }>(
        "SELECT endpoints_version::text AS version FROM applications WHERE id = 'app_1'",
      )
      .then((r) => r.rows);
    const version = app?.version ?? "";
    const current = await storeMessages(db.pool, [record("msg_v1", { endpointsVersion: version })]);
    expect(current).toMatchObject({ stored: new Set(["msg_v1"]), staleApplications: new Set() });
    await db.prisma.endpoint.create({
      data: { id: "ep_new", applicationId: "app_1", url: "http://x", secret: "s" },
    });
    const stale = await storeMessages(db.pool, [
      record("msg_v2", { endpointsVersion: version }),
      record("msg_v3", { endpointsVersion: null }),
    ]);
    expect(stale).toMatchObject({ stored: new Set(), staleApplications: new Set(["app_1"]) });
    expect(await db.prisma.message.count({ where: { id: { in: ["msg_v2", "msg_v3"] } } })).toBe(0);
    await db.prisma.endpoint.delete({ where: { id: "ep_new" } });
  });

  it("parks the deliveries to an endpoint whose circuit is open, due when it closes", async () => {
    const until = new Date("2026-12-04T10:05:00.000Z");
    await db.prisma.endpoint.update({ where: { id: "ep_2" }, data: { circuitOpenUntil: until } });
    try {
      const result = await storeMessages(db.pool, [record("msg_p")]);
      expect(result.parked).toEqual(new Set(["dlv_msg_p_2"]));
      const due = await db.prisma.delivery.findMany({
        where: { messageId: "msg_p" },
        orderBy: { id: "asc" },
      });
      expect(due.map((d) => d.nextRetryAt?.toISOString())).toEqual([
        "2026-12-04T10:00:00.000Z",
        "2026-12-04T10:05:00.000Z",
      ]);
    } finally {
      await db.prisma.endpoint.update({ where: { id: "ep_2" }, data: { circuitOpenUntil: null } });
    }
  });
});
