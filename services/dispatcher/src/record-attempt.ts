import { type PrismaClient, refreshMessageStatus } from "@piperelay/db";

import {
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  type Attributes,
  defaultTracer,
  inSpan,
  PipeRelayAttributes,
  postgresAttributes,
  SpanKind,
  setActiveSpanAttributes,
  type Tracer,
} from "@piperelay/telemetry";
import type { AttemptResult } from "./send-webhook.js";

type Executor = Pick<PrismaClient, "$executeRaw">;

/** Where the delivery goes after an attempt. */
export type NextState =
  | { status: "success" }
  | { status: "failed" }
  /** `parked`: the retry waits in PostgreSQL for the outbox relay rather than as a NAK on JetStream. */
  | { status: "retrying"; nextRetryAt: Date; parked: boolean };

/** One attempt of a delivery and what follows it. */
export interface AttemptRecord {
  deliveryId: string;
  messageId: string;
  /** The message's deliveries in all; with one, its status follows from this delivery alone. */
  endpointsTargeted: number;
  attemptNumber: number;
  roundAttempts: number;
  result: AttemptResult;
  next: NextState;
}

/**
 * Stores the attempt and the delivery's new state, and keeps the message's
 * status right, atomically. A repeated attempt number (a re-sent in-flight
 * request after a crash) is stored once. Traced as a `record attempt` span;
 * the attempt's number and outcome also go on the span active where this is
 * called (the dispatcher's span for the job).
 *
 * Most attempts need one statement: a retry leaves the message `pending` (the
 * delivery was outstanding and still is), and the end of a message's only
 * delivery decides its status outright. Only the end of one of several
 * deliveries needs the locking transaction of refreshMessageStatus.
 */
export async function recordAttempt(
  prisma: PrismaClient,
  record: AttemptRecord,
  tracer: Tracer = defaultTracer(),
): Promise<void> {
  const { deliveryId, messageId, attemptNumber, roundAttempts, result, next } = record;
  const nextRetryAt = next.status === "retrying" ? next.nextRetryAt : null;
  const completed = next.status !== "retrying";
  const keepEnqueued = next.status === "retrying" && !next.parked;
  const outcome: Attributes = {
    [PipeRelayAttributes.deliveryId]: deliveryId,
    [PipeRelayAttributes.messageId]: messageId,
    [PipeRelayAttributes.attemptNumber]: attemptNumber,
    [PipeRelayAttributes.deliveryStatus]: next.status,
    // 0 means no response came (timeout, connection error, blocked): there is no status to report.
    ...(result.statusCode > 0 ? { [ATTR_HTTP_RESPONSE_STATUS_CODE]: result.statusCode } : {}),
  };
  setActiveSpanAttributes(outcome);
  const span = {
    kind: SpanKind.CLIENT,
    attributes: { ...postgresAttributes("INSERT attempts; UPDATE deliveries, messages"), ...outcome },
  };
  // Stores the attempt and the delivery's new state, and sets the message's status
  // when this delivery alone decides it (NULL leaves it as it is).
  const write = (db: Executor, messageStatus: string | null) => db.$executeRaw`
    WITH attempt AS (
      INSERT INTO attempts (delivery_id, attempt_number, status_code, response_body, latency_ms, error)
      VALUES (${deliveryId}, ${attemptNumber}, ${result.statusCode}, ${result.responseBody}, ${result.latencyMs}, ${result.error})
      ON CONFLICT (delivery_id, attempt_number) DO NOTHING
    ), delivery AS (
      UPDATE deliveries SET
        status = ${next.status},
        attempt_count = ${attemptNumber},
        round_attempts = ${roundAttempts},
        next_retry_at = ${nextRetryAt},
        completed_at = CASE WHEN ${completed} THEN now() ELSE NULL END,
        -- A NAK-delayed retry keeps enqueued_at only if it had one: NULL means its job may be
        -- gone (purged with a parked backlog mid-attempt), so the outbox relay brings it back.
        enqueued_at = CASE WHEN ${keepEnqueued} THEN enqueued_at ELSE NULL END,
        locked_until = NULL,
        updated_at = now()
      WHERE id = ${deliveryId}
    )
    UPDATE messages SET status = ${messageStatus}::text
    WHERE id = ${messageId} AND ${messageStatus}::text IS NOT NULL`;
  await inSpan(tracer, "record attempt", span, async () => {
    if (next.status === "retrying") {
      await write(prisma, null);
    } else if (record.endpointsTargeted === 1) {
      await write(prisma, next.status === "success" ? "delivered" : "failed");
    } else {
      await prisma.$transaction(async (tx) => {
        await write(tx, null);
        await refreshMessageStatus(tx, messageId);
      });
    }
  });
}
