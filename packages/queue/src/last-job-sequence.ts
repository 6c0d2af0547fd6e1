import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { QueueNames } from "./names.js";

/**
 * The stream sequence of the newest job queued so far: every job at or below it
 * was published, and so its delivery committed, before this returns.
 *
 * This is how a dead endpoint's backlog leaves JetStream: its deliveries are
 * parked in PostgreSQL and their jobs up to this sequence are then acknowledged
 * as they come, without a query. A subject-filtered purge would be quicker, but
 * NATS 2.9 then moves the shared consumer past every other endpoint's jobs that
 * were pending or NAK-delayed, and they are lost.
 */
export async function lastJobSequence(nc: NatsConnection, names: QueueNames): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(names.stream);
  return state.last_seq;
}
