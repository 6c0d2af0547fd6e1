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
