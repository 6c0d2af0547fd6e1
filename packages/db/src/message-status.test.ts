import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { refreshMessageStatuses } from "./message-status.js";
import { inTransaction } from "./prepared-statement.js";

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_1"], maxConnections: 25 });
});
afterAll(async () => {
  await db?.dispose();
});

async function messageWithDeliveries(id: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `dlv_${id}_${i}`);
  await db.prisma.message.create({
    data: {
      id,
      applicationId: "app_1",
      eventType: "x",
      payload: "{}",
      deliveries: { create: ids.map((d) => ({ id: d, endpointId: "ep_1", applicationId: "app_1" })) },
    },
  });
  return ids;
}

describe("refreshMessageStatuses", () => {
  it("ends delivered when many deliveries of one message succeed at the same moment", async () => {
    const ids = await messageWithDeliveries("msg_race", 20);
    await Promise.all(
      ids.map((id) =>
        db.prisma.$transaction(async (tx) => {
          await tx.$executeRaw`UPDATE deliveries SET status = 'success' WHERE id = ${id}`;
          await refreshMessageStatuses(tx, ["msg_race"]);
        }),
      ),
    );
    const message = await db.prisma.message.findUniqueOrThrow({ where: { id: "msg_race" } });
    expect(message.status).toBe("delivered");
  });

  it("is failed when any delivery failed and none is outstanding, pending while one is", async () => {
    const [a, b] = await messageWithDeliveries("msg_mixed", 2);
    await db.prisma.delivery.update({ where: { id: a }, data: { status: "failed" } });
    await refreshMessageStatuses(db.prisma, ["msg_mixed"]);
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: "msg_mixed" } })).status).toBe(
      "pending",
    );
    await db.prisma.delivery.update({ where: { id: b }, data: { status: "success" } });
    await refreshMessageStatuses(db.prisma, ["msg_mixed"]);
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: "msg_mixed" } })).status).toBe("failed");
  });

  it("refreshes many messages per transaction, in any order, without deadlocks or lost updates", async () => {
    const first = await messageWithDeliveries("msg_many_a", 10);
    const second = await messageWithDeliveries("msg_many_b", 10);
    // Each transaction ends one delivery of each message and refreshes both, naming them in
    // either order.
    await Promise.all(
      first.map((a, i) =>
        inTransaction(db.pool, async (client) => {
          await client.query("UPDATE deliveries SET status = 'success' WHERE id = ANY($1::text[])", [
            [a, second[i]],
          ]);
          await refreshMessageStatuses(
            client,
            i % 2 === 0 ? ["msg_many_a", "msg_many_b"] : ["msg_many_b", "msg_many_a"],
          );
        }),
      ),
    );
    const messages = await db.prisma.message.findMany({
      where: { id: { in: ["msg_many_a", "msg_many_b"] } },
    });
    expect(messages.map((m) => m.status)).toEqual(["delivered", "delivered"]);
  });
});
