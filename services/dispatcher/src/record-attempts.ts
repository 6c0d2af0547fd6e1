import {
  createGroupCommit,
  inTransaction,
  type Pool,
  preparedStatement,
  refreshMessageStatuses,
  type Sql,
} from "@piperelay/db";

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

/** Stores an attempt; resolves once it has committed. */
export type AttemptRecorder = (record: AttemptRecord) => Promise<void>;

export interface AttemptRecorderOptions {
  /** Attempts per statement. @defaultValue 500 */
  maxBatch?: number;
  tracer?: Tracer;
}

/**
 * Stores the attempt and the delivery's new state, and keeps the message's
 * status right, atomically. A repeated attempt number (a re-sent in-flight
 * request after a crash) is stored once. Traced as a `record attempt` span;
 * the attempt's number and outcome also go on the span active where this is
 * called (the dispatcher's span for the job).
 *
 * Most attempts need no transaction: a retry leaves the message `pending`
 * (the delivery was outstanding and still is), and the end of a message's
 * only delivery decides its status outright. The end of one of several
 * deliveries needs the locking transaction of refreshMessageStatuses. Either
 * way, attempts asked for while such a write runs go together in the next
 * one: under load, one statement (or transaction) and one commit serve many
 * jobs.
 */
export function createAttemptRecorder(pool: Pool, options: AttemptRecorderOptions = {}): AttemptRecorder {
  const tracer = options.tracer ?? defaultTracer();
  const maxBatch = options.maxBatch ?? 500;
  const writeTogether = createGroupCommit<AttemptWrite, void>({
    maxBatch,
    // An attempt of a delivery deleted meanwhile (its foreign key gone) fails alone.
    isolateFailures: true,
    async run(writes) {
      await writeAttempts(pool, writes);
      return writes.map(() => undefined);
    },
  });
  const finishTogether = createGroupCommit<AttemptWrite, void>({
    maxBatch,
    isolateFailures: true,
    async run(writes) {
      await inTransaction(pool, async (client) => {
        await writeAttempts(client, writes);
        await refreshMessageStatuses(
          client,
          writes.map((w) => w.record.messageId),
        );
      });
      return writes.map(() => undefined);
    },
  });

  return async (record) => {
    const { next } = record;
    const outcome: Attributes = {
      [PipeRelayAttributes.deliveryId]: record.deliveryId,
      [PipeRelayAttributes.messageId]: record.messageId,
      [PipeRelayAttributes.attemptNumber]: record.attemptNumber,
      [PipeRelayAttributes.deliveryStatus]: next.status,
      // 0 means no response came (timeout, connection error, blocked): there is no status to report.
      ...(record.result.statusCode > 0 ? { [ATTR_HTTP_RESPONSE_STATUS_CODE]: record.result.statusCode } : {}),
    };
    setActiveSpanAttributes(outcome);
    const span = {
      kind: SpanKind.CLIENT,
      attributes: { ...postgresAttributes("INSERT attempts; UPDATE deliveries, messages"), ...outcome },
    };
    await inSpan(tracer, "record attempt", span, async () => {
      if (next.status === "retrying") {
        await writeTogether({ record, messageStatus: null });
      } else if (record.endpointsTargeted === 1) {
        await writeTogether({ record, messageStatus: next.status === "success" ? "delivered" : "failed" });
      } else {
        await finishTogether({ record, messageStatus: null });
      }
    });
  };
}

/** An attempt to store, and the status its message gets when this delivery alone decides it (null: unchanged). */
interface AttemptWrite {
  record: AttemptRecord;
  messageStatus: "delivered" | "failed" | null;
}

/** Stores attempts and their deliveries' new states, and sets the messages' statuses given, in one statement. */
async function writeAttempts(db: Sql, writes: readonly AttemptWrite[]): Promise<void> {
  const records = writes.map((w) => w.record);
  await recordStatement(db, [
    records.map((r) => r.deliveryId),
    records.map((r) => r.attemptNumber),
    records.map((r) => r.roundAttempts),
    records.map((r) => r.result.statusCode),
    records.map((r) => r.result.responseBody),
    records.map((r) => r.result.latencyMs),
    records.map((r) => r.result.error),
    records.map((r) => r.next.status),
    records.map((r) => (r.next.status === "retrying" ? r.next.nextRetryAt.toISOString() : null)),
    records.map((r) => r.next.status === "retrying" && !r.next.parked),
    records.map((r) => r.messageId),
    writes.map((w) => w.messageStatus),
  ]);
}

// Delivery rows are locked in id order, as the backlog parker locks them: two statements
// taking many of the same rows in different orders would deadlock.
const recordStatement = preparedStatement(
  "dispatcher.record-attempts",
  `WITH input AS (
      SELECT * FROM unnest(
        $1::text[], $2::int[],
        $3::int[], $4::int[],
        $5::text[], $6::int[],
        $7::text[], $8::text[],
        $9::timestamptz[],
        $10::bool[],
        $11::text[], $12::text[]
      ) AS i(delivery_id, attempt_number, round_attempts, status_code, response_body, latency_ms, error,
             status, next_retry_at, keep_enqueued, message_id, message_status)
    ), locked AS (
      SELECT d.id FROM deliveries AS d
      WHERE d.id IN (SELECT delivery_id FROM input)
      ORDER BY d.id
      FOR NO KEY UPDATE OF d
    ), attempt AS (
      INSERT INTO attempts (delivery_id, attempt_number, status_code, response_body, latency_ms, error)
      SELECT delivery_id, attempt_number, status_code, response_body, latency_ms, error FROM input
      ON CONFLICT (delivery_id, attempt_number) DO NOTHING
    ), delivery AS (
      UPDATE deliveries AS d SET
        status = i.status,
        attempt_count = i.attempt_number,
        round_attempts = i.round_attempts,
        next_retry_at = i.next_retry_at,
        completed_at = CASE WHEN i.status = 'retrying' THEN NULL ELSE now() END,
        -- A NAK-delayed retry keeps its job on JetStream, so it is marked enqueued (ingest writes
        -- its marks a second late, so the first attempt may have come first), unless its backlog
        -- was parked mid-attempt (circuit open, enqueued_at NULL): then its job is let go when it
        -- comes back and the outbox relay brings it back.
        enqueued_at = CASE
          WHEN NOT i.keep_enqueued THEN NULL
          WHEN d.enqueued_at IS NOT NULL OR e.circuit_open_until IS NULL THEN COALESCE(d.enqueued_at, now())
        END,
        locked_until = NULL,
        updated_at = now()
      FROM input AS i, locked AS l, endpoints AS e
      WHERE d.id = i.delivery_id AND l.id = d.id AND e.id = d.endpoint_id
    )
    UPDATE messages AS m SET status = i.message_status
    FROM input AS i
    WHERE m.id = i.message_id AND i.message_status IS NOT NULL`,
  { plan: "generic" },
);
