import type { StoredRetryPolicy } from "@piperelay/db";

export interface RetryPolicy {
  /** Delays before the 2nd, 3rd, … attempt, in ms; the last one repeats if max attempts is larger. */
  schedule: readonly number[];
  /** Attempts in one round (the first one included) before the delivery fails for good. */
  maxAttempts: number;
}

/**
 * How long to wait after the `failedAttempts`-th failure of the current round,
 * or undefined when that was the last attempt allowed.
 */
export function retryDelay(policy: RetryPolicy, failedAttempts: number): number | undefined {
  if (failedAttempts >= policy.maxAttempts) return undefined;
  if (policy.schedule.length === 0) return 0;
  const index = Math.min(failedAttempts - 1, policy.schedule.length - 1);
  return policy.schedule[Math.max(0, index)];
}

/** How one delivery is attempted and retried. */
export interface DeliverySettings {
  policy: RetryPolicy;
  timeoutMs: number;
}

/**
 * The settings for a delivery: each field from the endpoint's policy, else the
 * application's, else the server's. A policy that sets a schedule but no max
 * attempts allows one attempt more than its schedule has delays, as the server
 * default does.
 */
export function resolveDeliverySettings(
  server: DeliverySettings,
  application: StoredRetryPolicy,
  endpoint: StoredRetryPolicy,
): DeliverySettings {
  const maxAttemptsOf = (policy: StoredRetryPolicy) =>
    policy.max_attempts ?? (policy.schedule_ms === undefined ? undefined : policy.schedule_ms.length + 1);
  return {
    policy: {
      schedule: endpoint.schedule_ms ?? application.schedule_ms ?? server.policy.schedule,
      maxAttempts: maxAttemptsOf(endpoint) ?? maxAttemptsOf(application) ?? server.policy.maxAttempts,
    },
    timeoutMs: endpoint.timeout_ms ?? application.timeout_ms ?? server.timeoutMs,
  };
}
