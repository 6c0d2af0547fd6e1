// Helpers for this package's tests: a database per file, clients over an
// in-memory transport, a recording publisher and row factories.

import { randomBytes } from "node:crypto";
import type { DescService } from "@bufbuild/protobuf";
import {
  type Client,
  type Code,
  ConnectError,
  createClient,
  createRouterTransport,
  type Interceptor,
  type Transport,
} from "@connectrpc/connect";
import { apiKeyColumns, generateApiKey } from "@piperelay/api-keys";
import { newId } from "@piperelay/core";
import { createDatabase, type Database, type PrismaClient } from "@piperelay/db";
import type { DeliveryPublisher, QueuedDelivery } from "@piperelay/queue";
import { type Caller, callerKey, createErrorInterceptor, type ServicePart } from "@piperelay/rpc";
import { encryptSecret } from "@piperelay/signing";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database.js";

/** The keys these tests' services use in place of ones derived from a master key. */
export const testKeys = { secretKey: randomBytes(32), apiKeyPepper: randomBytes(32) };

/** The secret insertTestEndpoint gives endpoints (stored encrypted under `testKeys.secretKey`). */
export const testEndpointSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** A fresh migrated database; call `dispose` in afterAll. */
export async function openTestDatabase(): Promise<Database & { dispose(): Promise<void> }> {
  const testDb: TestDatabase = await createTestDatabase();
  const db = createDatabase(testDb.url);
  return {
    ...db,
    async dispose() {
      await db.close();
      await testDb.drop();
    },
  };
}

/** Stands in for the auth interceptor: every call comes from `caller`. */
function callerInterceptor(caller: Caller): Interceptor {
  return (next) => async (req) => {
    req.contextValues.set(callerKey, caller);
    return next(req);
  };
}

/** A socket-less transport serving `parts` to the given caller. */
export function transportFor(parts: readonly ServicePart[], caller: Caller): Transport {
  return createRouterTransport(
    (router) => {
      for (const part of parts) router.service(part.service, part.implementation);
    },
    {
      router: {
        // The real error mapping, first as in the server; unexpected errors are printed, since clients see only "internal error".
        interceptors: [
          createErrorInterceptor((error, method) => console.error(method, error)),
          callerInterceptor(caller),
        ],
      },
    },
  );
}

/** A client for `service` calling as `caller`. */
export function clientFor<T extends DescService>(
  service: T,
  parts: readonly ServicePart[],
  caller: Caller,
): Client<T> {
  return createClient(service, transportFor(parts, caller));
}

/** The caller an application's API key establishes. */
export function asApplication(applicationId: string): Caller {
  return { kind: "application", applicationId };
}

/** A publisher that records every batch and reports them all as published. */
export function recordingPublisher(): DeliveryPublisher & { batches: QueuedDelivery[][] } {
  const batches: QueuedDelivery[][] = [];
  return {
    batches,
    async publish(deliveries) {
      batches.push([...deliveries]);
      return deliveries.length;
    },
    async settled() {},
  };
}

/** Inserts an application and returns its id. */
export async function insertTestApplication(prisma: PrismaClient, name = "Test app"): Promise<string> {
  const key = generateApiKey();
  const row = await prisma.application.create({
    data: { id: newId("app"), name, ...apiKeyColumns(key, testKeys.apiKeyPepper) },
  });
  return row.id;
}

/** Inserts an endpoint and returns its id. */
export async function insertTestEndpoint(
  prisma: PrismaClient,
  applicationId: string,
  fields: { url?: string; isActive?: boolean } = {},
): Promise<string> {
  const id = newId("ep");
  const row = await prisma.endpoint.create({
    data: {
      id,
      applicationId,
      url: fields.url ?? "https://example.com/hook",
      secret: encryptSecret(testKeys.secretKey, id, testEndpointSecret),
      isActive: fields.isActive ?? true,
    },
  });
  return row.id;
}

/** Inserts a message and returns its id. */
export async function insertTestMessage(
  prisma: PrismaClient,
  applicationId: string,
  fields: {
    eventType?: string;
    status?: string;
    timestamp?: Date;
    payload?: string;
    endpointsTargeted?: number;
  } = {},
): Promise<string> {
  const row = await prisma.message.create({
    data: {
      id: newId("msg"),
      applicationId,
      eventType: fields.eventType ?? "session.completed",
      payload: fields.payload ?? '{"hello":"world"}',
      status: fields.status ?? "pending",
      endpointsTargeted: fields.endpointsTargeted ?? 0,
      ...(fields.timestamp ? { timestamp: fields.timestamp } : {}),
    },
  });
  return row.id;
}

/** Inserts a delivery with `attemptCount` attempts (latencies from `latenciesMs`, the last one's status as given). */
export async function insertTestDelivery(
  prisma: PrismaClient,
  ids: { applicationId: string; messageId: string; endpointId: string },
  fields: { status: string; latenciesMs?: number[]; attemptedAt?: Date } = { status: "pending" },
): Promise<string> {
  const latencies = fields.latenciesMs ?? [];
  const finished = fields.status === "success" || fields.status === "failed";
  const row = await prisma.delivery.create({
    data: {
      id: newId("dlv"),
      ...ids,
      status: fields.status,
      attemptCount: latencies.length,
      roundAttempts: latencies.length,
      nextRetryAt: finished ? null : new Date(Date.now() + 60_000),
      completedAt: finished ? new Date() : null,
      enqueuedAt: new Date(),
    },
  });
  await prisma.attempt.createMany({
    data: latencies.map((latencyMs, index) => {
      const last = index === latencies.length - 1;
      const ok = last && fields.status === "success";
      return {
        deliveryId: row.id,
        attemptNumber: index + 1,
        statusCode: ok ? 200 : 500,
        responseBody: ok ? "ok" : "boom",
        latencyMs,
        error: ok ? "" : "Internal Server Error",
        ...(fields.attemptedAt ? { createdAt: fields.attemptedAt } : {}),
      };
    }),
  });
  return row.id;
}

/** The Connect code a call fails with, or undefined when it succeeds. */
export async function codeOf(call: Promise<unknown>): Promise<Code | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return ConnectError.from(error).code;
  }
}

/** The error a call fails with, or undefined when it succeeds. */
export async function errorOf(call: Promise<unknown>): Promise<ConnectError | undefined> {
  try {
    await call;
    return undefined;
  } catch (error) {
    return ConnectError.from(error);
  }
}
