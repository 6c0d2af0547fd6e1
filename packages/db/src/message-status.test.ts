import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { refreshMessageStatus } from "./message-status.js";

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

describe("refreshMessageStatus", () => {
  it("ends delivered when many deliveries of one message succeed at the same moment", async () => {
    const ids = await messageWithDeliveries("msg_race", 20);
    await Promise.all(
      ids.map((id) =>
        db.prisma.$transaction(async (tx) => {
          await tx.$executeRaw`UPDATE deliveries SET status = 'success' WHERE id = ${id}`;
          await refreshMessageStatus(tx, "msg_race");
        }),
      ),
    );
    const message = await db.prisma.message.findUniqueOrThrow({ where: { id: "msg_race" } });
    expect(message.status).toBe("delivered");
  });

  it("is failed when any delivery failed and none is outstanding, pending while one is", async () => {
    const [a, b] = await messageWithDeliveries("msg_mixed", 2);
    await db.prisma.delivery.update({ where: { id: a }, data: { status: "failed" } });
    await refreshMessageStatus(db.prisma, "msg_mixed");
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: "msg_mixed" } })).status).toBe(
      "pending",
    );
    await db.prisma.delivery.update({ where: { id: b }, data: { status: "success" } });
    await refreshMessageStatus(db.prisma, "msg_mixed");
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: "msg_mixed" } })).status).toBe("failed");
  });
});
