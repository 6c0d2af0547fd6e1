import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requeueFailedDeliveries } from "./requeue-failed.js";
import {
  insertTestApplication,
  insertTestDelivery,
  insertTestEndpoint,
  insertTestMessage,
  openTestDatabase,
  recordingPublisher,
} from "./testing.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(async () => {
  await db?.dispose();
});

/** A failed message with one failed delivery that completed at `failedAt`. */
async function failedDelivery(applicationId: string, failedAt: Date) {
  const messageId = await insertTestMessage(db.prisma, applicationId, { status: "failed" });
  const endpointId = await insertTestEndpoint(db.prisma, applicationId);
  const deliveryId = await insertTestDelivery(
    db.prisma,
    { applicationId, messageId, endpointId },
    { status: "failed", latenciesMs: [1, 1, 1] },
  );
  await db.prisma.delivery.update({ where: { id: deliveryId }, data: { completedAt: failedAt } });
  return { messageId, deliveryId };
}

describe("requeueFailedDeliveries", () => {
  it("replays only deliveries that failed since the given time, across messages", async () => {
    const applicationId = await insertTestApplication(db.prisma);
    const now = Date.now();
    const recent = await failedDelivery(applicationId, new Date(now - 60 * 60 * 1000));
    const alsoRecent = await failedDelivery(applicationId, new Date(now - 2 * 60 * 60 * 1000));
    const old = await failedDelivery(applicationId, new Date(now - 48 * 60 * 60 * 1000));
    const publisher = recordingPublisher();

    const result = await requeueFailedDeliveries(
      { prisma: db.prisma, publisher },
      { applicationId, since: new Date(now - 24 * 60 * 60 * 1000) },
    );

    expect(result.requeued).toBe(2);
    expect(result.published).toBe(2);
    expect(result.messageIds.sort()).toEqual([recent.messageId, alsoRecent.messageId].sort());
    expect(publisher.batches.flat().map((job) => [job.deliveryId, job.attempt])).toEqual(
      expect.arrayContaining([
        [recent.deliveryId, 4],
        [alsoRecent.deliveryId, 4],
      ]),
    );
    expect((await db.prisma.delivery.findUniqueOrThrow({ where: { id: old.deliveryId } })).status).toBe(
      "failed",
    );
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: old.messageId } })).status).toBe(
      "failed",
    );
    expect((await db.prisma.message.findUniqueOrThrow({ where: { id: recent.messageId } })).status).toBe(
      "pending",
    );
  });

  it("leaves other applications' failed deliveries alone", async () => {
    const mine = await insertTestApplication(db.prisma);
    const theirs = await insertTestApplication(db.prisma);
    await failedDelivery(mine, new Date());
    const other = await failedDelivery(theirs, new Date());

    const result = await requeueFailedDeliveries(
      { prisma: db.prisma, publisher: recordingPublisher() },
      { applicationId: mine },
    );

    expect(result.requeued).toBe(1);
    expect((await db.prisma.delivery.findUniqueOrThrow({ where: { id: other.deliveryId } })).status).toBe(
      "failed",
    );
  });

  it("keeps the requeue when publishing throws, leaving the deliveries to the outbox relay", async () => {
    const applicationId = await insertTestApplication(db.prisma);
    const { deliveryId } = await failedDelivery(applicationId, new Date());
    const errors: unknown[] = [];
    const result = await requeueFailedDeliveries(
      {
        prisma: db.prisma,
        publisher: {
          publish: async () => {
            throw new Error("nats is down");
          },
          settled: async () => {},
        },
        onPublishError: (error) => errors.push(error),
      },
      { applicationId },
    );

    expect(result).toMatchObject({ requeued: 1, published: 0 });
    expect(errors).toHaveLength(1);
    expect(await db.prisma.delivery.findUniqueOrThrow({ where: { id: deliveryId } })).toMatchObject({
      status: "pending",
      enqueuedAt: null,
    });
  });
});
