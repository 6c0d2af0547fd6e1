import { createGroupCommit, outstandingStatuses, type Pool, preparedStatement } from "@piperelay/db";
import type { DeliveryJob } from "@piperelay/queue";

/** A job to take off JetStream, its delivery due again after `delayMs`. */
interface Deferral {
  job: DeliveryJob;
  delayMs: number;
}

/**
 * Moves jobs that would wait long at an endpoint's concurrency cap from
 * JetStream to PostgreSQL: the delivery comes due after the delay with no job
 * of its own (`enqueued_at` NULL), and the outbox relay republishes it then.
 * A job held back on JetStream keeps a place in the consumer's ack-pending
 * window, which every endpoint shares: a burst of many thousands of jobs to
 * one slow endpoint would fill it and hold everyone else's jobs back until the
 * burst had drained. Resolves true when the delivery was deferred (the job
 * can then be acknowledged), false when it is finished, claimed right now, or
 * not marked as having a job on JetStream (yet): the job is then NAKed as
 * before. Deferrals asked for while a statement runs go in the next one.
 */
export function createOverflowDeferrer(pool: Pool): (job: DeliveryJob, delayMs: number) => Promise<boolean> {
  const deferTogether = createGroupCommit<Deferral, boolean>({
    maxInFlight: 1,
    isolateFailures: true,
    async run(deferrals) {
      const rows = await deferStatement(pool, [
        deferrals.map((d) => d.job.deliveryId),
        deferrals.map((d) => Math.max(0, Math.round(d.delayMs))),
        outstandingStatuses,
      ]);
      const deferred = new Set(rows.map((r) => r.id));
      return deferrals.map((d) => deferred.has(d.job.deliveryId));
    },
  });
  return (job, delayMs) => deferTogether({ job, delayMs });
}

// Only a delivery still outstanding, with its job on JetStream, and not being attempted
// right now. The job's attempt number is not compared: JetStream redelivers the same job
// for each NAK-delayed retry (see claimDeliveries). Should this job be a stray duplicate,
// the delivery's own job finds it not due and left to the relay, which brings it back.
// Rows are locked in id order, as every bulk update of deliveries locks them, so that
// two statements cannot deadlock.
const deferStatement = preparedStatement<{ id: string }>(
  "dispatcher.defer-overflow",
  `UPDATE deliveries AS d
   SET enqueued_at = NULL,
       next_retry_at = GREATEST(d.next_retry_at, now() + make_interval(secs => w.delay_ms / 1000.0))
   FROM (
     SELECT c.id, j.delay_ms FROM deliveries AS c
     JOIN unnest($1::text[], $2::int[]) AS j(id, delay_ms) ON c.id = j.id
     WHERE array_position($3::text[], c.status) IS NOT NULL
       AND c.enqueued_at IS NOT NULL
       AND (c.locked_until IS NULL OR c.locked_until < now())
     ORDER BY c.id
     FOR NO KEY UPDATE OF c
   ) AS w
   WHERE d.id = w.id
   RETURNING d.id`,
  { plan: "generic" },
);
