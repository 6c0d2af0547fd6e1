import { create, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate, ValueSchema } from "@bufbuild/protobuf/wkt";
import type {
  Application as ApplicationRow,
  Attempt as AttemptRow,
  Delivery as DeliveryRow,
  Endpoint as EndpointRow,
  Message as MessageRow,
} from "@piperelay/db";
import {
  type Application,
  ApplicationSchema,
  type Attempt,
  AttemptSchema,
  type Delivery,
  DeliverySchema,
  type Endpoint,
  EndpointSchema,
  type Message,
  MessageSchema,
} from "@piperelay/proto";
import { decryptSecret } from "@piperelay/signing";
import { retryPolicyToProto } from "./retry-policy-input.js";

/** A delivery row with what the API shows alongside it. */
export type DeliveryWithDetails = DeliveryRow & {
  endpoint: { url: string };
  attempts: AttemptRow[];
  /** The message, for its event type; left out where the message is known already. */
  message?: { eventType: string };
};

/** The API form of an application; `apiKey` is set only right after it was created or rotated. */
export function applicationToProto(row: ApplicationRow, apiKey = ""): Application {
  return create(ApplicationSchema, {
    id: row.id,
    name: row.name,
    apiKey,
    createdAt: timestampFromDate(row.createdAt),
    updatedAt: timestampFromDate(row.updatedAt),
    retryPolicy: retryPolicyToProto(row.retryPolicy),
  });
}

/** The API form of an endpoint, secret included (the caller owns it), decrypted with `secretKey`. */
export function endpointToProto(row: EndpointRow, secretKey: Uint8Array): Endpoint {
  return create(EndpointSchema, {
    id: row.id,
    applicationId: row.applicationId,
    url: row.url,
    description: row.description,
    secret: decryptSecret(secretKey, row.id, row.secret),
    eventTypes: row.eventTypes,
    isActive: row.isActive,
    rateLimit: row.rateLimit ?? undefined,
    metadata: metadataFromJson(row.metadata),
    createdAt: timestampFromDate(row.createdAt),
    updatedAt: timestampFromDate(row.updatedAt),
    retryPolicy: retryPolicyToProto(row.retryPolicy),
  });
}

/** The API form of a message; the payload is parsed back from the stored JSON text. */
export function messageToProto(row: MessageRow, deliveries: DeliveryWithDetails[] = []): Message {
  return create(MessageSchema, {
    id: row.id,
    eventType: row.eventType,
    payload: fromJson(ValueSchema, JSON.parse(row.payload) as JsonValue),
    status: row.status,
    endpointsTargeted: row.endpointsTargeted,
    timestamp: timestampFromDate(row.timestamp),
    deliveries: deliveries.map((delivery) => deliveryToProto({ ...delivery, message: row })),
    idempotencyKey: row.idempotencyKey ?? "",
  });
}

/** The API form of a delivery; `next_retry_at` only while another attempt is still to come. */
export function deliveryToProto(row: DeliveryWithDetails): Delivery {
  const outstanding = row.status === "pending" || row.status === "retrying";
  const lastAttempt = row.attempts.at(-1);
  return create(DeliverySchema, {
    id: row.id,
    messageId: row.messageId,
    endpointId: row.endpointId,
    endpointUrl: row.endpoint.url,
    status: row.status,
    attemptCount: row.attemptCount,
    nextRetryAt: outstanding && row.nextRetryAt ? timestampFromDate(row.nextRetryAt) : undefined,
    completedAt: row.completedAt ? timestampFromDate(row.completedAt) : undefined,
    attempts: row.attempts.map(attemptToProto),
    eventType: row.message?.eventType ?? "",
    createdAt: timestampFromDate(row.createdAt),
    lastAttempt: lastAttempt === undefined ? undefined : attemptToProto(lastAttempt),
  });
}

/** The API form of one attempt. */
export function attemptToProto(row: AttemptRow): Attempt {
  return create(AttemptSchema, {
    attemptNumber: row.attemptNumber,
    statusCode: row.statusCode,
    responseBody: row.responseBody,
    latencyMs: row.latencyMs,
    error: row.error,
    timestamp: timestampFromDate(row.createdAt),
  });
}

function metadataFromJson(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  const metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === "string") metadata[key] = entry;
  }
  return metadata;
}
