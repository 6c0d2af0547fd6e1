import { fromJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { EndpointService } from "@piperelay/proto";
import { servicePart } from "@piperelay/rpc";
import { decryptSecret } from "@piperelay/signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asApplication,
  clientFor,
  codeOf,
  insertTestApplication,
  insertTestEndpoint,
  openTestDatabase,
  recordingPublisher,
  testKeys,
} from "../testing.js";
import { createEndpointActionsService } from "./endpoint-actions.js";

let db: Awaited<ReturnType<typeof openTestDatabase>>;
const publisher = recordingPublisher();
let parts: ReturnType<typeof servicePart>[];

beforeAll(async () => {
  db = await openTestDatabase();
  parts = [
    servicePart(
      EndpointService,
      createEndpointActionsService({
        prisma: db.prisma,
        publisher,
        secretOverlapMs: 60 * 60 * 1000,
        secretKey: testKeys.secretKey,
      }),
    ),
  ];
});

afterAll(async () => {
  await db?.dispose();
});

describe("EndpointService.RotateEndpointSecret", () => {
  it("replaces the secret with a new whsec_ secret, keeping the old one signing for the overlap", async () => {
    const applicationId = await insertTestApplication(db.prisma);
    const id = await insertTestEndpoint(db.prisma, applicationId);
    const before = await db.prisma.endpoint.findUniqueOrThrow({ where: { id } });
    const client = clientFor(EndpointService, parts, asApplication(applicationId));
    const { endpoint } = await client.rotateEndpointSecret({ id });
    expect(endpoint?.secret).toMatch(/^whsec_/);
    expect(endpoint?.secret).not.toBe(before.secret);
    const after = await db.prisma.endpoint.findUniqueOrThrow({ where: { id } });
    expect(decryptSecret(testKeys.secretKey, id, after.secret)).toBe(endpoint?.secret);
    expect(after.secret).not.toContain(endpoint!.secret.slice("whsec_".length));
    expect(after.previousSecret).toBe(before.secret);
    const overlapLeftMs = (after.previousSecretExpiresAt?.getTime() ?? 0) - Date.now();
    expect(overlapLeftMs).toBeGreaterThan(59 * 60 * 1000);
    expect(overlapLeftMs).toBeLessThanOrEqual(60 * 60 * 1000);
  });

  it("ends the old secret at once without an overlap", async () => {
    const applicationId = await insertTestApplication(db.prisma);
    const id = await insertTestEndpoint(db.prisma, applicationId);
    const noOverlap = [
      servicePart(
        EndpointService,
        createEndpointActionsService({ prisma: db.prisma, publisher, secretKey: testKeys.secretKey }),
      ),
    ];
    await clientFor(EndpointService, noOverlap, asApplication(applicationId)).rotateEndpointSecret({ id });
    const after = await db.prisma.endpoint.findUniqueOrThrow({ where: { id } });
    expect([after.previousSecret, after.previousSecretExpiresAt]).toEqual([null, null]);
  });

  it("answers NotFound for another application's endpoint", async () => {
    const id = await insertTestEndpoint(db.prisma, await insertTestApplication(db.prisma));
    const stranger = clientFor(EndpointService, parts, asApplication(await insertTestApplication(db.prisma)));
    expect(await codeOf(stranger.rotateEndpointSecret({ id }))).toBe(Code.NotFound);
  });
});

describe("EndpointService.SendTestEvent", () => {
  it("stores a message with one delivery to this endpoint only, whatever its event types, and publishes it", async () => {
    const applicationId = await insertTestApplication(db.prisma);
    const id = await insertTestEndpoint(db.prisma, applicationId);
    await db.prisma.endpoint.update({ where: { id }, data: { eventTypes: ["order.paid"] } });
    const other = await insertTestEndpoint(db.prisma, applicationId);
    const client = clientFor(EndpointService, parts, asApplication(applicationId));
    publisher.batches.length = 0;

    const sent = await client.sendTestEvent({ id });

    const message = await db.prisma.message.findUniqueOrThrow({
      where: { id: sent.messageId },
      include: { deliveries: true },
    });
    expect(message).toMatchObject({ applicationId, eventType: "piperelay.test", endpointsTargeted: 1 });
    expect(JSON.parse(message.payload)).toMatchObject({ type: "piperelay.test", endpoint_id: id });
    expect(message.deliveries.map((d) => [d.id, d.endpointId])).toEqual([[sent.deliveryId, id]]);
    expect(message.deliveries.some((d) => d.endpointId === other)).toBe(false);
    expect(publisher.batches).toEqual([
      [{ deliveryId: sent.deliveryId, applicationId, endpointId: id, attempt: 1 }],
    ]);
  });

  it("takes an event type and payload, and refuses a disabled endpoint or a bad event type", async () => {
    const applicationId = await insertTestApplication(db.prisma);
    const id = await insertTestEndpoint(db.prisma, applicationId);
    const client = clientFor(EndpointService, parts, asApplication(applicationId));
    const payload = fromJson(ValueSchema, { order: 42 });
    const sent = await client.sendTestEvent({ id, eventType: "order.paid", payload });
    const message = await db.prisma.message.findUniqueOrThrow({ where: { id: sent.messageId } });
    expect([message.eventType, message.payload]).toEqual(["order.paid", '{"order":42}']);

    expect(await codeOf(client.sendTestEvent({ id, eventType: "not valid!" }))).toBe(Code.InvalidArgument);
    const disabled = await insertTestEndpoint(db.prisma, applicationId, { isActive: false });
    expect(await codeOf(client.sendTestEvent({ id: disabled }))).toBe(Code.InvalidArgument);
    const stranger = clientFor(EndpointService, parts, asApplication(await insertTestApplication(db.prisma)));
    expect(await codeOf(stranger.sendTestEvent({ id }))).toBe(Code.NotFound);
  });
});
