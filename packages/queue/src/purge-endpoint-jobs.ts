import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { QueueNames } from "./names.js";

/**
 * Removes every job queued for one endpoint from the stream, handed out or
 * not; returns how many. Only for deliveries whose rows were (or are about to
 * be) handed to the outbox relay: a purged job is gone for good.
 */
export async function purgeEndpointJobs(
  nc: NatsConnection,
  names: QueueNames,
  applicationId: string,
  endpointId: string,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const { purged } = await jsm.streams.purge(names.stream, {
    filter: names.subject(applicationId, endpointId),
  });
  return purged;
}
