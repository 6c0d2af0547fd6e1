import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingPool } from "../../../test/support/counting-pool.js";
import { createSeededDatabase, type SeededDatabase } from "../../../test/support/seeded-database.js";
import { type AttemptRecord, createAttemptRecorder, type NextState } from "./record-attempts.js";

let db: SeededDatabase;

beforeAll(async () => {
  db = await createSeededDatabase({ endpointIds: ["ep_1", "ep_2"] });
});
afterAll(async () => {
  await db?.dispose();
});

let seq = 0;
/** A message with one claimed delivery per endpoint given, enqueued unless told; returns the delivery ids. */
async function message(
  endpointIds: string[] = ["ep_1"],
  enqueuedAt: Date | null = new Date(),
): Promise<{ messageId: string; deliveryIds: string[] }> {
  const messageId = `msg_${seq++}`;
  await db.prisma.message.create({
    data: {
      id: messageId,
      applicationId: "app_1",
      eventType: "x",
      payload: "{}",
      endpointsTargeted: endpointIds.length,
    },
  });
  const deliveryIds = endpointIds.map((endpointId) => `dlv_${messageId}_${endpointId}`);
  await db.prisma.delivery.createMany({
    data: endpointIds.map((endpointId, i) => ({
      id: deliveryIds[i] as string,
      messageId,
      endpointId,
      applicationId: "app_1",
      enqueuedAt,
      lockedUntil: new Date(Date.now() + 60_000),
    })),
  });
  return { messageId, deliveryIds };
}

function attempt(
  messageId: string,
  deliveryId: string,
  next: NextState,
  more: { endpointsTargeted?: number; attemptNumber?: number; statusCode?: number } = {},
): AttemptRecord {
  const statusCode = more.statusCode ?? (next.status === "success" ? 200 : 500);
  return {
    deliveryId,
    messageId,
    endpointsTargeted: more.endpointsTargeted ?? 1,
    attemptNumber: more.attemptNumber ?? 1,
    roundAttempts: more.attemptNumber ?? 1,
    result: {
      statusCode,
      responseBody: `answer ${statusCode}`,
      latencyMs: 12,
      error: statusCode < 300 ? "" : "HTTP 500",
    },
    next,
  };
}

const retryAt = new Date(Date.now() + 5000);

describe("createAttemptRecorder", () => {
  it("stores concurrent attempts with mixed outcomes in a few statements", async () => {
    const { pool, statements } = countingPool(db.pool);
    const record = createAttemptRecorder(pool);
    const delivered = await message();
    const failed = await message();
    const nakked = await message();
    const parked = await message();
    const retriedOfTwo = await message(["ep_1", "ep_2"]);
    const more = await Promise.all(Array.from({ length: 20 }, () => message()));
    await Promise.all([
      record(attempt(delivered.messageId, delivered.deliveryIds[0]!, { status: "success" })),
      record(attempt(failed.messageId, failed.deliveryIds[0]!, { status: "failed" }, { attemptNumber: 3 })),
      record(
        attempt(nakked.messageId, nakked.deliveryIds[0]!, {
          status: "retrying",
          nextRetryAt: retryAt,
          parked: false,
        }),
      ),
      record(
        attempt(parked.messageId, parked.deliveryIds[0]!, {
          status: "retrying",
          nextRetryAt: retryAt,
          parked: true,
        }),
      ),
      record(
        attempt(
          retriedOfTwo.messageId,
          retriedOfTwo.deliveryIds[0]!,
          { status: "retrying", nextRetryAt: retryAt, parked: false },
          { endpointsTargeted: 2 },
        ),
      ),
      ...more.map((m) => record(attempt(m.messageId, m.deliveryIds[0]!, { status: "success" }))),
    ]);
    expect(statements()).toBeLessThanOrEqual(4);

    const deliveries = new Map((await db.prisma.delivery.findMany()).map((d) => [d.id, d]));
    const messages = new Map((await db.prisma.message.findMany()).map((m) => [m.id, m]));
    const dlv = (m: { deliveryIds: string[] }) => deliveries.get(m.deliveryIds[0]!)!;

    expect(dlv(delivered)).toMatchObject({
      status: "success",
      attemptCount: 1,
      nextRetryAt: null,
      lockedUntil: null,
    });
    expect(dlv(delivered).completedAt).not.toBeNull();
    expect(messages.get(delivered.messageId)?.status).toBe("delivered");
    for (const m of more) expect(messages.get(m.messageId)?.status).toBe("delivered");

    expect(dlv(failed)).toMatchObject({
      status: "failed",
      attemptCount: 3,
      roundAttempts: 3,
      lockedUntil: null,
    });
    expect(messages.get(failed.messageId)?.status).toBe("failed");

    expect(dlv(nakked)).toMatchObject({
      status: "retrying",
      nextRetryAt: retryAt,
      completedAt: null,
      lockedUntil: null,
    });
    expect(dlv(nakked).enqueuedAt).not.toBeNull();
    expect(messages.get(nakked.messageId)?.status).toBe("pending");

    expect(dlv(parked)).toMatchObject({ status: "retrying", nextRetryAt: retryAt, enqueuedAt: null });
    expect(dlv(retriedOfTwo).status).toBe("retrying");
    expect(messages.get(retriedOfTwo.messageId)?.status).toBe("pending");

    const attempts = await db.prisma.attempt.findMany({ where: { deliveryId: failed.deliveryIds[0]! } });
    expect(attempts).toMatchObject([
      { attemptNumber: 3, statusCode: 500, responseBody: "answer 500", latencyMs: 12, error: "HTTP 500" },
    ]);
    expect(await db.prisma.attempt.count()).toBe(25);
  });

  it("marks a NAK-delayed retry enqueued when its mark has not come yet, but not one parked mid-attempt", async () => {
    const record = createAttemptRecorder(db.pool);
    const unmarked = await message(["ep_1"], null);
    const parkedMidAttempt = await message(["ep_2"], null);
    await db.prisma.endpoint.update({ where: { id: "ep_2" }, data: { circuitOpenUntil: retryAt } });
    try {
      const retry: NextState = { status: "retrying", nextRetryAt: retryAt, parked: false };
      await Promise.all([
        record(attempt(unmarked.messageId, unmarked.deliveryIds[0]!, retry)),
        record(attempt(parkedMidAttempt.messageId, parkedMidAttempt.deliveryIds[0]!, retry)),
      ]);
    } finally {
      await db.prisma.endpoint.update({ where: { id: "ep_2" }, data: { circuitOpenUntil: null } });
    }
    const stored = async (id: string) => db.prisma.delivery.findUniqueOrThrow({ where: { id } });
    expect((await stored(unmarked.deliveryIds[0]!)).enqueuedAt).not.toBeNull();
    expect((await stored(parkedMidAttempt.deliveryIds[0]!)).enqueuedAt).toBeNull();
  });

  it("decides a message of several deliveries from all of them", async () => {
    const record = createAttemptRecorder(db.pool);
    const { messageId, deliveryIds } = await message(["ep_1", "ep_2"]);
    const [first, second] = deliveryIds as [string, string];
    await record(attempt(messageId, first, { status: "success" }, { endpointsTargeted: 2 }));
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: messageId } })).status).toBe("pending");
    await record(attempt(messageId, second, { status: "failed" }, { endpointsTargeted: 2 }));
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: messageId } })).status).toBe("failed");
  });

  it("decides a message whose deliveries end at the same moment", async () => {
    const record = createAttemptRecorder(db.pool);
    const { messageId, deliveryIds } = await message(["ep_1", "ep_2"]);
    await Promise.all(
      deliveryIds.map((id) =>
        record(attempt(messageId, id, { status: "success" }, { endpointsTargeted: 2 })),
      ),
    );
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: messageId } })).status).toBe(
      "delivered",
    );
  });

  it("stores a repeated attempt number once, in one batch or later", async () => {
    const record = createAttemptRecorder(db.pool);
    const { messageId, deliveryIds } = await message();
    const id = deliveryIds[0]!;
    const retry: NextState = { status: "retrying", nextRetryAt: retryAt, parked: false };
    await Promise.all([
      record(attempt(messageId, id, retry, { attemptNumber: 1, statusCode: 502 })),
      record(attempt(messageId, id, retry, { attemptNumber: 1, statusCode: 503 })),
      record(attempt(messageId, id, retry, { attemptNumber: 1, statusCode: 504 })),
    ]);
    await record(attempt(messageId, id, { status: "success" }, { attemptNumber: 1 }));
    const attempts = await db.prisma.attempt.findMany({ where: { deliveryId: id } });
    expect(attempts).toHaveLength(1);
    // Whichever of the three committed first; the later success is not stored over it.
    expect([502, 503, 504]).toContain(attempts[0]?.statusCode);
  });

  it("fails only the attempt whose delivery is gone, not those batched with it", async () => {
    const record = createAttemptRecorder(db.pool);
    const kept = await Promise.all([message(), message(), message()]);
    const results = await Promise.allSettled([
      ...kept.map((m) => record(attempt(m.messageId, m.deliveryIds[0]!, { status: "success" }))),
      record(attempt(kept[0]!.messageId, "dlv_deleted", { status: "success" })),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected"]);
    for (const m of kept) {
      expect((await db.prisma.message.findUniqueOrThrow({ where: { id: m.messageId } })).status).toBe(
        "delivered",
      );
    }
  });
});
