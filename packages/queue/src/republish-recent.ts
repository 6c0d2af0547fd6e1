import type { PrismaClient } from "@piperelay/db";
import { type DeliveryRow, queuedDelivery } from "./delivery-row.js";
import type { DeliveryPublisher } from "./publisher.js";

/**
 * How far back a JetStream server that went down may have lost jobs it had
 * acknowledged: it writes to disk every two minutes by default (`sync_interval`),
 * so an OS crash or power cut can take up to that much with it.
 */
export const unsyncedWindowMs = 150_000;

// Jobs published per call to the publisher.
const publishChunk = 500;

/**
 * Publishes again the jobs of the outstanding deliveries queued in the last
 * `windowMs`, each under the id it was first published with where that can be
 * told from the row (ingest's first publish; the outbox relay's, if the
 * delivery has not changed since), so that JetStream drops every job it still
 * holds as a duplicate and stores only the ones it lost. A job whose id cannot
 * be told comes twice, which the dispatcher's claim makes harmless.
 *
 * PostgreSQL says these deliveries are queued (`enqueued_at`), so without this
 * the outbox relay would never publish them again. Run when a dispatcher starts
 * and when its JetStream server has been replaced by a new process. Returns how
 * many jobs were published (duplicates dropped by JetStream included).
 */
export async function republishRecent(
  prisma: PrismaClient,
  publisher: DeliveryPublisher,
  windowMs = unsyncedWindowMs,
): Promise<number> {
  const rows = await prisma.$queryRaw<(DeliveryRow & { first_publish: boolean })[]>`
    SELECT d.id, d.application_id, d.endpoint_id, d.attempt_count, d.message_id, m.event_type,
           m.trace_context, d.next_retry_at,
           d.attempt_count = 0 AND d.next_retry_at = m."timestamp" AS first_publish
    FROM deliveries d JOIN messages m ON m.id = d.message_id
    WHERE d.status IN ('pending', 'retrying')
      AND d.enqueued_at > now() - make_interval(secs => ${windowMs / 1000}::float8)
    ORDER BY d.id`;
  // Ingest publishes without a due time in the id; the outbox relay with one.
  const jobs = rows.map((row) =>
    queuedDelivery(row, row.first_publish ? undefined : (row.next_retry_at ?? undefined)),
  );
  let published = 0;
  for (let start = 0; start < jobs.length; start += publishChunk) {
    published += await publisher.publish(jobs.slice(start, start + publishChunk));
  }
  return published;
}
