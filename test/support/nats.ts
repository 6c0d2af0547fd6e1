import { randomBytes } from "node:crypto";
import { jetstreamManager, RetentionPolicy } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { deleteTopology, type QueueNames } from "@piperelay/queue";
import { natsUrl } from "./urls.js";

/** A NATS prefix of the test's own, so its stream, subjects and consumer collide with nothing. */
export function testPrefix(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

/** Creates a work-queue stream for `names`' subjects, as tests of publishing need one. */
export async function createJobStream(
  nc: NatsConnection,
  names: QueueNames,
  options: { duplicateWindowMs?: number } = {},
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: names.stream,
    subjects: [`${names.subjectRoot}.>`],
    retention: RetentionPolicy.Workqueue,
    ...(options.duplicateWindowMs ? { duplicate_window: options.duplicateWindowMs * 1_000_000 } : {}),
  });
}

/** Deletes the stream createJobStream made, if it is there. */
export async function deleteJobStream(nc: NatsConnection, names: QueueNames): Promise<void> {
  await jetstreamManager(nc)
    .then((jsm) => jsm.streams.delete(names.stream))
    .catch(() => {});
}

/** Deletes a test's delivery stream over a connection of its own (its processes' are closed). */
export async function deleteTestStream(names: QueueNames): Promise<void> {
  const nc = await connect({ servers: natsUrl() });
  try {
    await deleteTopology(nc, names);
  } finally {
    await nc.close();
  }
}
