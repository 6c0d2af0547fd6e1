import { newId } from "@piperelay/core";
import { createDatabase, type Database } from "@piperelay/db";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.js";
import { createRetentionJob } from "./retention.js";

let testDb: TestDatabase;
let db: Database;
const day = 86_400_000;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabase(testDb.url);
  await db.prisma.application.create({
    data: { id: "app_1", name: "a", apiKeyHash: "h", apiKeyPrefix: "p" },
  });
  await db.prisma.endpoint.create({
    data: { id: "ep_1", applicationId: "app_1", url: "http://x", secret: "s" },
  });
});
afterAll(async () => {
  await db?.close();
  await testDb?.drop();
});

async function message(status: string) {
  const id = newId("msg");
  await db.prisma.message.create({
    data: {
      id,
      applicationId: "app_1",
      eventType: "x",
      payload: "{}",
      status,
      deliveries: {
        create: {
          id: newId("dlv"),
          endpointId: "ep_1",
          applicationId: "app_1",
          status: status === "pending" ? "retrying" : "success",
          attempts: { create: { attemptNumber: 1, statusCode: 200 } },
        },
      },
    },
  });
  return id;
}

describe("retention", () => {
  it("deletes finished messages past the TTL in batches, keeps pending ones, and trims old attempts", async () => {
    const old = [await message("delivered"), await message("failed"), await message("delivered")];
    const stillPending = await message("pending");
    const job = (clock: number) =>
      createRetentionJob({
        prisma: db.prisma,
        logger: pino({ level: "silent" }),
        messageTtlMs: 30 * day,
        attemptTtlMs: 7 * day,
        batchSize: 2,
        now: () => clock,
      });
    // Today nothing is old enough.
    expect(await job(Date.now()).runOnce()).toEqual({ messages: 0, attempts: 0 });
    expect(await db.prisma.message.count()).toBe(4);

    // 31 days on, every finished message is past its TTL.
    const deleted = await job(Date.now() + 31 * day).runOnce();
    expect(deleted.messages).toBe(3);
    const left = (await db.prisma.message.findMany({ select: { id: true } })).map((m) => m.id);
    expect(left).toEqual([stillPending]);
    expect(old.some((id) => left.includes(id))).toBe(false);
    // The pending message's attempt is older than 7 days by then: trimmed, the delivery kept.
    expect(await db.prisma.attempt.count()).toBe(0);
    expect(await db.prisma.delivery.count()).toBe(1);
  });
});
