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
  const [accepted] = await acceptMessages(deps, applicationId, [message]);
  if (!accepted) throw new Error("a message went missing while it was accepted");
  setActiveSpanAttributes({
    [PipeRelayAttributes.messageId]: accepted.id,
    ...(accepted.idempotentReplay
      ? { [PipeRelayAttributes.idempotentReplay]: true }
      : { [PipeRelayAttributes.endpointsTargeted]: accepted.endpointsTargeted }),
  });
  return accepted;
}

/**
 * acceptMessage for several messages at once, all committed together (or
 * none); the result lists them in the order given.
 */
export async function acceptMessages(
  deps: AcceptDeps,
  applicationId: string,
  messages: readonly ValidMessage[],
): Promise<AcceptedMessage[]> {
  // Kept with the messages so retries republished much later can link back to this request.
  const traceContext = currentTraceparent();
  const storeSpan = { kind: SpanKind.CLIENT, attributes: postgresAttributes("INSERT messages, deliveries") };
  const name = messages.length === 1 ? "store message" : "store messages";
  const written = await inSpan(deps.tracer ?? defaultTracer(), name, storeSpan, async (span) => {
    const results = await deps.writeMessage(
      messages.map((message) => ({ applicationId, message, traceContext })),
    );
    const [only] = results;
    if (results.length === 1 && only?.stored) {
      span.setAttributes({
        [PipeRelayAttributes.messageId]: only.id,
        [PipeRelayAttributes.endpointsTargeted]: only.endpointsTargeted,
      });
    }
    return results;
  });

  const deliveries = written.flatMap((w) => (w.stored ? w.deliveries : []));
  try {
    await deps.publisher.publish(deliveries);
  } catch (error) {
    // Committed already; the relay will publish what is left unmarked.
    deps.onPublishError?.(error);
  }
  // Messages skipped for a used key (earlier, or by a concurrent request that did the fan-out).
  const replayed = await findByIdempotencyKeys(
    deps.prisma,
    applicationId,
    messages.filter((_, i) => !written[i]?.stored).map((m) => m.idempotencyKey),
  );
  return written.map((w, i): AcceptedMessage => {
    const message = messages[i] as ValidMessage;
    if (w.stored) {
      return {
        id: w.id,
        eventType: message.eventType,
        status: w.status,
        endpointsTargeted: w.endpointsTargeted,
        timestamp: w.timestamp,
        idempotentReplay: false,
      };
    }
    const existing = replayed.get(message.idempotencyKey ?? "");
    if (!existing) throw new Error("a message skipped for its idempotency key is not stored");
    return { ...existing, idempotentReplay: true };
  });
}

type StoredMessage = Omit<AcceptedMessage, "idempotentReplay">;

/** The stored messages with these idempotency keys, by key, in one query. */
async function findByIdempotencyKeys(
  prisma: PrismaClient,
  applicationId: string,
  keys: readonly (string | undefined)[],
): Promise<Map<string, StoredMessage>> {
  const wanted = keys.filter((k): k is string => k !== undefined);
  if (wanted.length === 0) return new Map();
  const rows = await prisma.message.findMany({
    where: { applicationId, idempotencyKey: { in: wanted } },
    select: {
      id: true,
      eventType: true,
      status: true,
      endpointsTargeted: true,
      timestamp: true,
      idempotencyKey: true,
    },
  });
  return new Map(rows.map(({ idempotencyKey, ...message }) => [idempotencyKey ?? "", message]));
}
