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
   * The application's `endpoints_version` the deliveries were matched at: the
   * message is stored only while it is still current. Null stores it whatever
   * the version.
   */
  endpointsVersion: string | null;
  /**
   * Due at the message's timestamp, unless the endpoint's backlog is parked
   * behind an open circuit (`circuit_open_until`, read as the delivery is
   * stored): then due when the park ends, and left to the outbox relay.
   */
  deliveries: readonly { id: string; endpointId: string }[];
}

/** What storeMessages did. */
export interface StoredMessages {
  /** The messages stored. */
  stored: Set<string>;
  /** Their deliveries stored parked with their endpoint's backlog: no job for them now. */
  parked: Set<string>;
  /**
   * Applications whose endpoints changed since the messages' match: their
   * messages were not stored, and need matching again.
   */
  staleApplications: Set<string>;
}

/**
 * Inserts messages and their deliveries in one statement: atomic like a
 * transaction, one round trip and one commit for many SendMessage calls.
 * Skipped with its deliveries: a message whose idempotency key its application
 * has used already (also earlier in the same batch), and one whose
 * application's endpoints changed since it was matched.
 */
export async function storeMessages(pool: Pool, records: readonly MessageRecord[]): Promise<StoredMessages> {
  const deliveries = records.flatMap((m) => m.deliveries.map((d) => ({ ...d, messageId: m.id })));
  const [row] = await storeStatement(pool, [
    records.map((m) => m.id),
    records.map((m) => m.applicationId),
    records.map((m) => m.eventType),
    records.map((m) => m.payload),
    records.map((m) => m.status),
    records.map((m) => m.deliveries.length),
    records.map((m) => m.idempotencyKey ?? null),
    records.map((m) => m.traceContext ?? null),
    records.map((m) => m.timestamp.toISOString()),
    records.map((m) => m.endpointsVersion),
    deliveries.map((d) => d.id),
    deliveries.map((d) => d.messageId),
    deliveries.map((d) => d.endpointId),
  ]);
  return {
    stored: new Set(row?.stored),
    parked: new Set(row?.parked),
    staleApplications: new Set(row?.stale),
  };
}

// The version check and the parked state are read in the statement that stores, so they
// hold for what it stores. Endpoints are joined LEFT: a delivery to an endpoint deleted
// meanwhile must fail the foreign key (and the batch), not vanish from the message.
const storeStatement = preparedStatement<{ stored: string[]; parked: string[]; stale: string[] }>(
  "ingest.store-messages",
  `WITH input AS (
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                          $7::text[], $8::text[], $9::timestamptz[], $10::bigint[])
       AS i(id, application_id, event_type, payload, status, endpoints_targeted,
            idempotency_key, trace_context, "timestamp", endpoints_version)
   ), stale AS (
     -- A subquery per message, so that each application is looked up by key (a join may
     -- walk the whole table): few distinct ones in a batch, and their pages are hot.
     SELECT DISTINCT application_id FROM input AS i
     WHERE i.endpoints_version <> (SELECT a.endpoints_version FROM applications AS a WHERE a.id = i.application_id)
   ), stored AS (
     INSERT INTO messages (id, application_id, event_type, payload, status, endpoints_targeted,
                           idempotency_key, trace_context, "timestamp")
     SELECT id, application_id, event_type, payload, status, endpoints_targeted,
            idempotency_key, trace_context, "timestamp"
     FROM input WHERE application_id NOT IN (SELECT application_id FROM stale)
     ON CONFLICT (application_id, idempotency_key) DO NOTHING
     RETURNING id, application_id, "timestamp"
   ), targets AS (
     SELECT d.id, s.id AS message_id, d.endpoint_id, s.application_id,
            COALESCE(e.circuit_open_until, s."timestamp") AS due, e.circuit_open_until IS NOT NULL AS parked
     FROM unnest($11::text[], $12::text[], $13::text[]) AS d(id, message_id, endpoint_id)
     JOIN stored AS s ON s.id = d.message_id
     LEFT JOIN endpoints AS e ON e.id = d.endpoint_id
   ), delivered AS (
     INSERT INTO deliveries (id, message_id, endpoint_id, application_id, next_retry_at)
     SELECT id, message_id, endpoint_id, application_id, due FROM targets
   )
   SELECT ARRAY(SELECT id FROM stored) AS stored,
          ARRAY(SELECT id FROM targets WHERE parked) AS parked,
          ARRAY(SELECT application_id FROM stale) AS stale`,
  { plan: "generic" },
);
