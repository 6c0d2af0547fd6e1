import { type ConsumerMessages, type JsMsg, jetstream } from "@nats-io/jetstream";
import type { Logger } from "@piperelay/core";
import { type DeliveryJob, decodeJob, type NatsConnection, type QueueNames } from "@piperelay/queue";
import type { JobDecision } from "./process-job.js";

export interface ConsumeJobsOptions {
  nc: NatsConnection;
  names: QueueNames;
  /** Jobs processed at once by this process. */
  concurrency: number;
  /** The consumer's ack wait; in-progress jobs send `working()` well within it. */
  ackWaitMs: number;
  process: (job: DeliveryJob) => Promise<JobDecision>;
  logger: Logger;
}

export interface JobConsumer {
  /** Stops pulling, hands back buffered jobs, and waits for in-flight attempts to finish. */
  stop(): Promise<void>;
}

// After an unexpected error (say PostgreSQL is down) the job comes back after this.
const errorRetryMs = 5000;

/** Pulls delivery jobs from the shared durable consumer and processes them with bounded concurrency. */
export async function consumeJobs(options: ConsumeJobsOptions): Promise<JobConsumer> {
  const { names, logger } = options;
  const js = jetstream(options.nc);
  const consumer = await js.consumers.get(names.stream, names.consumer);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: options.concurrency });
  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  async function handle(msg: JsMsg): Promise<void> {
    const job = decodeJob(msg.data);
    if (!job) {
      logger.warn({ subject: msg.subject }, "dropping a malformed delivery job");
      msg.term("malformed job");
      return;
    }
    const heartbeat = setInterval(() => msg.working(), Math.max(1000, options.ackWaitMs / 3));
    try {
      const decision = await options.process(job);
      if (decision.kind === "ack") msg.ack();
      else msg.nak(decision.delayMs);
      logger.debug({ delivery_id: job.deliveryId, decision: decision.kind, reason: decision.reason }, "job processed");
    } catch (error) {
      logger.error({ err: error, delivery_id: job.deliveryId }, "delivery attempt could not be completed; will retry");
      msg.nak(errorRetryMs);
    } finally {
      clearInterval(heartbeat);
    }
  }

  const loop = (async () => {
    for await (const msg of messages) {
      if (stopping) {
        // Hand the job straight back so another dispatcher takes it now, not after ack wait.
        msg.nak();
        continue;
      }
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      const task: Promise<void> = handle(msg).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
  })();

  return {
    async stop() {
      stopping = true;
      messages.stop();
      await loop.catch(() => {});
      await Promise.all(inFlight);
    },
  };
}
