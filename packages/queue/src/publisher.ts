import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { PrismaClient } from "@piperelay/db";
import { type DeliveryJob, encodeJob, jobMessageId } from "./delivery-job.js";
import type { QueueNames } from "./names.js";

/** A delivery ready to be put on JetStream. */
export interface QueuedDelivery extends DeliveryJob {
  applicationId: string;
  endpointId: string;
}

export interface DeliveryPublisher {
  /**
   * Publishes the jobs and marks the published deliveries as enqueued.
   * Never throws for a publish failure: the deliveries stay unmarked and the
   * outbox relay publishes them later. Returns how many were published.
   */
  publish(deliveries: readonly QueuedDelivery[]): Promise<number>;
}

export interface DeliveryPublisherOptions {
  nc: NatsConnection;
  prisma: PrismaClient;
  names: QueueNames;
  /** Called once per failed batch, e.g. to log it. */
  onPublishError?: (error: unknown, count: number) => void;
  /** @defaultValue 5000 */
  publishTimeoutMs?: number;
}

export function createDeliveryPublisher(options: DeliveryPublisherOptions): DeliveryPublisher {
  const js: JetStreamClient = jetstream(options.nc, { timeout: options.publishTimeoutMs ?? 5000 });
  const { prisma, names } = options;
  return {
    async publish(deliveries) {
      if (deliveries.length === 0) return 0;
      const results = await Promise.allSettled(
        deliveries.map((d) =>
          js.publish(names.subject(d.applicationId, d.endpointId), encodeJob(d), { msgID: jobMessageId(d) }),
        ),
      );
      const published = deliveries.filter((_, i) => results[i]?.status === "fulfilled");
      const firstFailure = results.find((r) => r.status === "rejected");
      if (firstFailure) options.onPublishError?.(firstFailure.reason, deliveries.length - published.length);
      if (published.length === 0) return 0;
      // Only mark a delivery still waiting for this very attempt: one the dispatcher has
      // meanwhile attempted and parked for a later retry must stay visible to the relay.
      await prisma.$executeRaw`
        UPDATE deliveries AS d SET enqueued_at = now()
        FROM unnest(${published.map((d) => d.deliveryId)}::text[], ${published.map((d) => d.attempt - 1)}::int[]) AS j(id, done)
        WHERE d.id = j.id AND d.attempt_count = j.done AND d.enqueued_at IS NULL`;
      return published.length;
    },
  };
}
