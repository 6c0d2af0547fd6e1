import { createGroupCommit, type Pool, preparedStatement } from "@piperelay/db";

/** A delivery whose job is on JetStream: `attempt` is the attempt the job was published for. */
export interface PublishedJob {
  deliveryId: string;
  attempt: number;
}

/**
 * Marks published deliveries as enqueued, so the outbox relay leaves them
 * alone. Marks asked for while an UPDATE is running go together in the next
 * one: under load, one statement serves many SendMessage calls, and an idle
 * process adds no delay.
 */
export function createEnqueuedMarker(
  pool: Pool,
  maxBatch = 1000,
): (jobs: readonly PublishedJob[]) => Promise<void> {
  return createGroupCommit<readonly PublishedJob[], void>({
    maxBatch,
    weight: (jobs) => jobs.length,
    // One at a time: see the lock order below.
    maxInFlight: 1,
    async run(batches) {
      const jobs = batches.flat();
      await markStatement(pool, [jobs.map((j) => j.deliveryId), jobs.map((j) => j.attempt - 1)]);
      return batches.map(() => undefined);
    },
  });
}

// Only a delivery still waiting for this very attempt and due now: one the dispatcher has
// meanwhile attempted, or parked for later (its job acknowledged), must stay visible to the
// relay. Rows are locked in id order, as the dispatcher's bulk park locks them: two
// statements updating many of the same rows in different orders would deadlock.
const markStatement = preparedStatement(
  "queue.mark-enqueued",
  `UPDATE deliveries AS d SET enqueued_at = now()
   FROM (
     SELECT c.id FROM deliveries c
     JOIN unnest($1::text[], $2::int[]) AS j(id, done) ON c.id = j.id
     WHERE c.attempt_count = j.done AND c.enqueued_at IS NULL
       AND c.next_retry_at <= now() + interval '2 seconds'
     ORDER BY c.id
     FOR UPDATE OF c
   ) AS locked
   WHERE d.id = locked.id`,
  { plan: "generic" },
);
