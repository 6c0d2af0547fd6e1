import type { NatsConnection } from "@nats-io/transport-node";
import type { PrismaClient } from "@piperelay/db";
import type { QueueNames } from "./names.js";
import { ensureTopology, type TopologyOptions } from "./topology.js";

/**
 * Makes sure the stream and consumer exist. When the stream had to be created
 * (first start, or the broker lost its storage), any job it held is gone, so
 * every outstanding delivery is unmarked for the outbox relay to publish
 * again; PostgreSQL is the system of record. Returns how many were unmarked.
 */
export async function prepareQueue(
  prisma: PrismaClient,
  nc: NatsConnection,
  names: QueueNames,
  options: TopologyOptions,
): Promise<number> {
  const { created } = await ensureTopology(nc, names, options);
  if (!created) return 0;
  return prisma.$executeRaw`
    UPDATE deliveries SET enqueued_at = NULL
    WHERE status IN ('pending', 'retrying') AND enqueued_at IS NOT NULL`;
}
