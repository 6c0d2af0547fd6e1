import type { PrismaClient } from "@piperelay/db";
import type { DeliveryPublisher } from "@piperelay/queue";
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
import type { MessageWriter } from "./message-writer.js";
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
  /** Stores messages, many per statement under load (see createMessageWriter); one per process. */
  writeMessage: MessageWriter;
  publisher: DeliveryPublisher;
  onPublishError?: (error: unknown) => void;
  /** Traces the database write. @defaultValue PipeRelay's tracer from the global provider */
  tracer?: Tracer;
}

/**
 * Stores the message with one delivery per matching active endpoint
 * atomically, then publishes the deliveries. Once this returns the message is
 * committed: if publishing fails, the outbox relay publishes it later. A known
 * idempotency key returns the earlier message without a second fan-out.
 */
export async function acceptMessage(
  deps: AcceptDeps,
  applicationId: string,
  message: ValidMessage,
): Promise<AcceptedMessage> {
  // The RPC's span: which application sent what.
  setActiveSpanAttributes({
    [PipeRelayAttributes.applicationId]: applicationId,
    [PipeRelayAttributes.eventType]: message.eventType,
  });
  // Kept with the message so retries republished much later can link back to this request.
  const traceContext = currentTraceparent();
  const storeSpan = { kind: SpanKind.CLIENT, attributes: postgresAttributes("INSERT messages, deliveries") };
  const written = await inSpan(deps.tracer ?? defaultTracer(), "store message", storeSpan, async (span) => {
    const result = await deps.writeMessage({ applicationId, message, traceContext });
    if (result.stored) {
      span.setAttributes({
        [PipeRelayAttributes.messageId]: result.id,
        [PipeRelayAttributes.endpointsTargeted]: result.deliveries.length,
      });
    }
    return result;
  });
  if (!written.stored) {
    // The key was used before (or by a concurrent request, which did the fan-out).
    const existing = await findByIdempotencyKey(deps.prisma, applicationId, message.idempotencyKey);
    if (!existing) throw new Error("a message skipped for its idempotency key is not stored");
    return replayed(existing);
  }
  setActiveSpanAttributes({
    [PipeRelayAttributes.messageId]: written.id,
    [PipeRelayAttributes.endpointsTargeted]: written.deliveries.length,
  });

  try {
    await deps.publisher.publish(written.deliveries);
  } catch (error) {
    // Committed already; the relay will publish what is left unmarked.
    deps.onPublishError?.(error);
  }
  return {
    id: written.id,
    eventType: message.eventType,
    status: written.status,
    endpointsTargeted: written.deliveries.length,
    timestamp: written.timestamp,
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
  idempotencyKey: string | undefined,
): Promise<StoredMessage | undefined> {
  if (idempotencyKey === undefined) return undefined;
  const row = await prisma.message.findUnique({
    where: { applicationId_idempotencyKey: { applicationId, idempotencyKey } },
    select: { id: true, eventType: true, status: true, endpointsTargeted: true, timestamp: true },
  });
  return row ?? undefined;
}
