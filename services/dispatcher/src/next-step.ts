import type { JobDecision } from "./job-decision.js";
import type { NextState } from "./record-attempts.js";
import { type RetryPolicy, retryDelay } from "./retry-policy.js";
import type { AttemptResult } from "./send-webhook.js";

/** What follows an attempt: the delivery's new state, what to tell JetStream, and whether to disable the endpoint. */
export interface NextStep {
  next: NextState;
  decision: JobDecision;
  /** The receiver answered 410 Gone: it wants no more deliveries. */
  disableEndpoint: boolean;
}

export interface NextStepInput {
  result: AttemptResult;
  /** Attempts made in this round, the one just made included. */
  roundAttempts: number;
  policy: RetryPolicy;
  nakMaxDelayMs: number;
  /** A failure that retrying cannot fix (target blocked, endpoint disabled). */
  permanent: boolean;
  now: number;
  /** A number in [0, 1) spreading retries out: delays grow by up to 20% so retries of a burst do not arrive together. */
  jitter?: number;
}

/** Longest wait a receiver's Retry-After can impose. */
export const maxRetryAfterMs = 24 * 60 * 60 * 1000;

/**
 * Decides between success, retry (NAK-delayed when due soon, parked in
 * PostgreSQL when later) and final failure. A 429 or 503 with Retry-After
 * waits at least that long (capped at a day); 410 Gone ends the delivery and
 * disables the endpoint.
 */
export function nextStep(input: NextStepInput): NextStep {
  const { result, policy } = input;
  if (result.error === "") {
    return {
      next: { status: "success" },
      decision: { kind: "ack", reason: "delivered" },
      disableEndpoint: false,
    };
  }
  const gone = result.statusCode === 410;
  const scheduled = input.permanent || gone ? undefined : retryDelay(policy, input.roundAttempts);
  if (scheduled === undefined) {
    return {
      next: { status: "failed" },
      decision: { kind: "ack", reason: gone ? "endpoint gone" : "failed for good" },
      disableEndpoint: gone,
    };
  }
  const honoursRetryAfter = result.statusCode === 429 || result.statusCode === 503;
  const jittered = Math.round(scheduled * (1 + 0.2 * (input.jitter ?? 0)));
  const delay =
    honoursRetryAfter && result.retryAfterMs !== undefined
      ? Math.max(jittered, Math.min(result.retryAfterMs, maxRetryAfterMs))
      : jittered;
  const parked = delay > input.nakMaxDelayMs;
  return {
    next: { status: "retrying", nextRetryAt: new Date(input.now + delay), parked },
    decision: parked
      ? { kind: "ack", reason: "retry parked in PostgreSQL" }
      : { kind: "nak", delayMs: delay, reason: "retry scheduled" },
    disableEndpoint: false,
  };
}
