import { Prisma, type PrismaClient, refreshMessageStatuses } from "@piperelay/db";
import type { DeliveryPublisher, QueuedDelivery } from "@piperelay/queue";

export interface RequeueDeps {
  prisma: PrismaClient;
  publisher: DeliveryPublisher;
  /** Called when publishing throws after the commit (the outbox relay still delivers), e.g. to log it. */
  onPublishError?: (error: unknown) => void;
}

/** Which failed deliveries to requeue; every field narrows the set, none means all of them. */
export interface RequeueFilter {
  /** Only this application's deliveries. */
  applicationId?: string;
  /** Only this message's deliveries. */
  messageId?: string;
  /** Only deliveries that finally failed at or after this time (`piperelay replay --since 24h`). */
  since?: Date;
  /** Only these deliveries (the dashboard's selection in the dead letter queue). */
  deliveryIds?: readonly string[];
}

export interface RequeueResult {
  /** Deliveries moved from `failed` back to `pending`. */
  requeued: number;
  /** Of those, how many went on JetStream right away; the outbox relay publishes the rest. */
  published: number;
  /** The messages they belong to, now `pending` again. */
  messageIds: string[];
}

/**
 * Gives failed deliveries a fresh round of attempts: in one transaction they
 * become `pending`, due now, with the retry schedule restarted
 * (`round_attempts = 0`) and the outbox marker cleared, and their messages'
 * statuses are recomputed. After the commit they are published; one that is
 * not is still picked up by the outbox relay, so the requeue never depends on
 * NATS being up. Attempt numbers continue from the stored `attempt_count`.
 */
export async function requeueFailedDeliveries(
  deps: RequeueDeps,
  filter: RequeueFilter,
): Promise<RequeueResult> {
  const conditions = [Prisma.sql`status = 'failed'`];
  if (filter.applicationId !== undefined)
    conditions.push(Prisma.sql`application_id = ${filter.applicationId}`);
  if (filter.messageId !== undefined) conditions.push(Prisma.sql`message_id = ${filter.messageId}`);
  if (filter.since !== undefined) conditions.push(Prisma.sql`completed_at >= ${filter.since}`);
  if (filter.deliveryIds !== undefined) conditions.push(Prisma.sql`id = ANY(${[...filter.deliveryIds]})`);

  const rows = await deps.prisma.$transaction(
    async (tx) => {
      const requeued = await tx.$queryRaw<
        {
          id: string;
          message_id: string;
          endpoint_id: string;
          application_id: string;
          attempt_count: number;
        }[]
      >`
      UPDATE deliveries SET
        status = 'pending',
        round_attempts = 0,
        next_retry_at = now(),
        completed_at = NULL,
        enqueued_at = NULL,
        locked_until = NULL,
        updated_at = now()
      WHERE ${Prisma.join(conditions, " AND ")}
      RETURNING id, message_id, endpoint_id, application_id, attempt_count`;
      await refreshMessageStatuses(
        tx,
        requeued.map((row) => row.message_id),
      );
      return requeued;
      // A replay can touch many messages; give the status refresh room beyond Prisma's 5 s default.
    },
    { timeout: 60_000 },
  );

  const jobs: QueuedDelivery[] = rows.map((row) => ({
    deliveryId: row.id,
    applicationId: row.application_id,
    endpointId: row.endpoint_id,
    attempt: row.attempt_count + 1,
  }));
  let published = 0;
  if (jobs.length > 0) {
    try {
      published = await deps.publisher.publish(jobs);
    } catch (error) {
      // Committed already: the requeue stands and the outbox relay publishes what is still unmarked.
      deps.onPublishError?.(error);
    }
  }
  return {
    requeued: rows.length,
    published,
    messageIds: [...new Set(rows.map((row) => row.message_id))],
  };
}
