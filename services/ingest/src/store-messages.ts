import type { PrismaClient } from "@piperelay/db";

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
  deliveries: readonly { id: string; endpointId: string }[];
}

/**
 * Inserts messages and their deliveries in one statement: atomic like a
 * transaction, one round trip and one commit for many SendMessage calls.
 * A message whose idempotency key its application has used already (also
 * earlier in the same batch) is skipped with its deliveries. Returns the ids
 * of the messages stored.
 */
export async function storeMessages(
  prisma: PrismaClient,
  records: readonly MessageRecord[],
): Promise<Set<string>> {
  const deliveries = records.flatMap((m) => m.deliveries.map((d) => ({ ...d, messageId: m.id })));
  const rows = await prisma.$queryRaw<{ id: string }[]>`
    WITH stored AS (
      INSERT INTO messages (id, application_id, event_type, payload, status, endpoints_targeted,
                            idempotency_key, trace_context, "timestamp")
      SELECT * FROM unnest(
        ${records.map((m) => m.id)}::text[], ${records.map((m) => m.applicationId)}::text[],
        ${records.map((m) => m.eventType)}::text[], ${records.map((m) => m.payload)}::text[],
        ${records.map((m) => m.status)}::text[], ${records.map((m) => m.deliveries.length)}::int[],
        ${records.map((m) => m.idempotencyKey ?? null)}::text[], ${records.map((m) => m.traceContext ?? null)}::text[],
        ${records.map((m) => m.timestamp.toISOString())}::timestamptz[])
      ON CONFLICT (application_id, idempotency_key) DO NOTHING
      RETURNING id, application_id, "timestamp"
    ), delivered AS (
      INSERT INTO deliveries (id, message_id, endpoint_id, application_id, next_retry_at)
      SELECT d.id, s.id, d.endpoint_id, s.application_id, s."timestamp"
      FROM unnest(${deliveries.map((d) => d.id)}::text[], ${deliveries.map((d) => d.messageId)}::text[],
                  ${deliveries.map((d) => d.endpointId)}::text[]) AS d(id, message_id, endpoint_id)
      JOIN stored AS s ON s.id = d.message_id
    )
    SELECT id FROM stored`;
  return new Set(rows.map((r) => r.id));
}
