import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { QueueNames } from "./names.js";

/** How long a dispatcher may hold a job before JetStream redelivers it: well above the HTTP timeout. */
export function ackWaitFor(deliveryTimeoutMs: number): number {
  return deliveryTimeoutMs + 30_000;
}

export interface TopologyOptions {
  /** The HTTP timeout of one attempt; the consumer's ack wait is derived from it. */
  deliveryTimeoutMs: number;
  /**
   * Jobs handed out and not yet acknowledged, across all dispatchers. NAK-delayed
   * retries count here, which is why long retries wait in PostgreSQL instead.
   * @defaultValue 20000
   */
  maxAckPending?: number;
}

const nanos = (ms: number) => ms * 1_000_000;

/**
 * Creates or updates the delivery stream and the dispatchers' durable
 * consumer. Returns whether the stream had to be created.
 */
export async function ensureTopology(
  nc: NatsConnection,
  names: QueueNames,
  options: TopologyOptions,
): Promise<{ jsm: JetStreamManager; created: boolean }> {
  const jsm = await jetstreamManager(nc);
  const stream = {
    name: names.stream,
    subjects: [`${names.subjectRoot}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(120_000),
  };
  let created = false;
  try {
    await jsm.streams.info(names.stream);
    await jsm.streams.update(names.stream, stream);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(stream);
    created = true;
  }
  const consumer = {
    durable_name: names.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ackWaitFor(options.deliveryTimeoutMs)),
    max_deliver: -1,
    max_ack_pending: options.maxAckPending ?? 20_000,
    filter_subject: `${names.subjectRoot}.>`,
  };
  try {
    await jsm.consumers.info(names.stream, names.consumer);
    await jsm.consumers.update(names.stream, names.consumer, {
      ack_wait: consumer.ack_wait,
      max_ack_pending: consumer.max_ack_pending,
    });
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.consumers.add(names.stream, consumer);
  }
  return { jsm, created };
}

/** Deletes the stream (and so its consumer); for tests and `piperelay` uninstall. */
export async function deleteTopology(nc: NatsConnection, names: QueueNames): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(names.stream).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
}

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.status === 404;
}
