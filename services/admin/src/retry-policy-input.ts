import { create } from "@bufbuild/protobuf";
import { type Duration, durationFromMs, durationMs } from "@bufbuild/protobuf/wkt";
import { readStoredRetryPolicy, type StoredRetryPolicy } from "@piperelay/db";
import { type RetryPolicy, RetryPolicySchema } from "@piperelay/proto";
import { fail } from "@piperelay/rpc";

/** Bounds on retry policies; the proto documents the same numbers. */
export const retryPolicyLimits = {
  scheduleEntries: 50,
  maxDelayMs: 7 * 86_400_000,
  maxAttempts: 100,
  minTimeoutMs: 1000,
  maxTimeoutMs: 5 * 60_000,
} as const;

/**
 * The stored form of a policy from the API, or null when it sets nothing (the
 * column then inherits everything). Throws invalid_argument naming the field.
 */
export function validateRetryPolicy(
  policy: RetryPolicy | undefined,
  field = "retry_policy",
): StoredRetryPolicy | null {
  if (policy === undefined) return null;
  const stored: StoredRetryPolicy = {};
  if (policy.schedule.length > retryPolicyLimits.scheduleEntries) {
    invalid(`${field}.schedule`, `must have at most ${retryPolicyLimits.scheduleEntries} entries`);
  }
  if (policy.schedule.length > 0) {
    stored.schedule_ms = policy.schedule.map((delay, index) => {
      const ms = millis(delay, `${field}.schedule[${index}]`);
      if (ms > retryPolicyLimits.maxDelayMs) invalid(`${field}.schedule[${index}]`, "must be at most 7 days");
      return ms;
    });
  }
  if (policy.maxAttempts !== undefined) {
    if (policy.maxAttempts < 1 || policy.maxAttempts > retryPolicyLimits.maxAttempts) {
      invalid(`${field}.max_attempts`, `must be 1 to ${retryPolicyLimits.maxAttempts}`);
    }
    stored.max_attempts = policy.maxAttempts;
  }
  if (policy.timeout !== undefined) {
    const ms = millis(policy.timeout, `${field}.timeout`);
    if (ms < retryPolicyLimits.minTimeoutMs || ms > retryPolicyLimits.maxTimeoutMs) {
      invalid(`${field}.timeout`, "must be 1 second to 5 minutes");
    }
    stored.timeout_ms = ms;
  }
  return Object.keys(stored).length === 0 ? null : stored;
}

/** The API form of a stored policy; undefined when nothing is overridden. */
export function retryPolicyToProto(column: unknown): RetryPolicy | undefined {
  const stored = readStoredRetryPolicy(column);
  if (Object.keys(stored).length === 0) return undefined;
  return create(RetryPolicySchema, {
    schedule: (stored.schedule_ms ?? []).map(durationFromMs),
    maxAttempts: stored.max_attempts,
    timeout: stored.timeout_ms === undefined ? undefined : durationFromMs(stored.timeout_ms),
  });
}

function millis(duration: Duration, field: string): number {
  const ms = durationMs(duration);
  if (!Number.isFinite(ms) || ms < 0) invalid(field, "must not be negative");
  return Math.round(ms);
}

function invalid(field: string, reason: string): never {
  return fail({ outcome: "invalid_argument", field, reason });
}
