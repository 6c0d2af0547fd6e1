// JetStream as PipeRelay uses it: a file-backed work-queue stream with a
// two-minute duplicate window, publishes carrying Nats-Msg-Id with a bounded
// number in flight, and a durable pull consumer (consume(), explicit ack).
import { randomBytes } from "node:crypto";
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { newId } from "@piperelay/core";
import { round, sleep } from "../stats.js";

export interface JetStreamCeiling {
  /** Publishes acknowledged per second, nothing consuming. */
  publishPerSecond: number;
  /** Messages consumed and acked per second from a full stream, nothing publishing. */
  consumeAckPerSecond: number;
  /** Messages through publish → consume → ack per second with both running (what a delivery needs). */
  pipelinePerSecond: number;
  /** Published minus consumed at the end of the pipeline window (should stay small). */
  pipelineBacklog: number;
  publishInFlight: number;
  consumerBatch: number;
}

const nanos = (ms: number) => ms * 1_000_000;

export async function measureJetStream(
  nc: NatsConnection,
  options: { seconds: number; publishInFlight: number; consumerBatch: number },
): Promise<JetStreamCeiling> {
  const id = randomBytes(5).toString("hex");
  const stream = `BENCH${id.toUpperCase()}_CEILING`;
  const root = `bench${id}.ceiling`;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: stream,
    subjects: [`${root}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(120_000),
  });
  await jsm.consumers.add(stream, {
    durable_name: "ceiling",
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(60_000),
    max_deliver: -1,
    max_ack_pending: 20_000,
  });
  const js = jetstream(nc, { timeout: 5000 });
  const body = (n: number) => new TextEncoder().encode(JSON.stringify({ d: newId("dlv"), a: n }));
  let seq = 0;

  // Publishers: `publishInFlight` loops, each awaiting its PubAck, on per-endpoint subjects.
  // With `consumed` given, publishing pauses while more than `maxBacklog` are unconsumed:
  // the pipeline rate is then one the stream can sustain, not a backlog being built.
  async function publishFor(ms: number, counter: { published: number; consumed?: number }): Promise<void> {
    const end = performance.now() + ms;
    const maxBacklog = 4 * options.publishInFlight;
    await Promise.all(
      Array.from({ length: options.publishInFlight }, async () => {
        while (performance.now() < end) {
          if (counter.consumed !== undefined && counter.published - counter.consumed > maxBacklog) {
            await sleep(1);
            continue;
          }
          const n = seq++;
          await js.publish(`${root}.app_bench.ep_${n % 100}`, body(1), { msgID: `m${id}-${n}` });
          counter.published++;
        }
      }),
    );
  }

  async function consume(counter: { consumed: number }, stopWhen: () => boolean): Promise<void> {
    const consumer = await js.consumers.get(stream, "ceiling");
    const messages = await consumer.consume({ max_messages: options.consumerBatch });
    const watch = setInterval(() => {
      if (stopWhen()) messages.stop();
    }, 5);
    for await (const msg of messages) {
      msg.ack();
      counter.consumed++;
      if (stopWhen()) break;
    }
    clearInterval(watch);
  }

  try {
    const ms = options.seconds * 1000;
    // 1. Publish only.
    const pub = { published: 0 };
    let t0 = performance.now();
    await publishFor(ms, pub);
    const publishPerSecond = pub.published / ((performance.now() - t0) / 1000);

    // 2. Consume and ack what was published.
    const drained = { consumed: 0 };
    t0 = performance.now();
    const giveUp = t0 + Math.max(3 * ms, 30_000);
    await consume(drained, () => drained.consumed >= pub.published || performance.now() > giveUp);
    const consumeAckPerSecond = drained.consumed / ((performance.now() - t0) / 1000);
    await sleep(500);

    // 3. Both at once; the rate is what the consumer completes in the window after a warm-up second.
    const flow = { published: 0, consumed: 0 };
    let stop = false;
    const consuming = consume(flow, () => stop);
    const publishing = publishFor(ms + 1000, flow);
    await sleep(1000);
    const start = flow.consumed;
    t0 = performance.now();
    await sleep(ms);
    const pipelinePerSecond = (flow.consumed - start) / ((performance.now() - t0) / 1000);
    const pipelineBacklog = flow.published - flow.consumed;
    await publishing;
    stop = true;
    await consuming;
    return {
      publishPerSecond: round(publishPerSecond),
      consumeAckPerSecond: round(consumeAckPerSecond),
      pipelinePerSecond: round(pipelinePerSecond),
      pipelineBacklog,
      publishInFlight: options.publishInFlight,
      consumerBatch: options.consumerBatch,
    };
  } finally {
    await jsm.streams.delete(stream).catch(() => false);
  }
}
