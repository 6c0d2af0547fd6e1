import { headers, type NatsConnection } from "@nats-io/transport-node";
import type { Pool } from "@piperelay/db";
import {
  context,
  defaultTracer,
  injectTraceContext,
  isSpanContextValid,
  linkToTraceparent,
  PipeRelayAttributes,
  recordError,
  startProducerSpan,
  type Tracer,
  trace,
} from "@piperelay/telemetry";
import { type DeliveryJob, encodeJob, jobMessageId } from "./delivery-job.js";
import { createEnqueuedMarker } from "./enqueued-marks.js";
import { createJetStreamPublish } from "./jetstream-publish.js";
import type { QueueNames } from "./names.js";

/** A delivery ready to be put on JetStream. */
export interface QueuedDelivery extends DeliveryJob {
  applicationId: string;
  endpointId: string;
  /** For traces only (sent in headers while tracing): ingest knows them, the outbox relay does not. */
  messageId?: string;
  eventType?: string;
  /**
   * For traces only: the traceparent of the request that sent the message,
   * when the job is published outside it (by the outbox relay); the publish
   * span then starts a new trace linked to that one.
   */
  originTraceparent?: string;
  /** When the delivery came due, for a job the outbox relay republishes (see jobMessageId). */
  dueAt?: Date;
}

export interface DeliveryPublisher {
  /**
   * Publishes the jobs and marks the published deliveries as enqueued.
   * Never throws for a publish failure: the deliveries stay unmarked and the
   * outbox relay publishes them later. Returns how many were published.
   */
  publish(deliveries: readonly QueuedDelivery[]): Promise<number>;
  /** Writes the marks still waiting (see `markDelayMs`) and resolves when every mark asked for so far is written. */
  settled(): Promise<void>;
}

export interface DeliveryPublisherOptions {
  nc: NatsConnection;
  /** Where the published deliveries are marked enqueued. */
  pool: Pool;
  names: QueueNames;
  /** Called once per failed batch, e.g. to log it. */
  onPublishError?: (error: unknown, count: number) => void;
  /** @defaultValue 5000 */
  publishTimeoutMs?: number;
  /**
   * Let `publish` return once JetStream has the jobs, and write the enqueued
   * marks after. A lost mark costs only a duplicate job (the outbox relay
   * republishes an unmarked delivery after its grace period, and the claim
   * drops the second job), so a caller that only needs the jobs published,
   * like SendMessage, need not wait for a commit. Call `settled()` before
   * shutting down. @defaultValue false
   */
  markInBackground?: boolean;
  /**
   * With `markInBackground`: gather marks for this long and write them
   * together. A delivery attempted in the meantime needs no mark (the
   * dispatcher's record marks a retry that stays on JetStream), so under load
   * most marks find nothing to change and the rest go in large statements.
   * Must stay well below the outbox relay's grace period (5 s), or the relay
   * republishes deliveries still waiting for their mark. @defaultValue 0
   */
  markDelayMs?: number;
  /** Called when a background mark fails. */
  onMarkError?: (error: unknown, count: number) => void;
  /** Traces each publish (a PRODUCER span). @defaultValue PipeRelay's tracer from the global provider */
  tracer?: Tracer;
}

export function createDeliveryPublisher(options: DeliveryPublisherOptions): DeliveryPublisher {
  const publishToStream = createJetStreamPublish(options.nc, options.publishTimeoutMs ?? 5000);
  const { names } = options;
  const tracer = options.tracer ?? defaultTracer();
  const markEnqueued = createEnqueuedMarker(options.pool);
  const subjectTemplate = `${names.subjectRoot}.{application_id}.{endpoint_id}`;

  /** One job, in a PRODUCER span whose context travels in the message's headers. */
  async function publishOne(d: QueuedDelivery): Promise<void> {
    const subject = names.subject(d.applicationId, d.endpointId);
    const msgID = jobMessageId(d, d.dueAt);
    const span = startProducerSpan(tracer, {
      destination: names.subjectRoot,
      subject,
      subjectTemplate,
      messageId: msgID,
      links: [linkToTraceparent(d.originTraceparent, "republished")].filter((l) => l !== undefined),
      attributes: {
        [PipeRelayAttributes.applicationId]: d.applicationId,
        [PipeRelayAttributes.endpointId]: d.endpointId,
        [PipeRelayAttributes.deliveryId]: d.deliveryId,
        [PipeRelayAttributes.attemptNumber]: d.attempt,
        ...(d.messageId ? { [PipeRelayAttributes.messageId]: d.messageId } : {}),
        ...(d.eventType ? { [PipeRelayAttributes.eventType]: d.eventType } : {}),
      },
    });
    const h = headers();
    // Only while tracing is on (a sampled-out trace still passes on its decision); otherwise the
    // job's headers stay as they were, just Nats-Msg-Id.
    if (isSpanContextValid(span.spanContext())) {
      injectTraceContext(h, trace.setSpan(context.active(), span), {
        messageId: d.messageId,
        eventType: d.eventType,
      });
    }
    h.set("Nats-Msg-Id", msgID);
    try {
      const ack = await publishToStream(subject, encodeJob(d), h);
      if (ack.duplicate) span.setAttribute(PipeRelayAttributes.jobDuplicate, true);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  const backgroundMarks = new Set<Promise<void>>();
  const markDelayMs = options.markDelayMs ?? 0;
  // Each publish's deliveries as it came: the marker's group commit packs them into statements.
  let delayed: (readonly QueuedDelivery[])[] = [];
  let delayTimer: NodeJS.Timeout | undefined;

  function markNow(published: readonly QueuedDelivery[]): void {
    const marked = markEnqueued(published)
      .catch((error: unknown) => options.onMarkError?.(error, published.length))
      .finally(() => backgroundMarks.delete(marked));
    backgroundMarks.add(marked);
  }

  function markDelayed(): void {
    clearTimeout(delayTimer);
    delayTimer = undefined;
    for (const published of delayed) markNow(published);
    delayed = [];
  }

  function markLater(published: readonly QueuedDelivery[]): void {
    if (markDelayMs <= 0) {
      markNow(published);
      return;
    }
    delayed.push(published);
    delayTimer ??= setTimeout(markDelayed, markDelayMs);
  }

  return {
    async publish(deliveries) {
      if (deliveries.length === 0) return 0;
      const results = await Promise.allSettled(deliveries.map(publishOne));
      const published = deliveries.filter((_, i) => results[i]?.status === "fulfilled");
      const firstFailure = results.find((r) => r.status === "rejected");
      if (firstFailure) options.onPublishError?.(firstFailure.reason, deliveries.length - published.length);
      if (published.length === 0) return 0;
      if (options.markInBackground) markLater(published);
      else await markEnqueued(published);
      return published.length;
    },
    async settled() {
      markDelayed();
      while (backgroundMarks.size > 0) await Promise.all(backgroundMarks);
    },
  };
}
