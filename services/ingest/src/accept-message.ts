import { newId, patternsMatching } from "@piperelay/core";
import { isUniqueViolation, type PrismaClient } from "@piperelay/db";
import type { DeliveryPublisher, QueuedDelivery } from "@piperelay/queue";
import {
  currentTraceparent,
  defaultTracer,
  inSpan,
  PipeRelayAttributes,
  postgresAttributes,
  SpanKind,
  setActiveSpanAttributes,
  type Tracer,
} from "@piperelay/telemetry";
import { storeMessage } from "./store-message.js";
import type { ValidMessage } from "./validate-message.js";

/** The accepted message as the caller sees it. */
export interface AcceptedMessage {
  id: string;
  eventType: string;
  status: string;
  endpointsTargeted: number;
  timestamp: Date;
  /** True when an `Idempotency-Key` returned an earlier message: nothing new was stored. */
  idempotentReplay: boolean;
}

export interface AcceptDeps {
  prisma: PrismaClient;
  publisher: DeliveryPublisher;
  onPublishError?: (error: unknown) => void;
  /** Traces the database write. @defaultValue PipeRelay's tracer from the global provider */
  tracer?: Tracer;
}

/**
 * Stores the message with one delivery per matching active endpoint in one
 * transaction, then publishes the deliveries. Once this returns the message is
 * committed: if publishing fails, the outbox relay publishes it later. A known
 * idempotency key returns the earlier message without a second fan-out.
 */
export async function acceptMessage(
  deps: AcceptDeps,
  applicationId: string,
  message: ValidMessage,
): Promise<AcceptedMessage> {
  const { prisma } = deps;
  // The RPC's span: which application sent what.
  setActiveSpanAttributes({
    [PipeRelayAttributes.applicationId]: applicationId,
    [PipeRelayAttributes.eventType]: message.eventType,
  });
  if (message.idempotencyKey !== undefined) {
    const existing = await findByIdempotencyKey(prisma, applicationId, message.idempotencyKey);
    if (existing) return replayed(existing);
  }

  // Matching in the database: an application may have thousands of endpoints.
  const targets = await prisma.$queryRaw<{ id: string }[]>`
    SELECT id FROM endpoints
    WHERE application_id = ${applicationId} AND is_active
      AND (cardinality(event_types) = 0 OR event_types && ${patternsMatching(message.eventType)}::text[])
    ORDER BY id`;
  const messageId = newId("msg");
  const timestamp = new Date();
  const deliveries: QueuedDelivery[] = targets.map((endpoint) => ({
    deliveryId: newId("dlv"),
    applicationId,
    endpointId: endpoint.id,
    attempt: 1,
    messageId,
    eventType: message.eventType,
  }));
  const status = deliveries.length === 0 ? "delivered" : "pending";
  // Kept with the message so retries republished much later can link back to this trace.
  const traceContext = currentTraceparent();
  setActiveSpanAttributes({
    [PipeRelayAttributes.messageId]: messageId,
    [PipeRelayAttributes.endpointsTargeted]: deliveries.length,
  });

  const storeSpan = {
    kind: SpanKind.CLIENT,
    attributes: {
      ...postgresAttributes("INSERT messages, deliveries"),
      [PipeRelayAttributes.messageId]: messageId,
      [PipeRelayAttributes.endpointsTargeted]: deliveries.length,
    },
  };
  try {
    await inSpan(deps.tracer ?? defaultTracer(), "store message", storeSpan, () =>
      storeMessage(prisma, {
        id: messageId,
        applicationId,
        eventType: message.eventType,
        payload: message.payload,
        status,
        idempotencyKey: message.idempotencyKey,
        traceContext,
        timestamp,
        deliveries: deliveries.map((d) => ({ id: d.deliveryId, endpointId: d.endpointId })),
      }),
    );
  } catch (error) {
    // Two requests with the same key raced; the other one won and did the fan-out.
    if (message.idempotencyKey !== undefined && isUniqueViolation(error)) {
      const existing = await findByIdempotencyKey(prisma, applicationId, message.idempotencyKey);
      if (existing) return replayed(existing);
    }
    throw error;
  }

  try {
    await deps.publisher.publish(deliveries);
  } catch (error) {
    // Committed already; the relay will publish what is left unmarked.
    deps.onPublishError?.(error);
  }
  return {
    id: messageId,
    eventType: message.eventType,
    status,
    endpointsTargeted: deliveries.length,
    timestamp,
    idempotentReplay: false,
  };
}

/** Notes on the RPC's span that an idempotency key returned an earlier message. */
function replayed(existing: StoredMessage): AcceptedMessage {
  setActiveSpanAttributes({
    [PipeRelayAttributes.messageId]: existing.id,
    [PipeRelayAttributes.idempotentReplay]: true,
  });
  return { ...existing, idempotentReplay: true };
}

type StoredMessage = Omit<AcceptedMessage, "idempotentReplay">;

async function findByIdempotencyKey(
  prisma: PrismaClient,
  applicationId: string,
  idempotencyKey: string,
): Promise<StoredMessage | undefined> {
  const row = await prisma.message.findUnique({
    where: { applicationId_idempotencyKey: { applicationId, idempotencyKey } },
    select: { id: true, eventType: true, status: true, endpointsTargeted: true, timestamp: true },
  });
  return row ?? undefined;
}
