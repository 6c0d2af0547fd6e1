import { Code } from "@connectrpc/connect";
import { DeliveryService } from "@piperelay/proto";
import { servicePart } from "@piperelay/rpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asApplication,
  clientFor,
  codeOf,
  insertTestApplication,
  insertTestDelivery,
  insertTestEndpoint,
  insertTestMessage,
  openTestDatabase,
} from "../testing.js";
import { createDeliveryService } from "./deliveries.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;
let applicationId: string;
let deliveryId: string;
let messageId: string;
let endpointId: string;
let parts: ReturnType<typeof servicePart>[];

beforeAll(async () => {
  db = await openTestDatabase();
  parts = [servicePart(DeliveryService, createDeliveryService({ prisma: db.prisma }))];
  applicationId = await insertTestApplication(db.prisma);
  messageId = await insertTestMessage(db.prisma, applicationId, { status: "failed" });
  endpointId = await insertTestEndpoint(db.prisma, applicationId, { url: "https://acme.example/hooks" });
  deliveryId = await insertTestDelivery(
    db.prisma,
    { applicationId, messageId, endpointId },
    { status: "failed", latenciesMs: [120, 80, 60] },
  );
});

afterAll(async () => {
  await db?.dispose();
});

describe("DeliveryService", () => {
  it("returns a delivery with its endpoint URL and attempts, first attempt first", async () => {
    const client = clientFor(DeliveryService, parts, asApplication(applicationId));
    const { delivery } = await client.getDelivery({ id: deliveryId });
    expect(delivery).toMatchObject({
      id: deliveryId,
      messageId,
      endpointId,
      endpointUrl: "https://acme.example/hooks",
      status: "failed",
      attemptCount: 3,
    });
    expect(delivery?.completedAt).toBeDefined();
    expect(delivery?.nextRetryAt).toBeUndefined();
    expect(delivery?.attempts.map((attempt) => attempt.attemptNumber)).toEqual([1, 2, 3]);
  });

  it("lists the attempts of a delivery in order", async () => {
    const client = clientFor(DeliveryService, parts, asApplication(applicationId));
    const { attempts } = await client.listDeliveryAttempts({ id: deliveryId });
    expect(attempts.map((attempt) => [attempt.attemptNumber, attempt.latencyMs, attempt.statusCode])).toEqual(
      [
        [1, 120, 500],
        [2, 80, 500],
        [3, 60, 500],
      ],
    );
  });

  it("answers NotFound to another application and for unknown ids", async () => {
    const stranger = clientFor(DeliveryService, parts, asApplication(await insertTestApplication(db.prisma)));
    expect(await codeOf(stranger.getDelivery({ id: deliveryId }))).toBe(Code.NotFound);
    expect(await codeOf(stranger.listDeliveryAttempts({ id: deliveryId }))).toBe(Code.NotFound);
    expect(await codeOf(stranger.getDelivery({ id: "dlv_01JUNKJUNKJUNKJUNKJUNKJUNK" }))).toBe(Code.NotFound);
  });
});
