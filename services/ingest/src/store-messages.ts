import { type Pool, preparedStatement } from "@piperelay/db";

/** A message and its deliveries, as SendMessage stores them. */
export interface MessageRecord {
  id: string;
  applicationId: string;
  eventType: string;
  /** The JSON text as sent. */
  payload: string;
  status: string;
  idempotencyKey: string | undefined;
  traceContext: string | undefined;
  timestamp: Date;
  /**
   * Due at the message's timestamp, unless parked with their endpoint's backlog
   * (`parkedUntil`): then due when the park ends, and left to the outbox relay.
   */
  deliveries: readonly { id: string; endpointId: string; parkedUntil?: Date | null }[];
}

/**
 * Inserts messages and their deliveries in one statement: atomic like a
 * transaction, one round trip and one commit for many SendMessage calls.
 * A message whose idempotency key its application has used already (also
 * earlier in the same batch) is skipped with its deliveries. Returns the ids
 * of the messages stored.
 */
export async function storeMessages(pool: Pool, records: readonly MessageRecord[]): Promise<Set<string>> {
  const deliveries = records.flatMap((m) => m.deliveries.map((d) => ({ ...d, messageId: m.id })));
  const rows = await storeStatement(pool, [
    records.map((m) => m.id),
    records.map((m) => m.applicationId),
    records.map((m) => m.eventType),
    records.map((m) => m.payload),
    records.map((m) => m.status),
    records.map((m) => m.deliveries.length),
    records.map((m) => m.idempotencyKey ?? null),
    records.map((m) => m.traceContext ?? null),
    records.map((m) => m.timestamp.toISOString()),
    deliveries.map((d) => d.id),
    deliveries.map((d) => d.messageId),
    deliveries.map((d) => d.endpointId),
    deliveries.map((d) => d.parkedUntil?.toISOString() ?? null),
  ]);
  return new Set(rows.map((r) => r.id));
}

const storeStatement = preparedStatement<{ id: string }>(
  "ingest.store-messages",
  `WITH stored AS (
     INSERT INTO messages (id, application_id, event_type, payload, status, endpoints_targeted,
                           idempotency_key, trace_context, "timestamp")
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                          $7::text[], $8::text[], $9::timestamptz[])
     ON CONFLICT (application_id, idempotency_key) DO NOTHING
     RETURNING id, application_id, "timestamp"
   ), delivered AS (
     INSERT INTO deliveries (id, message_id, endpoint_id, application_id, next_retry_at)
     SELECT d.id, s.id, d.endpoint_id, s.application_id, COALESCE(d.parked_until, s."timestamp")
     FROM unnest($10::text[], $11::text[], $12::text[], $13::timestamptz[]) AS d(id, message_id, endpoint_id, parked_until)
     JOIN stored AS s ON s.id = d.message_id
   )
   SELECT id FROM stored`,
  { plan: "generic" },
);
