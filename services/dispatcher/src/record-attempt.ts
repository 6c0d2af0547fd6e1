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

/** Where the delivery goes after an attempt. */
export type NextState =
  | { status: "success" }
  | { status: "failed" }
  /** `parked`: the retry waits in PostgreSQL for the outbox relay rather than as a NAK on JetStream. */
  | { status: "retrying"; nextRetryAt: Date; parked: boolean };

/**
 * Stores the attempt and the delivery's new state, and refreshes the message's
 * status, in one transaction. A repeated attempt number (a re-sent in-flight
 * request after a crash) is stored once. Traced as a `record attempt` span;
 * the attempt's number and outcome also go on the span active where this is
 * called (the dispatcher's span for the job).
 */
export async function recordAttempt(
  prisma: PrismaClient,
  deliveryId: string,
  messageId: string,
  attemptNumber: number,
  roundAttempts: number,
  result: AttemptResult,
  next: NextState,
  tracer: Tracer = defaultTracer(),
): Promise<void> {
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
  await inSpan(tracer, "record attempt", span, () =>
    prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        INSERT INTO attempts (delivery_id, attempt_number, status_code, response_body, latency_ms, error)
        VALUES (${deliveryId}, ${attemptNumber}, ${result.statusCode}, ${result.responseBody}, ${result.latencyMs}, ${result.error})
        ON CONFLICT (delivery_id, attempt_number) DO NOTHING`;
      await tx.$executeRaw`
        -- A NAK-delayed retry keeps enqueued_at only if it had one: NULL means its job may be
        -- gone (purged with a parked backlog mid-attempt), so the outbox relay brings it back.
        UPDATE deliveries SET
          status = ${next.status},
          attempt_count = ${attemptNumber},
          round_attempts = ${roundAttempts},
          next_retry_at = ${nextRetryAt},
          completed_at = CASE WHEN ${completed} THEN now() ELSE NULL END,
          enqueued_at = CASE WHEN ${keepEnqueued} THEN enqueued_at ELSE NULL END,
          locked_until = NULL,
          updated_at = now()
        WHERE id = ${deliveryId}`;
      await refreshMessageStatus(tx, messageId);
    }),
  );
}
