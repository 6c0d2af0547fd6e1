import { type ConsumerMessages, type JsMsg, jetstream } from "@nats-io/jetstream";
import type { Logger } from "@piperelay/core";
import {
  type DeliveryJob,
  decodeJob,
  jobMessageId,
  type NatsConnection,
  type QueueNames,
  type ReceivedJob,
} from "@piperelay/queue";
import {
  type Attributes,
  context,
  defaultTracer,
  MessagingAttributes,
  PipeRelayAttributes,
  recordError,
  startConsumerSpan,
  type Tracer,
  tracedIdAttributes,
} from "@piperelay/telemetry";
import { createEndOfTurn } from "./end-of-turn.js";
import type { JobDecision } from "./job-decision.js";

export interface ConsumeJobsOptions {
  nc: NatsConnection;
  names: QueueNames;
  /** Jobs processed at once by this process. */
  concurrency: number;
  /** The consumer's ack wait; in-progress jobs send `working()` well within it. */
  ackWaitMs: number;
  process: (job: ReceivedJob) => Promise<JobDecision>;
  /**
   * Jobs to acknowledge at once, before any tracing or logging: they need no
   * work at all (a parked backlog's jobs, by the thousand).
   */
  alreadyDone?: (job: ReceivedJob) => boolean;
  /**
   * Called when JetStream reports the stream or consumer missing (deleted by an
   * operator, lost with a broker's storage); should recreate them. Consuming
   * then starts over on the new consumer.
   */
  onMissingTopology: () => Promise<void>;
  logger: Logger;
  /** Traces each job (a CONSUMER span). @defaultValue PipeRelay's tracer from the global provider */
  tracer?: Tracer;
}

export interface JobConsumer {
  /** Stops pulling, hands back buffered jobs, and waits for in-flight attempts to finish. */
  stop(): Promise<void>;
}

// After an unexpected error (say PostgreSQL is down) the job comes back after this.
const errorRetryMs = 5000;
const missingTopology = new Set(["consumer_deleted", "consumer_not_found", "stream_not_found"]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pulls delivery jobs from the shared durable consumer and processes them with bounded concurrency. */
export async function consumeJobs(options: ConsumeJobsOptions): Promise<JobConsumer> {
  const { names, logger } = options;
  const tracer = options.tracer ?? defaultTracer();
  const js = jetstream(options.nc);
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  let messages: ConsumerMessages | undefined;
  // Acks and naks of the jobs that finish in one turn go to NATS in one write.
  const settle = createEndOfTurn((err) => logger.warn({ err }, "could not settle a delivery job"));

  async function handle(msg: JsMsg): Promise<void> {
    const decoded = decodeJob(msg.data);
    if (!decoded) {
      logger.warn({ subject: msg.subject }, "dropping a malformed delivery job");
      settle(() => msg.term("malformed job"));
      return;
    }
    const job: ReceivedJob = { ...decoded, sequence: msg.info.streamSequence };
    if (options.alreadyDone?.(job)) {
      settle(() => msg.ack());
      return;
    }
    const { span, context: jobContext } = startConsumerSpan(tracer, {
      destination: names.subjectRoot,
      headers: msg.headers,
      // A job's first delivery continues the trace that published it (ingest's request, or the
      // outbox relay's republish). A redelivery (a NAK-delayed retry, a lapsed ack wait) comes
      // back later and starts a new trace, linked to the publish, rather than stretch that one.
      continueTrace: !msg.redelivered,
      linkReason: "redelivery",
      attributes: jobAttributes(msg, job, names),
    });
    const jobFields = { delivery_id: job.deliveryId, endpoint_id: job.endpointId };
    const heartbeat = setInterval(() => msg.working(), Math.max(1000, options.ackWaitMs / 3));
    try {
      // Spans made while processing (the webhook's request, the attempt's record) go under the job's.
      const decision = await context.with(jobContext, () => options.process(job));
      span.setAttributes({
        [PipeRelayAttributes.jobDecision]: decision.kind,
        [PipeRelayAttributes.jobReason]: decision.reason,
      });
      if (decision.kind === "ack") settle(() => msg.ack());
      else settle(() => msg.nak(decision.delayMs));
      logger.debug(
        {
          ...jobFields,
          ...(decision.messageId ? { message_id: decision.messageId } : {}),
          decision: decision.kind,
          reason: decision.reason,
        },
        "job processed",
      );
    } catch (error) {
      recordError(span, error);
      logger.error({ err: error, ...jobFields }, "delivery attempt could not be completed; will retry");
      settle(() => msg.nak(errorRetryMs));
    } finally {
      clearInterval(heartbeat);
      span.end();
    }
  }

  /** Ends the current subscription when the topology is gone, after recreating it. */
  async function watch(current: ConsumerMessages): Promise<void> {
    for await (const status of current.status()) {
      if (stopping || !missingTopology.has(status.type)) continue;
      logger.warn({ status: status.type }, "delivery stream or consumer missing; recreating it");
      try {
        await options.onMissingTopology();
      } catch (err) {
        logger.error({ err }, "could not recreate the delivery stream; will try again");
        continue;
      }
      current.stop();
      return;
    }
  }

  async function consumeOnce(current: ConsumerMessages): Promise<void> {
    const watcher = watch(current);
    for await (const msg of current) {
      if (stopping) {
        // Hand the job straight back so another dispatcher takes it now, not after ack wait.
        settle(() => msg.nak());
        continue;
      }
      while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
      const task: Promise<void> = handle(msg).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await watcher;
  }

  const first = await (await js.consumers.get(names.stream, names.consumer)).consume({
    max_messages: options.concurrency,
  });
  messages = first;
  const loop = (async () => {
    let current: ConsumerMessages | undefined = first;
    while (!stopping) {
      try {
        current ??= await (await js.consumers.get(names.stream, names.consumer)).consume({
          max_messages: options.concurrency,
        });
        messages = current;
        await consumeOnce(current);
      } catch (err) {
        if (!stopping) logger.error({ err }, "consuming delivery jobs failed; starting over");
      }
      current = undefined;
      if (!stopping) await sleep(500);
    }
  })();

  return {
    async stop() {
      stopping = true;
      messages?.stop();
      await loop;
      await Promise.all(inFlight);
      // Their acks and naks go out at the end of this turn, before the connection may close.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** What a job's span says about it before processing: where it came from and which delivery it is for. */
function jobAttributes(msg: JsMsg, job: DeliveryJob, names: QueueNames): Attributes {
  // Subjects are `<root>.<application id>.<endpoint id>`; ids have no dots.
  const applicationId = msg.subject.startsWith(`${names.subjectRoot}.`)
    ? msg.subject.slice(names.subjectRoot.length + 1).split(".")[0]
    : undefined;
  return {
    [MessagingAttributes.destinationName]: msg.subject,
    [MessagingAttributes.consumerGroupName]: names.consumer,
    [MessagingAttributes.messageId]: jobMessageId(job),
    [PipeRelayAttributes.deliveryId]: job.deliveryId,
    [PipeRelayAttributes.endpointId]: job.endpointId,
    ...(applicationId ? { [PipeRelayAttributes.applicationId]: applicationId } : {}),
    [PipeRelayAttributes.jobDeliveryCount]: msg.info.deliveryCount,
    ...tracedIdAttributes(msg.headers),
  };
}
