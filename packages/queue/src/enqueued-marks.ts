import type { PrismaClient } from "@piperelay/db";

/** A delivery whose job is on JetStream: `attempt` is the attempt the job was published for. */
export interface PublishedJob {
  deliveryId: string;
  attempt: number;
}

interface Waiting {
  jobs: readonly PublishedJob[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Marks published deliveries as enqueued, so the outbox relay leaves them
 * alone. Marks asked for while an UPDATE is running go together in the next
 * one: under load, one statement serves many SendMessage calls, and an idle
 * process adds no delay.
 */
export function createEnqueuedMarker(prisma: PrismaClient, maxBatch = 1000) {
  const queue: Waiting[] = [];
  let flushing = false;

  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (queue.length > 0) {
        const batch: Waiting[] = [];
        let size = 0;
        while (queue.length > 0 && (batch.length === 0 || size + (queue[0]?.jobs.length ?? 0) <= maxBatch)) {
          const next = queue.shift() as Waiting;
          batch.push(next);
          size += next.jobs.length;
        }
        const jobs = batch.flatMap((w) => w.jobs);
        try {
          // Only a delivery still waiting for this very attempt and due now: one the dispatcher
          // has meanwhile attempted, or parked for later (its job acknowledged), must stay
          // visible to the relay.
          await prisma.$executeRaw`
            UPDATE deliveries AS d SET enqueued_at = now()
            FROM unnest(${jobs.map((j) => j.deliveryId)}::text[], ${jobs.map((j) => j.attempt - 1)}::int[]) AS j(id, done)
            WHERE d.id = j.id AND d.attempt_count = j.done AND d.enqueued_at IS NULL
              AND d.next_retry_at <= now() + interval '2 seconds'`;
          for (const waiting of batch) waiting.resolve();
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      flushing = false;
    }
  }

  return (jobs: readonly PublishedJob[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      queue.push({ jobs, resolve, reject });
      if (!flushing) void flush();
    });
}
