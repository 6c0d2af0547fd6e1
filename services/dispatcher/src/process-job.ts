import { type Logger, version } from "@piperelay/core";
import type { Pool } from "@piperelay/db";
import { type EgressPolicy, targetUrlProblem } from "@piperelay/egress";
import type { ReceivedJob } from "@piperelay/queue";
import { createSecretCache, signatureHeaders } from "@piperelay/signing";
import type { Dispatcher } from "undici";
import type { BacklogParker } from "./backlog-parker.js";
import { createDeliveryClaimer, releaseClaim } from "./claim-deliveries.js";
import { createOverflowDeferrer } from "./defer-overflow.js";
import type { DispatcherMetrics } from "./dispatcher-metrics.js";
import { createEndpointGate, type EndpointGate } from "./endpoint-gate.js";
import type { EndpointHealth } from "./endpoint-health.js";
import type { JobDecision } from "./job-decision.js";
import { nextStep } from "./next-step.js";
import { takeRateSlot } from "./rate-limiter.js";
import { createAttemptRecorder } from "./record-attempts.js";
import { type RetryPolicy, resolveDeliverySettings } from "./retry-policy.js";
import { type AttemptResult, sendWebhook } from "./send-webhook.js";

export interface JobProcessorOptions {
  /** Claims, records and rate slots go by name through it (see preparedStatement). */
  pool: Pool;
  /** The server's retry settings; applications and endpoints may override them. */
  policy: RetryPolicy;
  timeoutMs: number;
  /** Retries due within this are NAK-delayed; later ones are parked in PostgreSQL. */
  nakMaxDelayMs: number;
  /** Which addresses deliveries may reach; names are also checked at connect time by the HTTP agent. */
  egress: EgressPolicy;
  /**
   * Decrypts endpoint secrets for signing. A secret that does not decrypt (a
   * wrong master key) throws before any request: the claim lapses and the
   * delivery waits, unsent and unrecorded, until the key is fixed.
   */
  secretKey: Uint8Array;
  httpDispatcher?: Dispatcher;
  /** Where each attempt is logged. */
  logger: Logger;
  /** Per-endpoint concurrency cap and circuit breaker; one per process. */
  gate?: EndpointGate;
  /** Takes a dead endpoint's backlog off JetStream when its circuit opens. */
  backlog: BacklogParker;
  /** Tracks runs of failures and disables endpoints; none in unit tests. */
  endpointHealth?: EndpointHealth;
  /** Counts recorded attempts by outcome and times the requests. */
  metrics?: Pick<DispatcherMetrics, "attemptRecorded" | "jobDeferred" | "jobHeldBack">;
  /** Injectable clock for tests. */
  now?: () => number;
  /** Injectable randomness for retry jitter. */
  random?: () => number;
}

// The shortest park of an endpoint whose circuit is open.
const minParkMs = 5000;

/** Processes one job. */
export type JobProcessor = (job: ReceivedJob) => Promise<JobDecision>;

/**
 * Makes one attempt for a job: claims the delivery in PostgreSQL (skipping
 * stale and duplicate jobs), POSTs the signed payload, records the attempt,
 * and decides between done (ack), retry soon (nak with delay) and retry later
 * (ack and park; the outbox relay republishes when due).
 */
export function createJobProcessor(options: JobProcessorOptions): JobProcessor {
  const { logger } = options;
  const serverSettings = { policy: options.policy, timeoutMs: options.timeoutMs };
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const userAgent = `PipeRelay/${version}`;
  // Added to the attempt's timeout, the claim covers the request and the write that follows it.
  const holdExtraMs = 30_000;

  const gate = options.gate ?? createEndpointGate();
  // One of each per processor: concurrent jobs share their claim and record statements.
  const claimDelivery = createDeliveryClaimer(options.pool, {
    defaultTimeoutMs: options.timeoutMs,
    holdExtraMs,
  });
  const recordAttempt = createAttemptRecorder(options.pool);
  const deferOverflow = createOverflowDeferrer(options.pool);
  const secrets = createSecretCache(options.secretKey);

  return async (job) => {
    // Held-back jobs go back to JetStream before touching the database: a failing
    // endpoint with thousands of waiting deliveries costs no queries and no workers.
    let entry = gate.enter(job.endpointId);
    if (!entry.admitted && entry.reason === "at capacity")
      entry = await gate.waitForSlot(job.endpointId, entry);
    if (!entry.admitted) {
      if (entry.reason === "at capacity") {
        if (entry.overflow && (await deferOverflow(job, entry.retryInMs))) {
          options.metrics?.jobDeferred();
          return { kind: "ack", reason: `at capacity; due again in ${entry.retryInMs} ms, from PostgreSQL` };
        }
        options.metrics?.jobHeldBack("at_capacity");
        return { kind: "nak", delayMs: entry.retryInMs, reason: entry.reason };
      }
      if (entry.probing) {
        options.metrics?.jobHeldBack("circuit_open");
        return { kind: "nak", delayMs: entry.retryInMs, reason: "circuit open; its probe is out" };
      }
      // An open circuit's long hold would keep the job in JetStream's ack-pending window, and
      // a dead endpoint with a big backlog would fill it for everyone: park it in PostgreSQL,
      // where the outbox relay picks it up when it is due.
      const parked = await options.backlog.park(job, Math.max(entry.retryInMs, minParkMs));
      if (parked.kind === "parked") return { kind: "ack", reason: `${entry.reason}; ${parked.reason}` };
      options.metrics?.jobHeldBack("circuit_open");
      return { kind: "nak", delayMs: parked.delayMs, reason: `${entry.reason}; ${parked.reason}` };
    }
    try {
      return await attempt(job, entry.release);
    } finally {
      // Without an attempt, or when it failed before its request ended.
      entry.release("none");
    }
  };

  /**
   * `releaseSlot` frees the endpoint's slot as soon as its response is in: the
   * cap is on requests at the endpoint, and holding the slot through the
   * record's commit too would lower what one busy endpoint gets by that much.
   */
  async function attempt(
    job: ReceivedJob,
    releaseSlot: (outcome: "success" | "failure" | "none") => void,
  ): Promise<JobDecision> {
    const claim = await claimDelivery(job.deliveryId);
    if (claim.kind === "stale")
      return { kind: "ack", reason: "finished, deleted, or not due and left to the outbox relay" };
    if (claim.kind === "busy") return { kind: "nak", delayMs: claim.retryInMs, reason: "claimed elsewhere" };
    if (claim.kind === "early") return { kind: "nak", delayMs: claim.retryInMs, reason: "not due yet" };
    const { delivery } = claim;
    const { policy, timeoutMs } = resolveDeliverySettings(
      serverSettings,
      delivery.applicationRetryPolicy,
      delivery.endpointRetryPolicy,
    );
    const messageId = delivery.messageId;
    if (delivery.isActive && delivery.rateLimit !== null) {
      const slot = await takeRateSlot(options.pool, delivery.endpointId, delivery.rateLimit).catch(
        async (error) => {
          // Nothing was sent: give the claim back, or the job's retry would find it busy for
          // the claim's whole length (the timeout plus 30 s) instead of after errorRetryMs.
          await releaseClaim(options.pool, delivery.id).catch(() => {});
          throw error;
        },
      );
      if (!slot.allowed) {
        // Waiting for the limit is not an attempt: give the claim back and come back when a slot frees up.
        await releaseClaim(options.pool, delivery.id);
        const delayMs = slot.retryInMs + Math.floor(random() * 50);
        options.metrics?.jobHeldBack("rate_limited");
        return { kind: "nak", delayMs, reason: "rate limited", messageId };
      }
    }
    const attemptNumber = delivery.attemptCount + 1;

    const blocked = targetUrlProblem(delivery.url, { ...options.egress, httpsOnly: false });
    let result: AttemptResult;
    if (!delivery.isActive) {
      result = { statusCode: 0, responseBody: "", latencyMs: 0, error: "endpoint is disabled" };
    } else if (blocked) {
      result = { statusCode: 0, responseBody: "", latencyMs: 0, error: `blocked: url ${blocked}` };
    } else {
      const timestamp = Math.floor(now() / 1000);
      result = await sendWebhook({
        url: delivery.url,
        body: delivery.payload,
        timeoutMs,
        dispatcher: options.httpDispatcher,
        headers: {
          "content-type": "application/json",
          "user-agent": userAgent,
          ...signatureHeaders({
            secret: secrets.decrypt(delivery.endpointId, delivery.secret),
            additionalSecrets: delivery.previousSecret
              ? [secrets.decrypt(delivery.endpointId, delivery.previousSecret)]
              : [],
            messageId: delivery.messageId,
            timestamp,
            body: delivery.payload,
          }),
        },
      });
    }

    const sent = delivery.isActive && blocked === undefined;
    releaseSlot(sent ? (result.error === "" ? "success" : "failure") : "none");

    const roundAttempts = delivery.roundAttempts + 1;
    const { next, decision, disableEndpoint } = nextStep({
      result,
      roundAttempts,
      policy,
      nakMaxDelayMs: options.nakMaxDelayMs,
      permanent: !delivery.isActive || blocked !== undefined,
      now: now(),
      jitter: random(),
    });
    await recordAttempt({
      deliveryId: delivery.id,
      messageId: delivery.messageId,
      endpointsTargeted: delivery.endpointsTargeted,
      attemptNumber,
      roundAttempts,
      result,
      next,
    });
    options.metrics?.attemptRecorded(next.status, sent ? result.latencyMs : undefined);
    // Fields rather than a child logger per job: a child serializes its bindings when made,
    // a cost paid for every attempt even when nothing is logged at the level in force.
    const fields = {
      delivery_id: delivery.id,
      endpoint_id: delivery.endpointId,
      message_id: messageId,
      attempt_number: attemptNumber,
      delivery_status: next.status,
      status_code: result.statusCode,
      latency_ms: result.latencyMs,
      ...(result.error === "" ? {} : { error: result.error }),
    };
    if (next.status === "success") logger.info(fields, "delivery attempt succeeded");
    else logger.warn(fields, "delivery attempt failed");
    const attempted = {
      endpointId: delivery.endpointId,
      applicationId: delivery.applicationId,
      url: delivery.url,
      failingSince: delivery.failingSince,
      circuitOpen: delivery.circuitOpen,
    };
    if (disableEndpoint)
      await options.endpointHealth?.disable(attempted, "gone", "the endpoint answered 410 Gone");
    else if (sent) await options.endpointHealth?.recordOutcome(attempted, result.error === "");
    if (sent && result.error === "") options.backlog.recovered(delivery.endpointId);
    return { ...decision, messageId };
  }
}
