import { newId } from "@piperelay/core";
import { createDatabase, type Database } from "@piperelay/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.js";
import { queueLagSeconds } from "./queue-lag.js";

let testDb: TestDatabase;
let db: Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabase(testDb.url);
  await db.prisma.application.create({
    data: { id: "app_1", name: "a", apiKeyHash: "h", apiKeyPrefix: "p" },
  });
  for (const id of ["ep_1", "ep_2"]) {
    await db.prisma.endpoint.create({ data: { id, applicationId: "app_1", url: "http://x", secret: "s" } });
  }
});
afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

async function delivery(endpointId: string, status: string, dueSecondsAgo: number) {
  const messageId = newId("msg");
  await db.prisma.message.create({
    data: {
      id: messageId,
      applicationId: "app_1",
      eventType: "x",
      payload: "{}",
      status: "pending",
      deliveries: {
        create: {
          id: newId("dlv"),
          endpointId,
          applicationId: "app_1",
          status,
          nextRetryAt: new Date(Date.now() - dueSecondsAgo * 1000),
        },
      },
    },
  });
}

describe("queue lag", () => {
  it("is 0 when nothing is due", async () => {
    await delivery("ep_1", "success", 600);
    await delivery("ep_1", "retrying", -600);
    expect(await queueLagSeconds(db.prisma)).toBe(0);
  });

  it("is the age of the oldest due, unfinished delivery across endpoints, ignoring finished ones", async () => {
    await delivery("ep_1", "pending", 5);
    await delivery("ep_2", "retrying", 120);
    await delivery("ep_2", "failed", 9000);
    const lag = await queueLagSeconds(db.prisma);
    expect(lag).toBeGreaterThanOrEqual(120);
    expect(lag).toBeLessThan(180);
  });
});
