import { isUniqueViolation } from "@piperelay/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { type MessageRecord, storeMessage } from "./store-message.js";

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
    deliveries: [
      { id: `dlv_${id}_1`, endpointId: "ep_1" },
      { id: `dlv_${id}_2`, endpointId: "ep_2" },
    ],
    ...overrides,
  };
}

describe("storeMessage", () => {
  it("stores the message and one due delivery per endpoint", async () => {
    await storeMessage(db.prisma, record("msg_a", { traceContext: "00-abc-def-01" }));
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
  });

  it("stores a message without deliveries", async () => {
    await storeMessage(db.prisma, record("msg_none", { status: "delivered", deliveries: [] }));
    expect(await db.prisma.message.count({ where: { id: "msg_none", endpointsTargeted: 0 } })).toBe(1);
  });

  it("stores nothing when any delivery cannot be stored", async () => {
    const broken = record("msg_b", {
      deliveries: [
        { id: "dlv_ok", endpointId: "ep_1" },
        { id: "dlv_x", endpointId: "ep_gone" },
      ],
    });
    await expect(storeMessage(db.prisma, broken)).rejects.toThrow();
    expect(await db.prisma.message.count({ where: { id: "msg_b" } })).toBe(0);
    expect(await db.prisma.delivery.count({ where: { id: "dlv_ok" } })).toBe(0);
  });

  it("reports a repeated idempotency key as a unique violation", async () => {
    await storeMessage(db.prisma, record("msg_k1", { idempotencyKey: "key-1" }));
    const error = await storeMessage(db.prisma, record("msg_k2", { idempotencyKey: "key-1" })).catch(
      (e: unknown) => e,
    );
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(new Error("other"))).toBe(false);
  });
});
